//go:build vigiacrashhook && linux

package main

import (
	"fmt"
	"os"
	"strings"

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

// With CRASHHOOK_ENVIRON set, the process that runs Vigía prints, once
// guardCrashOutput has returned, "env " and each GOTRACEBACK entry of the
// environment it was started with (/proc/self/environ: every entry, where
// os.Environ keeps a variable's first), and exits with status 0.
func init() {
	if os.Getenv("CRASHHOOK_ENVIRON") == "" {
		return
	}
	unguardedHook = func() {
		environ, err := os.ReadFile("/proc/self/environ")
		if err != nil {
			fmt.Fprintf(os.Stderr, "environ: %v\n", err)
			os.Exit(1)
		}
		for _, e := range strings.Split(string(environ), "\x00") {
			if strings.HasPrefix(e, "GOTRACEBACK=") {
				fmt.Printf("env %s\n", e)
			}
		}
		os.Exit(0)
	}
}
