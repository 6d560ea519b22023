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
// is down (unless up is set and true), counting the calls.
type pendingDown struct {
	commands.Store
	calls *atomic.Int64
	up    *atomic.Bool
}

func (p pendingDown) PendingDeliveries(ctx context.Context, n int) ([]storage.Delivery, error) {
	p.calls.Add(1)
	if p.up != nil && p.up.Load() {
		return p.Store.PendingDeliveries(ctx, n)
	}
	return nil, redisDown
}

// redisDown is the error of a call while Redis is down.
var redisDown = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}

// waitCalls waits until calls reaches n, within 30 s.
func waitCalls(t *testing.T, calls *atomic.Int64, n int64, cancel func()) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for calls.Load() < n {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("only %d rounds within 30 s", calls.Load())
		}
		time.Sleep(time.Millisecond) // poll interval
	}
}

// twoRunsLogged checks the log of two runs of failures parted by
// successes, the second within failureLogEvery of the first's line:
// each run's first failure is logged (the second is news: the loop had
// recovered), and counts nothing of the run before.
func twoRunsLogged(t *testing.T, logs, line string) {
	t.Helper()
	lines := regexp.MustCompile(`(?m)^.*`+line+`.*$`).FindAllString(logs, -1)
	if len(lines) != 2 {
		t.Fatalf("two runs of failures, successes between: want 2 lines %q, got %d:\n%s", line, len(lines), strings.Join(lines, "\n"))
	}
	for i, l := range lines {
		if !strings.Contains(l, "suppressed=0") {
			t.Errorf("line %d counts failures of another run: %s", i+1, l)
		}
	}
}

// A run of failed rounds ends with a round that succeeds: the next
// failure, 30 s after the first run's line, is logged at once, counting
// nothing of the first run's rounds left out.
// Mutations: RunBroadcaster not ending the run at a success (as before)
// -> one line; failureLog.succeeded resetting the line's time but not
// the count -> the second line says suppressed>0.
func TestBroadcasterFailuresAfterASuccessAreLoggedAtOnce(t *testing.T) {
	var calls atomic.Int64
	var up atomic.Bool
	e := newEnv(t, func(s commands.Store) commands.Store { return pendingDown{Store: s, calls: &calls, up: &up} })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { e.mux.RunBroadcaster(ctx, time.Millisecond) })
	failTwoRuns(t, e, &calls, &up, cancel)
	wg.Wait()
	twoRunsLogged(t, e.logs.String(), "broadcast round failed")
}

// failTwoRuns drives a loop whose rounds call the store (calls) through
// two runs of failures: 20 failed rounds, the clock moved 30 s, 5 more;
// 5 rounds that succeed (up); 5 failed again. It ends the loop (cancel).
func failTwoRuns(t *testing.T, e *env, calls *atomic.Int64, up *atomic.Bool, cancel context.CancelFunc) {
	t.Helper()
	waitCalls(t, calls, 20, cancel)
	e.clk.Add(30 * time.Second)
	waitCalls(t, calls, calls.Load()+5, cancel)
	up.Store(true)
	waitCalls(t, calls, calls.Load()+5, cancel)
	up.Store(false)
	waitCalls(t, calls, calls.Load()+5, cancel)
	cancel()
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
	waitRounds := func(n int64) { t.Helper(); waitCalls(t, &calls, n, cancel) }
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
