package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	parentKilledTest = guardedChildDiesWithParent
	forkingThreadEndedTest = guardedChildOutlivesForkingThread
}

// guardedChildOutlivesForkingThread: the parent-death signal follows the
// thread that forked the child; the parent running on, with that thread
// ended (crashhook.go, CRASHHOOK_RETIRE_THREAD), the child runs on: a
// SIGTERM later ends the demo with status 0, not 128+9 (SIGKILL).
func guardedChildOutlivesForkingThread(t *testing.T, bin string) {
	cmd, done := startDemo(t, bin, "CRASHHOOK_RETIRE_THREAD=1")
	time.Sleep(500 * time.Millisecond) // the child killed, the parent ends
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := waitExit(t, cmd, done); err != nil {
		t.Errorf("demo after its parent's forking thread ended, then SIGTERM: %v, want status 0", err)
	}
}

// guardedChildDiesWithParent: kill -9 of the process started (the
// parent) ends the guarded child too, rather than leave it serving
// unseen (Pdeathsig).
func guardedChildDiesWithParent(t *testing.T, bin string) {
	cmd, done := startDemo(t, bin)
	parent := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/"
	tasks, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var children []string
	for _, task := range tasks {
		b, err := os.ReadFile(parent + task.Name() + "/children")
		if err != nil {
			t.Fatalf("cannot list the parent's children: %v", err)
		}
		children = append(children, strings.Fields(string(b))...)
	}
	if len(children) != 1 {
		t.Fatalf("the guard's children: %q, want one", children)
	}
	child, err := strconv.Atoi(children[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-done
	deadline := time.Now().Add(time.Minute)
	for alive(child) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(child, syscall.SIGKILL)
			t.Fatal("the guarded child still runs a minute after its parent was killed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive says whether process pid runs (a zombie does not).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}
