package storage_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A store's client bounds each call made under WithCallWait (the calls of
// a reporter's request, senderCallWait), and WithCallWait(ctx, 0) lifts
// the bound again (a file up to 20 MB, PutFile, which a slow link may take
// longer to carry). The call here is a BLPOP that Redis answers after
// 1 s (its least block), under a bound of 100 ms.
// Mutations: New without the hook → "bounded" fails; WithCallWait keeping
// the outer bound for d <= 0 → "lifted" fails.
func TestCallWaitBoundsEachCallAndZeroLiftsIt_hung(t *testing.T) {
	rdb := hookedClient(t, "cw")
	bounded := storage.WithCallWait(context.Background(), 100*time.Millisecond)
	// (Ended by its context or by the socket deadline go-redis sets from
	// it: either way, not Redis's answer.)
	if err := rdb.BLPop(bounded, time.Second, "cw:none").Err(); err == nil || errors.Is(err, redis.Nil) {
		t.Fatalf("bounded: %v, want the call's 100 ms to run out before Redis answers", err)
	}
	lifted := storage.WithCallWait(bounded, 0)
	if got := storage.CallWait(lifted); got != 0 {
		t.Fatalf("lifted: CallWait %v", got)
	}
	if err := rdb.BLPop(lifted, time.Second, "cw:none").Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("lifted: %v, want Redis's answer (nil) after 1 s", err)
	}
}

// Under WithHungLatch, once a call ran out of its time without an answer,
// the later calls of the same context are not sent: they fail at once
// with ErrHung (a context.DeadlineExceeded), a pipeline's commands each
// carrying it, so a request with Redis hung hears in about one bound, not
// one per call. A call that got Redis's answer, even an error, sets no
// latch, and a context without the latch is not touched. The call that
// runs out is a BLPOP that Redis answers after 1 s, under a bound of
// 100 ms. Mutations: bounded without the latch check → "after" fails
// (Redis's nil answered); the latch set on any error → "answered" fails;
// the skipped pipeline's commands without ErrHung → "pipeline" fails.
func TestHungLatchSkipsTheCallsAfterOneGotNoAnswer_hung(t *testing.T) {
	rdb := hookedClient(t, "hl")
	bg := context.Background()

	answered := storage.WithHungLatch(storage.WithCallWait(bg, 5*time.Second))
	if err := rdb.BLPop(answered, time.Second, "hl:none").Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("answered: %v, want Redis's nil after 1 s", err)
	}
	if storage.Hung(answered) || rdb.Get(answered, "hl:none").Err() != redis.Nil {
		t.Fatal("answered: an answered call set the latch")
	}

	ctx := storage.WithHungLatch(storage.WithCallWait(bg, 100*time.Millisecond))
	if err := rdb.BLPop(ctx, time.Second, "hl:none").Err(); err == nil || errors.Is(err, redis.Nil) {
		t.Fatalf("hung: %v, want the call's 100 ms to run out before Redis answers", err)
	}
	if !storage.Hung(ctx) {
		t.Fatal("hung: latch not set")
	}
	if err := rdb.Get(ctx, "hl:none").Err(); !errors.Is(err, storage.ErrHung) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("after: %v, want ErrHung (a DeadlineExceeded)", err)
	}
	pipe := rdb.Pipeline()
	get := pipe.Get(ctx, "hl:none")
	if _, err := pipe.Exec(ctx); !errors.Is(err, storage.ErrHung) || !errors.Is(get.Err(), storage.ErrHung) {
		t.Fatalf("pipeline: %v, its command's %v, want ErrHung", err, get.Err())
	}
	// A context made from it shares the latch; one without it is not touched.
	if err := rdb.Get(storage.WithCallWait(ctx, 0), "hl:none").Err(); !errors.Is(err, storage.ErrHung) {
		t.Fatalf("derived: %v, want ErrHung", err)
	}
	if err := rdb.Get(bg, "hl:none").Err(); err != redis.Nil {
		t.Fatalf("no latch: %v, want Redis's nil", err)
	}
}

// A call made under the latch with no time left (its context's deadline
// passed: a request whose event's time a slow platform send used up)
// fails at once, unsent, and sets no latch: it learned nothing of Redis.
// The calls after it, those detached with context.WithoutCancel to get
// their own time (a mark, a draft's tidy, a tip number given back), are
// still asked. Found in review of 1be67fa: such a call set the latch, and
// every detached call after it failed with ErrHung, Redis answering.
// Mutation: bounded latching without its asked check → both cases fail
// ("late: a call with no time left set the latch").
func TestHungLatchNotSetByACallMadeWithNoTimeLeft(t *testing.T) {
	rdb := hookedClient(t, "hl")
	for _, c := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"command", func(ctx context.Context) error { return rdb.Get(ctx, "hl:none").Err() }},
		{"pipeline", func(ctx context.Context) error {
			_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error { p.Get(ctx, "hl:none"); return nil })
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := storage.WithHungLatch(storage.WithCallWait(context.Background(), 3*time.Second))
			late, cancel := context.WithDeadline(req, time.Now().Add(-time.Millisecond))
			defer cancel()
			if err := c.call(late); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("late: %v, want its deadline's error", err)
			}
			if storage.Hung(req) {
				t.Fatal("late: a call with no time left set the latch")
			}
			if err := c.call(context.WithoutCancel(late)); !errors.Is(err, redis.Nil) {
				t.Fatalf("detached: %v, want Redis's nil", err)
			}
		})
	}
}

// hookedClient is a client of a fresh Redis as serve makes it (RESP2,
// ContextTimeoutEnabled), with a store's hooks (storage.New) on it under
// prefix.
func hookedClient(t *testing.T, prefix string) *redis.Client {
	t.Helper()
	srv := redistest.Start(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.Protocol, opt.ContextTimeoutEnabled = 2, true
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{9}, 32))
	if _, err := storage.New(rdb, kr, storage.Options{Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	return rdb
}
