//go:build !unix

package main

// guardCrashOutput scrubs a crash's output on Unix only (see
// crashguard_unix.go): here Vigía runs unguarded, and the runtime's own
// traceback (which prints argument values) is what a crash shows.
func guardCrashOutput(getenv func(string) string) (status int, ok bool) {
	return 0, false
}
