// Package tests drives the real vigia binary end to end: against a fake
// Telegram Bot API, a fake Discord REST API and gateway, and a real Redis,
// and through the console demo.
package tests

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// binary is the vigia binary built once for the package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigia-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "vigia")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	touchSources(root)
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building vigia: %v\n%s", err, out)
		os.Exit(1)
	}
	_, spoolBefore := os.Stat("vigia-spool")
	code := m.Run()
	os.RemoveAll(dir)
	if _, err := os.Stat("vigia-spool"); err == nil && spoolBefore != nil {
		// A bot launched without VIGIA_SPOOL_DIR spooled into the source
		// tree, and two runs in one checkout would share it (the second
		// refused as "in use by another process").
		fmt.Fprintln(os.Stderr, "a test's bot made tests/vigia-spool: launch gives each test a spool directory of its own")
		os.RemoveAll("vigia-spool")
		code = 1
	}
	os.Exit(code)
}

// spoolDirs holds each test's spool directory: a test's bots share one,
// as a restarted bot shares its spool, and no two tests do.
var spoolDirs sync.Map

func testSpool(t *testing.T) string {
	if d, ok := spoolDirs.Load(t.Name()); ok {
		return d.(string)
	}
	d, _ := spoolDirs.LoadOrStore(t.Name(), t.TempDir())
	return d.(string)
}

// lockedBuffer collects a process's output safely while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// touchSources reads every source file the binary is built from. go test
// caches results by the files a test opens; the build below runs in a child
// process, so without this a change to main.go would not rerun these tests.
func touchSources(root string) {
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); ext == ".go" || ext == ".toml" || filepath.Base(path) == "go.mod" || filepath.Base(path) == "go.sum" {
			_, _ = os.ReadFile(path)
		}
		return nil
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// waitFor waits, with a deadline, until cond holds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30 s")
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// prepare gives a vigia command what tests run side by side need apart:
// no metrics listener on the default port, and the test's own spool
// directory instead of ./vigia-spool in the source tree.
func prepare(t *testing.T, cmd *exec.Cmd) {
	if !slices.ContainsFunc(cmd.Env, func(v string) bool { return strings.HasPrefix(v, "VIGIA_METRICS_ADDR=") }) {
		// Not the default loopback port: processes of one test, or of
		// tests run side by side, would contend for it.
		cmd.Env = append(cmd.Env, "VIGIA_METRICS_ADDR=off")
	}
	if !slices.ContainsFunc(cmd.Env, func(v string) bool { return strings.HasPrefix(v, "VIGIA_SPOOL_DIR=") }) {
		// Not the default ./vigia-spool: in the source tree, and shared by
		// tests run side by side.
		cmd.Env = append(cmd.Env, "VIGIA_SPOOL_DIR="+testSpool(t))
	}
}

// launch starts a prepared vigia command, collecting its output, and kills
// it when the test ends if it is still running.
func launch(t *testing.T, cmd *exec.Cmd) *botProcess {
	t.Helper()
	prepare(t, cmd)
	p := &botProcess{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			// What the process said, to tell a slow machine from a bug.
			t.Logf("%s's output:\n%s", cmd.Args[0], p.stderr.String())
		}
	})
	return p
}

// waitMatching waits, up to 20 s, until at least n of the calls a fake API
// recorded match pred, and returns the matching ones. cond's locker guards
// calls; the fake broadcasts on cond when a call arrives, and a ticker
// wakes the wait so the deadline is noticed. On timeout it fails t with
// every call seen so far, described by show.
func waitMatching[T any](t *testing.T, cond *sync.Cond, calls func() []T, n int, pred func(T) bool, show func(T) string, api string) []T {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	cond.L.Lock()
	defer cond.L.Unlock()
	for {
		var got []T
		for _, c := range calls() {
			if pred(c) {
				got = append(got, c)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			var all []string
			for _, c := range calls() {
				all = append(all, show(c))
			}
			t.Fatalf("timed out waiting for %d matching %s calls; calls so far:\n%s", n, api, strings.Join(all, "\n"))
		}
		go func() {
			time.Sleep(50 * time.Millisecond) // wake-up tick to check the deadline
			cond.L.Lock()
			cond.Broadcast()
			cond.L.Unlock()
		}()
		cond.Wait()
	}
}
