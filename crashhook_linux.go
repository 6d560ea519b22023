//go:build vigiacrashhook && linux

package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// With CRASHHOOK_DUMPABLE set, the process that runs Vigía (the guarded
// child, or the only process under VIGIA_TRACEBACK=raw) prints, once
// guardCrashOutput has returned, "dumpable " and what prctl
// PR_GET_DUMPABLE says of it, and exits with status 0.
func init() {
	if os.Getenv("CRASHHOOK_DUMPABLE") == "" {
		return
	}
	unguardedHook = func() {
		d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
		if err != nil {
			fmt.Fprintf(os.Stderr, "PR_GET_DUMPABLE: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("dumpable %d\n", d)
		os.Exit(0)
	}
}
