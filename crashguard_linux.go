package main

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// guardedAttr makes the kernel kill the guarded child when its parent
// dies (kill -9 of the process an operator or a test started): without
// the parent nothing reads its standard error, and it must not run on
// alone, unseen, beside the Vigía started next.
func guardedAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// forbidDumps makes this process not dumpable (prctl PR_SET_DUMPABLE 0):
// no core is dumped of it even to a core_pattern program
// (systemd-coredump, apport), which the core file size limit does not
// bind, and another process of the same user can neither read its memory
// (/proc/<pid>/mem) nor attach to it. It holds until an exec, which
// Vigía does not do, or a change of user or capabilities, which Vigía
// does not make either.
func forbidDumps() {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		fmt.Fprintf(os.Stderr, "vigia: cannot make the process undumpable (%v): a crash may dump core to a core_pattern program, holding tips in clear\n", err)
	}
}
