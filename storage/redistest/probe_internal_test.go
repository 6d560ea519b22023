package redistest

import (
	"context"
	"fmt"
	"log"
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
