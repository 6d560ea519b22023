//go:build vigiacrashhook

package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

// A crash for TestCrashOutput (built with -tags vigiacrashhook only): with
// CRASHHOOK_CHAT_ID set, the process that runs Vigía (the guarded child,
// or the only process under VIGIA_TRACEBACK=raw) starts a goroutine that
// panics unrecovered, as a library's might, with the id as a frame's
// argument and in the panic's value. CRASHHOOK_SET_TRACEBACK, if set, is
// passed to debug.SetTraceback first.
func init() {
	id, err := strconv.ParseInt(os.Getenv("CRASHHOOK_CHAT_ID"), 10, 64)
	if child, _ := guardedChild(os.Getenv); err != nil || (!child && os.Getenv("VIGIA_TRACEBACK") != "raw") {
		return
	}
	if os.Getenv("CRASHHOOK_SET_TRACEBACK") != "" {
		// A library's own choice: the runtime raises SIGABRT to end
		// the crash (a core dump), whatever GOTRACEBACK said.
		debug.SetTraceback(os.Getenv("CRASHHOOK_SET_TRACEBACK"))
	}
	go crashHookLeak(id, os.Getenv("CRASHHOOK_TEXT"))
	select {}
}

//go:noinline
func crashHookLeak(chatID int64, text string) {
	s := fmt.Sprintf("chat %d said %s", chatID, text)
	if chatID != 0 { // chatID is live across the call: spilled, printed
		panic(s)
	}
}

// With CRASHHOOK_RETIRE_THREAD set, the guarding parent ends the OS thread
// its goroutine runs on just after starting the child, as a goroutine
// locked to a thread does when it exits (a library's might): the child
// must not be killed for it (Pdeathsig follows the forking thread).
// Before the child starts, the parent's goroutine is moved off the main
// thread, which the runtime never ends (it parks it instead).
func init() {
	if child, _ := guardedChild(os.Getenv); os.Getenv("CRASHHOOK_RETIRE_THREAD") == "" || child {
		return
	}
	guardHook = func(stage string) {
		moved := make(chan struct{})
		switch stage {
		case "start":
			// Runs next on this thread (the main one, unless the
			// goroutine is locked to it) and keeps it to itself.
			go func() {
				runtime.LockOSThread()
				close(moved)
				select {}
			}()
		case "started":
			// Runs next on this thread, unless the goroutine is locked
			// to it, and ends it on exit.
			go func() {
				runtime.LockOSThread()
				close(moved)
			}()
		}
		<-moved
		time.Sleep(100 * time.Millisecond)
	}
}
