//go:build unix

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildCrashHook builds Vigía with crashhook.go, whose goroutine panics
// with a chat id as a frame's argument and in the panic's value.
func buildCrashHook(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "vigia")
	out, err := exec.Command(gobin, "build", "-tags", "vigiacrashhook", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runCrashHook runs bin so that it crashes; it returns its standard error
// and exit status.
func runCrashHook(t *testing.T, bin string, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the hook did not crash the process: %v\n%s", err, stderr.String())
	}
	return stderr.String(), ee.ExitCode()
}

// TestCrashOutputWithholdsIdsAndText: an unrecovered panic, in a goroutine
// nothing of Vigía's recovers, prints where it happened (function, file)
// but neither a chat id passed as an argument (decimal or hex) nor the
// panic's value; the process still fails (status 2, as Go's). Under
// VIGIA_TRACEBACK=raw the same crash prints the id both ways (the control:
// the hook does leak it where nothing scrubs).
func TestCrashOutputWithholdsIdsAndText(t *testing.T) {
	bin := buildCrashHook(t)
	t.Run("crash", func(t *testing.T) { crashOutputWithholdsIdsAndText(t, bin) })
	t.Run("status and streams", func(t *testing.T) { guardPassesStatusAndStreams(t, bin) })
	t.Run("signals", func(t *testing.T) { guardPassesSignals(t, bin) })
	if parentKilledTest != nil {
		t.Run("parent killed", func(t *testing.T) { parentKilledTest(t, bin) })
		t.Run("forking thread ended", func(t *testing.T) { forkingThreadEndedTest(t, bin) })
	}
	if noCoreDumpTest != nil {
		t.Run("no core dump", func(t *testing.T) { noCoreDumpTest(t, bin) })
	}
	t.Run("forged marker", func(t *testing.T) { forgedMarkerIsIgnored(t, bin) })
	if undumpableTest != nil {
		t.Run("undumpable", func(t *testing.T) { undumpableTest(t, bin) })
	}
	if tracebackEnvTest != nil {
		t.Run("one GOTRACEBACK", func(t *testing.T) { tracebackEnvTest(t, bin) })
	}
}

// tracebackEnvTest is childHasOneTraceback, where the environment a
// process was started with can be read (Linux: /proc/self/environ).
var tracebackEnvTest func(t *testing.T, bin string)

// undumpableTest is childIsUndumpable, where prctl PR_SET_DUMPABLE is
// (Linux).
var undumpableTest func(t *testing.T, bin string)

// forgedMarkerIsIgnored: VIGIA_CRASH_GUARDED set by hand (or copied from a
// guarded child's environment) does not make a process skip the guard: the
// crash's output is scrubbed, the process warns once (naming the variable,
// not its value) and fails with status 2.
func forgedMarkerIsIgnored(t *testing.T, bin string) {
	const chatID = 7306318845
	hook := []string{fmt.Sprintf("CRASHHOOK_CHAT_ID=%d", chatID), "CRASHHOOK_TEXT=balacera en la calle Hidalgo", "VIGIA_TRACEBACK="}
	for _, marker := range []string{"1", "0", "yes", fmt.Sprint(os.Getpid() + 1)} {
		got, status := runCrashHook(t, bin, append(hook, "VIGIA_CRASH_GUARDED="+marker)...)
		for _, s := range []string{fmt.Sprint(chatID), fmt.Sprintf("%#x", chatID), "Hidalgo"} {
			if strings.Contains(got, s) {
				t.Errorf("VIGIA_CRASH_GUARDED=%s: crash output shows %q:\n%s", marker, s, got)
			}
		}
		if !strings.Contains(got, "panic: "+withheld) {
			t.Errorf("VIGIA_CRASH_GUARDED=%s: crash output lacks the withheld value:\n%s", marker, got)
		}
		if n := strings.Count(got, "VIGIA_CRASH_GUARDED is set, but"); n != 1 {
			t.Errorf("VIGIA_CRASH_GUARDED=%s: warned of %d times, want once:\n%s", marker, n, got)
		}
		if strings.Contains(got, "VIGIA_CRASH_GUARDED="+marker) {
			t.Errorf("VIGIA_CRASH_GUARDED=%s: the warning shows the value:\n%s", marker, got)
		}
		if status != 2 {
			t.Errorf("VIGIA_CRASH_GUARDED=%s: status %d, want 2", marker, status)
		}
	}
}

// parentKilledTest is guardedChildDiesWithParent where the kernel can
// kill a child with its parent (Linux).
var parentKilledTest func(t *testing.T, bin string)

// noCoreDumpTest is crashDumpsNoCore, where the kernel's core_pattern
// can be read (Linux).
var noCoreDumpTest func(t *testing.T, bin string)

// forkingThreadEndedTest is guardedChildOutlivesForkingThread, where
// parentKilledTest is.
var forkingThreadEndedTest func(t *testing.T, bin string)

func crashOutputWithholdsIdsAndText(t *testing.T, bin string) {
	const chatID = 7306318845
	// A "\r" ends a piece of a line where the scrubber reads (a
	// progress bar's redraw): what follows it in a panic's value is
	// withheld too, and so is what follows a "\r\n" or a "\r\r".
	const text = "balacera en la calle Hidalgo\nsegunda línea: Morelos\rtercera: Juárez\r\ncuarta: Zaragoza\r\rquinta: Allende"
	hook := []string{fmt.Sprintf("CRASHHOOK_CHAT_ID=%d", chatID), "CRASHHOOK_TEXT=" + text}
	secrets := []string{fmt.Sprint(chatID), fmt.Sprintf("%#x", chatID), "Hidalgo", "Morelos", "Juárez", "Zaragoza", "Allende"}

	raw, status := runCrashHook(t, bin, append(hook, "VIGIA_TRACEBACK=raw")...)
	for _, s := range secrets {
		if !strings.Contains(raw, s) {
			t.Fatalf("control: raw crash output lacks %q, so its absence below proves nothing:\n%s", s, raw)
		}
	}
	if status != 2 {
		t.Errorf("raw crash: status %d, want 2", status)
	}

	got, status := runCrashHook(t, bin, append(hook, "VIGIA_TRACEBACK=")...)
	for _, s := range secrets {
		if strings.Contains(got, s) {
			t.Errorf("crash output shows %q:\n%s", s, got)
		}
	}
	for _, s := range []string{"panic: " + withheld, "main.crashHookLeak(...)", "crashhook.go:", "goroutine "} {
		if !strings.Contains(got, s) {
			t.Errorf("crash output lacks %q:\n%s", s, got)
		}
	}
	if status != 2 {
		t.Errorf("crash: status %d, want 2", status)
	}

	// VIGIA_CRASH_GUARDED set by hand (copied from a child's environment
	// into a .env, say) does not make the process take itself for the
	// guarded child and run unscrubbed: only its own parent's mark counts.
	// Nor does one that names the process's real parent: "1" copied from
	// a child's environment where the guard was a container's PID 1
	// names the parent of every process started under systemd or
	// docker --init. Here the parent is this test's process.
	for _, v := range []string{"1", strconv.Itoa(os.Getpid())} {
		got, status = runCrashHook(t, bin, append(hook, "VIGIA_TRACEBACK=", guardedEnv+"="+v)...)
		for _, s := range secrets {
			if strings.Contains(got, s) {
				t.Errorf("with %s=%s in the environment, crash output shows %q:\n%s", guardedEnv, v, s, got)
			}
		}
		if !strings.Contains(got, "panic: "+withheld) || status != 2 {
			t.Errorf("with %s=%s in the environment: status %d, output:\n%s", guardedEnv, v, status, got)
		}
	}
}

// guardPassesStatusAndStreams: the guarded child's exit status, standard
// output and (unscrubbed, no crash being in it) standard error are the
// process's.
func guardPassesStatusAndStreams(t *testing.T, bin string) {
	cmd := exec.Command(bin, "keygen")
	out, err := cmd.Output()
	if err != nil || len(strings.TrimSpace(string(out))) < 44 {
		t.Errorf("keygen: %v, stdout %q", err, out)
	}
	cmd = exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "VIGIA_SECRET=", "VIGIA_SECRET_FILE=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "vigia: VIGIA_SECRET: is not set") {
		t.Errorf("serve without a secret: %v, stderr %q; want status 2 and the message", err, stderr.String())
	}
}

// startDemo starts bin's demo and returns once the demo (the guarded
// child) has written its first line. Its standard input and output are
// pipes the test holds open until it ends (not closed when the process
// it started exits, as exec's own pipes are): the child does not end on
// its own when its parent does.
func startDemo(t *testing.T, bin string, env ...string) (*exec.Cmd, chan error) {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inW.Close(); outR.Close() })
	cmd := exec.Command(bin, "demo")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout = inR, outW
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewReader(outR)
	if _, err := out.ReadString('\n'); err != nil {
		t.Fatalf("demo wrote nothing: %v", err)
	}
	go io.Copy(io.Discard, out)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, done
}

// waitExit waits for done up to a deadline (killing cmd past it).
func waitExit(t *testing.T, cmd *exec.Cmd, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("still running a minute after the signal")
		return nil
	}
}

// guardPassesSignals: SIGTERM to the process (what docker stop and
// systemd send) reaches the guarded child, which shuts down; the demo
// ends with status 0.
func guardPassesSignals(t *testing.T, bin string) {
	cmd, done := startDemo(t, bin)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := waitExit(t, cmd, done); err != nil {
		t.Errorf("demo after SIGTERM: %v, want status 0", err)
	}
}
