package commands_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// indexDown wraps a store whose IndexTips fails, as while Redis is down,
// unless up is true (then no tip waits), counting the calls.
type indexDown struct {
	commands.Store
	calls *atomic.Int64
	up    *atomic.Bool
}

func (d indexDown) IndexTips(context.Context, int, time.Duration, func(storage.Signal) error) (int, error) {
	d.calls.Add(1)
	if d.up.Load() {
		time.Sleep(time.Millisecond) // (the real one blocks, waiting for tips)
		return 0, nil
	}
	return 0, redisDown
}

// While Redis is down every batch of the indexer fails, one every
// indexerPause (5 s): the log gets its first failure, then one line a
// minute counting those it left out, not a line a batch; a batch that
// succeeds ends the run, and the next failure is logged at once.
// Mutations: RunIndexer logging every failed batch (as before) -> the
// first part fails; RunIndexer not ending the run at a success -> the
// second part does.
func TestIndexerFailuresAreNotLoggedEveryBatch(t *testing.T) {
	commands.ShortIndexerPause(t, time.Millisecond)
	var calls atomic.Int64
	var up atomic.Bool
	e := newEnv(t, func(s commands.Store) commands.Store { return indexDown{Store: s, calls: &calls, up: &up} })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { e.mux.RunIndexer(ctx) })
	waitCalls(t, &calls, 20, cancel)
	e.clk.Add(59 * time.Second)
	waitCalls(t, &calls, calls.Load()+5, cancel) // still within the minute: no line
	e.clk.Add(time.Second)
	waitCalls(t, &calls, calls.Load()+5, cancel)
	cancel()
	wg.Wait()
	lines := regexp.MustCompile(`(?m)^.*indexing failed.*$`).FindAllString(e.logs.String(), -1)
	if len(lines) != 2 {
		t.Fatalf("%d batches failed (clock moved 59 s, then 1 s): want 2 lines, got %d:\n%s", calls.Load(), len(lines), strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], "suppressed=0") {
		t.Errorf("first line: %s", lines[0])
	}
	if m := regexp.MustCompile(`suppressed=(\d+)`).FindStringSubmatch(lines[1]); m == nil || m[1] == "0" {
		t.Errorf("second line does not count the batches left out: %s", lines[1])
	}

	t.Run("after a success", func(t *testing.T) {
		var calls atomic.Int64
		var up atomic.Bool
		e := newEnv(t, func(s commands.Store) commands.Store { return indexDown{Store: s, calls: &calls, up: &up} })
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { e.mux.RunIndexer(ctx) })
		failTwoRuns(t, e, &calls, &up, cancel)
		wg.Wait()
		twoRunsLogged(t, e.logs.String(), "indexing failed")
	})
}
