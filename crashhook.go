//go:build vigiacrashhook

package main

import (
	"fmt"
	"os"
	"strconv"
)

// A crash for TestCrashOutput (built with -tags vigiacrashhook only): with
// CRASHHOOK_CHAT_ID set, the process that runs Vigía (the guarded child,
// or the only process under VIGIA_TRACEBACK=raw) starts a goroutine that
// panics unrecovered, as a library's might, with the id as a frame's
// argument and in the panic's value.
func init() {
	id, err := strconv.ParseInt(os.Getenv("CRASHHOOK_CHAT_ID"), 10, 64)
	if err != nil || (os.Getenv(guardedEnv) == "" && os.Getenv("VIGIA_TRACEBACK") != "raw") {
		return
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
