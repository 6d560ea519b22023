//go:build unix && !linux

package main

import "syscall"

// guardedAttr: outside Linux there is no parent-death signal; a child
// whose parent was killed ends at its next write to standard error
// (SIGPIPE).
func guardedAttr() *syscall.SysProcAttr {
	return nil
}
