package main

import "syscall"

// guardedAttr makes the kernel kill the guarded child when its parent
// dies (kill -9 of the process an operator or a test started): without
// the parent nothing reads its standard error, and it must not run on
// alone, unseen, beside the Vigía started next.
func guardedAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
