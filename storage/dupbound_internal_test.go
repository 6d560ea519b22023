package storage

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// scriptCalls counts the runs of one script (EVALSHA of sha) and the
// arguments past its first skip they were given.
type scriptCalls struct {
	sha        string
	skip       int
	calls, got atomic.Int64
}

func (h *scriptCalls) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *scriptCalls) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *scriptCalls) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if args := cmd.Args(); cmd.Name() == "evalsha" && len(args) > 1 && args[1] == h.sha {
			h.calls.Add(1)
			h.got.Add(int64(max(len(args)-h.skip, 0)))
		}
		return next(ctx, cmd)
	}
}

// A tip with 5,000 live duplicates (far more than MaxDuplicates) is marked
// a duplicate itself, twice: each mark is refused (ChainMany, nothing
// recorded, every duplicate still listed), and checks no more of its list
// for stale entries than it takes to see more than MaxDuplicates live ones
// (three batches of staleBatch), not all 5,000 at every refused mark.
// Mutation: dropStaleDuplicates without its stop past MaxDuplicates live
// entries → the whole list checked, 10 batches a mark, test fails.
func TestRefusedMarkChecksNoMoreThanTheBoundOfLiveDuplicates(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	w, o := batchSubmit(t, s, "8901", 8901, "tip 8901"), batchSubmit(t, s, "8902", 8902, "tip 8902")
	list := s.k.duplicates(w)
	const live = 5000
	for from := 0; from < live; from += 500 {
		pipe := s.rdb.Pipeline()
		for i := from; i < from+500; i++ {
			m := strconv.Itoa(200000 + i)
			pipe.HSet(ctx, s.k.publication(m), "dup", w)
			pipe.SAdd(ctx, list, m)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// evalsha SHA 1 KEY id pub member…
	h := &scriptCalls{sha: dropStale.Hash(), skip: 6}
	s.rdb.AddHook(h)
	bob := Claimer{Key: "inv-b", Name: "Bob"}
	for try := 1; try <= 2; try++ {
		h.calls.Store(0)
		h.got.Store(0)
		err := s.Decide(ctx, w, bob, Decision{Status: tips.StatusDuplicate, DuplicateOf: o})
		var refused *DuplicateChainError
		if !errors.As(err, &refused) || refused.Kind != ChainMany || refused.Tip != w {
			t.Fatalf("mark %d of #%s, with %d duplicates behind it: %v; want refused, too many behind it", try, w, live, err)
		}
		if tip, err := s.Tip(ctx, w); err != nil || tip.Status == tips.StatusDuplicate {
			t.Fatalf("#%s after refused mark %d: %s of %q (%v)", w, try, tip.Status, tip.DuplicateOf, err)
		}
		if n := s.rdb.SCard(ctx, list).Val(); n != live {
			t.Fatalf("#%s's list holds %d entries after refused mark %d, want its %d live duplicates", w, n, try, live)
		}
		if calls, got := h.calls.Load(), h.got.Load(); calls == 0 || calls > 3 {
			t.Fatalf("refused mark %d checked %d entries in %d batches for stale ones, want at most 3 batches (past %d live entries)", try, got, calls, MaxDuplicates)
		}
	}
}
