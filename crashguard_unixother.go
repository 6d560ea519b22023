//go:build unix && !linux

package main

import "syscall"

// guardedAttr: outside Linux there is no parent-death signal; a child
// whose parent was killed ends at its next write to standard error
// (SIGPIPE).
func guardedAttr() *syscall.SysProcAttr {
	return nil
}

// forbidDumps: outside Linux the core file size limit of 0 (set by the
// guarding parent, inherited) is all that stops a core dump.
func forbidDumps() {}
