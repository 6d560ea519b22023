package redistest

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// dialLog records what go-redis logs.
type dialLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *dialLog) Printf(_ context.Context, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, v...))
}

// A Redis not listening yet when its readiness is probed is waited for
// without go-redis logging a failed dial per probe ("redis: connection
// pool: failed to dial after 1 attempts"), noise in every failing test's
// output that reads like an outage.
// Mutation: waitReady asking go-redis without a plain dial first → the
// refused probe is logged.
func TestReadinessProbeLogsNoRefusedDial(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("probes a real redis-server's start")
	}
	// redis-server starts only once a probe was refused: it is not
	// listening at the first probe.
	gate := filepath.Join(t.TempDir(), "gate")
	wrapper := filepath.Join(t.TempDir(), "redis-server")
	script := fmt.Sprintf("#!/bin/sh\nwhile [ ! -e %q ]; do sleep 0.01; done\nexec %q \"$@\"\n", gate, bin)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	wait := pollWait
	pollWait = func() {
		if err := os.WriteFile(gate, nil, 0o600); err != nil {
			t.Error(err)
		}
		wait()
	}
	t.Cleanup(func() { pollWait = wait })
	logged := &dialLog{}
	redis.SetLogger(logged)
	t.Cleanup(func() { redis.SetLogger(&stderrLog{log.New(os.Stderr, "redis: ", log.LstdFlags|log.Lshortfile)}) })

	s := &Server{t: t, dir: dataDir(t), Real: true}
	t.Cleanup(s.Stop)
	onFreePort(t, func(port string) error {
		s.Addr = "127.0.0.1:" + port
		return s.start(wrapper)
	})
	if _, err := os.Stat(gate); err != nil {
		t.Fatalf("no probe was refused: %v", err)
	}
	logged.mu.Lock()
	defer logged.mu.Unlock()
	for _, line := range logged.lines {
		if strings.Contains(line, "failed to dial") {
			t.Fatalf("go-redis logged a refused probe: %q", line)
		}
	}
}

// stderrLog is go-redis's own logger, put back after the test.
type stderrLog struct{ l *log.Logger }

func (l *stderrLog) Printf(_ context.Context, format string, v ...any) {
	_ = l.l.Output(2, fmt.Sprintf(format, v...))
}

// A port picked free and taken by another process (another test's Redis)
// before redis-server could bind it is given up for another without the
// readiness probe reaching that process: not one connection, let alone
// an INFO, which another test counting its connections or watching its
// commands would see.
// Mutation: waitReady probing before the server's log says it listens
// (as before) → the other process is connected to.
func TestReadinessProbeNeverReachesAnotherServer(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("probes a real redis-server's start")
	}
	// The other process: it accepts connections and answers nothing.
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := other.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	// redis-server starts only once a probe has had its chance: the
	// taken port is probed before the server could say it is taken.
	gate := filepath.Join(t.TempDir(), "gate")
	wrapper := filepath.Join(t.TempDir(), "redis-server")
	script := fmt.Sprintf("#!/bin/sh\nwhile [ ! -e %q ]; do sleep 0.01; done\nexec %q \"$@\"\n", gate, bin)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	wait := pollWait
	pollWait = func() {
		if err := os.WriteFile(gate, nil, 0o600); err != nil {
			t.Error(err)
		}
		wait()
	}
	t.Cleanup(func() { pollWait = wait })
	taken := other.Addr().(*net.TCPAddr).Port
	pick, picked := pickPort, 0
	pickPort = func(t testing.TB) int {
		if picked++; picked == 1 {
			return taken
		}
		return pick(t)
	}
	t.Cleanup(func() { pickPort = pick })

	s := &Server{t: t, dir: dataDir(t), Real: true}
	t.Cleanup(s.Stop)
	onFreePort(t, func(port string) error {
		s.Addr = "127.0.0.1:" + port
		return s.start(wrapper)
	})
	if picked != 2 {
		t.Fatalf("started after %d picks, want the taken port given up for another", picked)
	}
	if err := s.Client().Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	// A last connection of the test's own: once it is accepted, every
	// one made before it was (a listener accepts in order).
	mine, err := net.Dial("tcp", other.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	n := 0
	for c := range accepted {
		c.Close()
		if c.RemoteAddr().String() == mine.LocalAddr().String() {
			break
		}
		n++
	}
	other.Close()
	if n != 0 {
		t.Fatalf("the probe connected %d times to the other process on the taken port", n)
	}
}
