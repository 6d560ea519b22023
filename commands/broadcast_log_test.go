package commands_test

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// pendingDown wraps a store whose PendingDeliveries fails, as while Redis
// is down, counting the calls.
type pendingDown struct {
	commands.Store
	calls *atomic.Int64
}

func (p pendingDown) PendingDeliveries(context.Context, int) ([]storage.Delivery, error) {
	p.calls.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
}

// While Redis is down every broadcast round fails, one a tick: the log
// gets one line a minute, counting the rounds it left out, not one
// line a round.
// Mutation: RunBroadcaster logging every failed round (as before) -> fails.
func TestBroadcasterFailuresAreNotLoggedEveryRound(t *testing.T) {
	var calls atomic.Int64
	e := newEnv(t, func(s commands.Store) commands.Store { return pendingDown{Store: s, calls: &calls} })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { e.mux.RunBroadcaster(ctx, time.Millisecond) })
	waitRounds := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for calls.Load() < n {
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("only %d broadcast rounds within 30 s", calls.Load())
			}
			time.Sleep(time.Millisecond) // poll interval
		}
	}
	waitRounds(20)
	e.clk.Add(59 * time.Second)
	second := calls.Load()
	waitRounds(second + 5) // still within the minute: no line
	e.clk.Add(time.Second)
	first := calls.Load()
	waitRounds(first + 5)
	cancel()
	wg.Wait()
	lines := regexp.MustCompile(`(?m)^.*broadcast round failed.*$`).FindAllString(e.logs.String(), -1)
	if len(lines) != 2 {
		t.Fatalf("%d broadcast rounds failed (clock moved 59 s, then 1 s): want 2 lines, got %d:\n%s", calls.Load(), len(lines), strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], "suppressed=0") {
		t.Errorf("first line: %s", lines[0])
	}
	if m := regexp.MustCompile(`suppressed=(\d+)`).FindStringSubmatch(lines[1]); m == nil || m[1] == "0" {
		t.Errorf("second line does not count the rounds left out: %s", lines[1])
	}
}
