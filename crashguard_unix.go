//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

// guardedEnv marks the process guardCrashOutput started: it runs Vigía,
// its standard error read by its parent. Its value is guardMark's, for
// the parent's process id and the pipe the child's standard error is
// (guardedChild).
const guardedEnv = "VIGIA_CRASH_GUARDED"

// guardMark is guardedEnv's value for a child of process pid whose
// standard error is stderr: pid, then the pipe's device and inode. The
// pipe is this child's alone (its parent made it for it), so a value
// copied from a child's environment into a .env matches no other
// process, not even one whose parent has the same id (1, where the
// guard was a container's PID 1, is the parent of every process
// started under systemd or docker --init). ok is false where stderr
// cannot be examined.
func guardMark(pid int, stderr *os.File) (mark string, ok bool) {
	fi, err := stderr.Stat()
	if err != nil {
		return "", false
	}
	st, isStat := fi.Sys().(*syscall.Stat_t)
	if !isStat {
		return "", false
	}
	return fmt.Sprintf("%d:%d:%d", pid, uint64(st.Dev), uint64(st.Ino)), true
}

// guardCrashOutput runs Vigía (this executable, with the same arguments,
// standard input and output) in a child process whose standard error
// passes through scrubCrash on its way to this one's, forwarding the
// signals an operator or a supervisor sends, and reports the exit status
// to end with. A crash's output is written by the runtime on descriptor
// 2 as the process dies, where no code of the process can touch it: only
// another process can read it and scrub it, and, being the parent, this
// one outlives the child (as PID 1 of a container must, for its output
// to be written before the container ends).
//
// ok is false where this process is to run Vigía itself: it is the
// child (guardedChild: its marker is its parent's process id; any other
// marker is ignored, with a warning), VIGIA_TRACEBACK=raw asks for the
// runtime's own output, or no
// child could be started (then only function names are printed of a
// crash: debug.SetTraceback("none") drops frames; a panic's value is
// still printed).
//
// Nor does a crash dump core (a file holding the process's memory: tips,
// ids and keys in clear) unless VIGIA_TRACEBACK=raw: this process's core
// file size limit is set to 0, soft and hard, which the child inherits,
// and GOTRACEBACK=crash (with which the runtime ends a crash by raising
// SIGABRT, to dump core) is passed to the child as GOTRACEBACK=system
// (the same traceback, scrubbed, then exit status 2), with a warning.
// Both are needed: a core_pattern that pipes the core to a program
// (systemd-coredump, apport) is not bound by the limit in the kernel,
// and the child cannot undo the variable itself (debug.SetTraceback only
// adds to what GOTRACEBACK asks). On Linux both processes also make
// themselves not dumpable (forbidDumps), which stops a piped core too,
// whatever GOTRACEBACK or a library asks. This process keeps GOTRACEBACK as the
// runtime read it at start; its memory holds the child's standard error
// as it passes, and the limit covers it.
//
// A crash before main (a package's init panicking) is not guarded in
// this process, and needs not be: no init, Vigía's or a library's, can
// see a tip, an id, a code or a token. They build tables from constants
// and embedded files (tips' classifier and receipt tables, phone number
// metadata, locales); the environment variables they read are the
// libraries' own settings (GODEBUG, GOPROTODEBUG,
// GOLANG_PROTOBUF_REGISTRATION_CONFLICT), never a VIGIA_ one; user data
// only arrives once main runs. In the child, inits run behind the guard.
func guardCrashOutput(getenv func(string) string) (status int, ok bool) {
	if unguardedHook != nil {
		defer func() {
			if !ok {
				unguardedHook()
			}
		}()
	}
	if raw, _ := rawTraceback(getenv("VIGIA_TRACEBACK")); raw {
		return 0, false
	}
	forbidDumps()
	child, forged := guardedChild(getenv)
	if child {
		return 0, false
	}
	if forged {
		newLogger(os.Stderr, slog.LevelWarn).Warn(forgedMarkerWarning)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{}); err != nil {
		fmt.Fprintf(os.Stderr, "vigia: cannot forbid core dumps (%v): a crash may write one, holding tips in clear, where the core file size limit (ulimit -c) allows it\n", err)
	}
	// os.Environ holds a variable's first entry only (syscall drops the
	// others: copyenv), the one getenv and the runtime read, so the child
	// gets one GOTRACEBACK at most, however many this process was given
	// (childHasOneTraceback).
	env := os.Environ() // runGuarded adds guardedEnv, once it has the pipe
	if getenv("GOTRACEBACK") == "crash" {
		// exec.Cmd uses the last of a variable's values.
		env = append(env, "GOTRACEBACK=system")
		newLogger(os.Stderr, slog.LevelWarn).Warn(crashTracebackWarning)
	}
	status, err := runGuarded(env)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vigia: cannot start the process whose crash output is scrubbed (%v); running unguarded, a crash prints no stack\n", err)
		debug.SetTraceback("none")
		return 0, false
	}
	return status, true
}

// guardedChild reads the marker guardCrashOutput sets on the child it
// starts: guardMark's value for its own process id and the pipe it made
// for the child's standard error, which the child believes only where
// both are its parent's and its own standard error's. A marker set by hand (or copied from a guarded child's
// environment) would otherwise run Vigía with nothing scrubbing its crash
// output and no core limit; forged says such a marker is ignored.
func guardedChild(getenv func(string) string) (child, forged bool) {
	v := getenv(guardedEnv)
	if v == "" {
		return false, false
	}
	if mark, ok := guardMark(os.Getppid(), os.Stderr); ok && v == mark {
		return true, false
	}
	return false, true
}

// forgedMarkerWarning is logged where guardedChild finds a forged marker.
const forgedMarkerWarning = guardedEnv + " is set, but this process was not started by Vigía's crash guard: it is ignored, and the guard runs (it is Vigía's own marker: do not set it)"

// unguardedHook, when set (crashhook_linux.go, in tests), is called where
// guardCrashOutput returns with ok false: this process runs Vigía.
var unguardedHook func()

// forwarded are the signals passed on to the child.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// guardHook, when set (crashhook.go, in tests), is called in runGuarded
// just before the child starts ("start") and just after ("started").
var guardHook func(stage string)

// crashTracebackWarning is logged where GOTRACEBACK=crash is replaced.
const crashTracebackWarning = "GOTRACEBACK is crash, which dumps core on a crash: a file holding the process's memory, tips and keys in clear; Vigía runs with GOTRACEBACK=system instead (the same traceback, scrubbed) and no core dumps. VIGIA_TRACEBACK=raw (for debugging only) keeps both"

// runGuarded runs the child with environment env.
func runGuarded(env []string) (int, error) {
	// Linux sends the parent-death signal (guardedAttr) when the thread
	// that forked the child ends, not the process (go.dev/issue/27505);
	// the Go runtime ends a thread when a goroutine locked to it exits.
	// Locked here for the child's life, the forking thread runs nothing
	// else, so it cannot be ended under a running child.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// What the packages' inits left behind (the tips package's tables
	// are built from about 10 MB of allocations) is returned to the
	// system, once: this process runs nothing of Vigía's but the
	// scrubber (measured: 7.0-7.9 MB of anonymous memory, not 9.8-15).
	debug.FreeOSMemory()
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	mark, ok := guardMark(os.Getpid(), w)
	if !ok {
		r.Close()
		w.Close()
		return 0, errors.New("cannot examine the pipe for the child's standard error")
	}
	// exec.Cmd uses the last of a variable's values.
	env = append(env[:len(env):len(env)], guardedEnv+"="+mark)
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, w
	cmd.SysProcAttr = guardedAttr()
	// Caught before the child starts: a signal that comes before it runs
	// is passed on once it does, rather than ending this process and
	// leaving the child writing to a pipe nobody reads.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if guardHook != nil {
		guardHook("start")
	}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return 0, err
	}
	if guardHook != nil {
		guardHook("started")
	}
	w.Close()
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		if err := scrubCrash(r, os.Stderr); err != nil {
			// Standard error is gone: the child's writes would fail
			// anyway; keep reading so that they do not block it.
			_, _ = io.Copy(io.Discard, r)
		}
	}()
	exited := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-exited:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(exited)
	<-copied
	r.Close()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	default:
		return 1, nil
	}
}
