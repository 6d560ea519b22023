package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	parentKilledTest = guardedChildDiesWithParent
	forkingThreadEndedTest = guardedChildOutlivesForkingThread
	noCoreDumpTest = crashDumpsNoCore
	undumpableTest = childIsUndumpable
	tracebackEnvTest = childHasOneTraceback
}

// childHasOneTraceback: the guarded child's environment, as the kernel
// gave it (crashhook_linux.go, CRASHHOOK_ENVIRON), holds one GOTRACEBACK
// at most, never crash, however many the parent's holds and in whatever
// order: the runtime and os.Getenv read a variable's first entry, a child
// started by exec.Cmd its last. The parent is started with os.StartProcess,
// which passes the entries as they are (exec.Cmd would keep the last).
// The control: under VIGIA_TRACEBACK=raw the one process sees both.
func childHasOneTraceback(t *testing.T, bin string) {
	var base []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GOTRACEBACK=") && !strings.HasPrefix(e, "VIGIA_TRACEBACK=") {
			base = append(base, e)
		}
	}
	base = append(base, "CRASHHOOK_ENVIRON=1", "CRASHHOOK_CHAT_ID=")
	entries := func(env ...string) (got []string, stderr string) {
		t.Helper()
		outR, outW, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		errF, err := os.CreateTemp(t.TempDir(), "stderr")
		if err != nil {
			t.Fatal(err)
		}
		defer errF.Close()
		p, err := os.StartProcess(bin, []string{bin, "serve"}, &os.ProcAttr{
			Env:   append(base[:len(base):len(base)], env...),
			Files: []*os.File{nil, outW, errF},
		})
		outW.Close()
		if err != nil {
			outR.Close()
			t.Fatal(err)
		}
		out, _ := io.ReadAll(outR)
		outR.Close()
		st, err := p.Wait()
		errb, _ := os.ReadFile(errF.Name())
		if err != nil || !st.Success() {
			t.Fatalf("%v: %v %v\n%s", env, st, err, errb)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if e, ok := strings.CutPrefix(line, "env "); ok {
				got = append(got, e)
			}
		}
		return got, string(errb)
	}
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"GOTRACEBACK=system", "GOTRACEBACK=crash"}, "GOTRACEBACK=system"},
		{[]string{"GOTRACEBACK=crash", "GOTRACEBACK=system"}, "GOTRACEBACK=system"},
		{[]string{"GOTRACEBACK=all", "GOTRACEBACK=crash", "GOTRACEBACK=crash"}, "GOTRACEBACK=all"},
		{[]string{"GOTRACEBACK=crash"}, "GOTRACEBACK=system"},
		{[]string{"GOTRACEBACK=single"}, "GOTRACEBACK=single"},
	} {
		got, stderr := entries(c.env...)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%q: the guarded child's environment holds %q, want only %q\n%s", c.env, got, c.want, stderr)
		}
	}
	if got, _ := entries(); len(got) != 0 {
		t.Errorf("no GOTRACEBACK: the guarded child's environment holds %q", got)
	}
	if got, _ := entries("VIGIA_TRACEBACK=raw", "GOTRACEBACK=system", "GOTRACEBACK=crash"); len(got) != 2 {
		t.Errorf("control: VIGIA_TRACEBACK=raw with two GOTRACEBACK entries sees %q, want both", got)
	}
}

// childIsUndumpable: the guarded child, where Vigía runs, is not dumpable
// (prctl PR_GET_DUMPABLE, asked by crashhook_linux.go once the guard has
// returned): no core of it reaches a core_pattern program, which the core
// file size limit does not bind, and no process of the same user reads
// its memory. Under VIGIA_TRACEBACK=raw it stays dumpable.
func childIsUndumpable(t *testing.T, bin string) {
	dumpable := func(env ...string) string {
		t.Helper()
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(append(os.Environ(), "CRASHHOOK_DUMPABLE=1", "CRASHHOOK_CHAT_ID="), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v\n%s", env, err, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	if got := dumpable("VIGIA_TRACEBACK="); got != "dumpable 0" {
		t.Errorf("guarded child: %q, want \"dumpable 0\"", got)
	}
	if got := dumpable("VIGIA_TRACEBACK=raw"); got != "dumpable 1" {
		t.Errorf("VIGIA_TRACEBACK=raw: %q, want \"dumpable 1\" (the control)", got)
	}
}

// crashDumpsNoCore: a crash of the guarded child writes no core file (the
// process's memory: the hook's chat id and text in clear), where the
// kernel would write one in the working directory, neither with
// GOTRACEBACK=crash from the environment (which the child runs as
// system: status 2, not SIGABRT; warned of once) nor where the child
// asks for a crash itself (debug.SetTraceback("crash"), as a library
// might: SIGABRT, and the core file size limit of 0 stops the dump).
// The control: under VIGIA_TRACEBACK=raw the same crash does dump core
// here. The test raises its own soft core limit to the hard one for the
// runs (the processes inherit it).
func crashDumpsNoCore(t *testing.T, bin string) {
	pattern, err := os.ReadFile("/proc/sys/kernel/core_pattern")
	if err != nil {
		t.Skipf("cannot read core_pattern: %v", err)
	}
	if p := strings.TrimSpace(string(pattern)); p == "" || strings.HasPrefix(p, "|") || strings.Contains(p, "/") {
		t.Skipf("core_pattern %q: cores are not written to the working directory, where this test looks", p)
	}
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &limit); err != nil {
		t.Fatal(err)
	}
	if limit.Max == 0 {
		t.Skip("the hard core file size limit is 0: no process here can dump core")
	}
	raised := syscall.Rlimit{Cur: limit.Max, Max: limit.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_CORE, &raised); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_CORE, &limit) })

	const chatID = 7306318845
	hook := []string{fmt.Sprintf("CRASHHOOK_CHAT_ID=%d", chatID), "CRASHHOOK_TEXT=balacera en la calle Hidalgo"}
	crash := func(env ...string) (stderr string, status int, files []string) {
		t.Helper()
		dir := t.TempDir()
		cmd := exec.Command(bin, "serve")
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), hook...), env...)
		var buf bytes.Buffer
		cmd.Stderr = &buf
		var ee *exec.ExitError
		if err := cmd.Run(); !errors.As(err, &ee) {
			t.Fatalf("the hook did not crash the process: %v\n%s", err, buf.String())
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			files = append(files, e.Name())
		}
		status = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			status = 128 + int(ws.Signal())
		}
		return buf.String(), status, files
	}

	if _, _, files := crash("VIGIA_TRACEBACK=raw", "GOTRACEBACK=crash"); len(files) == 0 {
		t.Skip("control: a raw crash with GOTRACEBACK=crash wrote no core here, so none written below proves nothing")
	}

	stderr, status, files := crash("VIGIA_TRACEBACK=", "GOTRACEBACK=crash")
	if len(files) != 0 {
		t.Errorf("GOTRACEBACK=crash: the crash left %q in the working directory (a core dump)", files)
	}
	if status != 2 {
		t.Errorf("GOTRACEBACK=crash: status %d, want 2 (the runtime raised SIGABRT to dump core: 134)", status)
	}
	if n := strings.Count(stderr, "GOTRACEBACK is crash"); n != 1 {
		t.Errorf("GOTRACEBACK=crash: warned of %d times, want once:\n%s", n, stderr)
	}
	for _, s := range []string{fmt.Sprint(chatID), fmt.Sprintf("%#x", chatID), "Hidalgo"} {
		if strings.Contains(stderr, s) {
			t.Errorf("GOTRACEBACK=crash: crash output shows %q:\n%s", s, stderr)
		}
	}

	stderr, status, files = crash("VIGIA_TRACEBACK=", "GOTRACEBACK=", "CRASHHOOK_SET_TRACEBACK=crash")
	if len(files) != 0 {
		t.Errorf("debug.SetTraceback(\"crash\") in the child: the crash left %q in the working directory (a core dump)", files)
	}
	if status != 128+int(syscall.SIGABRT) {
		t.Errorf("debug.SetTraceback(\"crash\") in the child: status %d, want %d (SIGABRT, no core)", status, 128+int(syscall.SIGABRT))
	}
	if strings.Contains(stderr, "GOTRACEBACK is crash") {
		t.Errorf("warned of GOTRACEBACK=crash, which is not set:\n%s", stderr)
	}
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
