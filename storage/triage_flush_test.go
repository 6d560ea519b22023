package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// flushed is a store whose Redis lost every key while the bot ran
// (FLUSHALL; as Redis restarted without its data), before the sweeper or
// a /next made the triage group again.
func flushed(t *testing.T) *storage.Store {
	t.Helper()
	st, srv, _ := newStore(t)
	if err := srv.Client().FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	return st
}

// An investigator's "/triage N new" or "/triage N claimed" on a tip sent
// after Redis lost its data, before anything made the triage group again,
// is recorded, once, and the queue shows it: it failed with NOGROUP, the
// tip's status and history written already.
func TestDecisionRightAfterAFlushIsRecorded(t *testing.T) {
	for _, status := range []tips.Status{tips.StatusNew, tips.StatusClaimed} {
		t.Run(string(status), func(t *testing.T) {
			ctx := context.Background()
			st := flushed(t)
			id := submitText(t, st, "431", 10, "cobran piso en el mercado").TipID
			ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
			if err := st.Decide(ctx, id, ana, storage.Decision{Status: status, ClaimTimeout: time.Hour}); err != nil {
				t.Fatalf("decide %s: %v", status, err)
			}
			tip, err := st.Tip(ctx, id)
			if err != nil || tip.Status != status {
				t.Fatalf("tip: %v %v, want %s", tip.Status, err, status)
			}
			decisions := 0
			for _, e := range tip.History {
				if e.Kind == tips.EntryStatus {
					decisions++
				}
			}
			if decisions != 1 {
				t.Fatalf("%d decisions in the history, want 1: %+v", decisions, tip.History)
			}
			q, err := st.Queue(ctx, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			beto := storage.Claimer{Key: "beto-key", Name: "Beto", Route: "telegram:2003"}
			got, err := st.Next(ctx, beto, "", time.Hour, 5)
			switch status {
			case tips.StatusNew:
				if q.Unclaimed != 1 || got != id || err != nil {
					t.Fatalf("queue %+v, next %q %v: want the tip waiting, handed out", q, got, err)
				}
			case tips.StatusClaimed:
				if q.Unclaimed != 0 || q.Claimed[storage.MemberName{Name: "Ana", Tag: storage.MemberTag("ana-key")}] != 1 || !errors.Is(err, storage.ErrQueueEmpty) {
					t.Fatalf("queue %+v, next %q %v: want the tip claimed by Ana, no other waiting", q, got, err)
				}
			}
		})
	}
}

// A tip closed before it was parked (right after Redis lost its data, the
// triage group not made again yet; or before any /next, /queue or sweep
// since it arrived) is not counted open in the queue depth.
func TestTipClosedBeforeItWasParkedIsNotCountedOpen(t *testing.T) {
	for _, lost := range []bool{true, false} {
		ctx := context.Background()
		var st *storage.Store
		if lost {
			st = flushed(t)
		} else {
			st, _, _ = newStore(t)
		}
		open := submitText(t, st, "431", 10, "cobran piso en el mercado").TipID
		closed := submitText(t, st, "432", 11, "venden armas en la esquina").TipID
		ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
		if err := st.Decide(ctx, closed, ana, storage.Decision{Status: tips.StatusDismissed}); err != nil {
			t.Fatal(err)
		}
		if d, err := st.QueueDepth(ctx); err != nil || d.Open != 1 {
			t.Fatalf("flushed %v: queue depth %+v %v, want 1 open (%s)", lost, d, err, open)
		}
	}
}

// The keyset lost with the rest of Redis's data while the bot runs is
// kept again, with the MAC keys the bot uses, once the bot notices the
// loss (the indexer's next look, the sweeper's): rotate-key found "this
// Redis holds no Vigía data" until the bot restarted, and a restart after
// a rotation kept other keys than those in use, so that a receipt given
// since the loss no longer found its tip.
func TestKeysetLostWhileRunningIsKeptAgain(t *testing.T) {
	oldSecret, secret := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{7}, 32)
	for name, notice := range map[string]func(context.Context, *storage.Store){
		"indexer": func(ctx context.Context, st *storage.Store) {
			_, _ = st.IndexTips(ctx, 10, time.Millisecond, func(storage.Signal) error { return nil }) // "index group was missing"
		},
		"sweeper": func(ctx context.Context, st *storage.Store) {
			if _, err := st.OpenClaims(ctx, time.Hour); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			start := func(secrets ...[]byte) *storage.Store {
				kr, err := storage.NewKeyring(secrets[0], secrets[1:]...)
				if err != nil {
					t.Fatal(err)
				}
				st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour})
				if err != nil {
					t.Fatal(err)
				}
				if err := st.Init(ctx); err != nil {
					t.Fatal(err)
				}
				return st
			}
			start(secret, oldSecret) // rotating: the old secret's MAC keys are kept
			st := start(secret)      // the rotation done, the bot runs
			if err := srv.Client().FlushAll(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			sub := submitText(t, st, "431", 10, "cobran piso en el mercado")
			notice(ctx, st)
			if has, err := st.HasKeyset(ctx); err != nil || !has {
				t.Fatalf("keyset after the bot noticed the loss: %v %v", has, err)
			}
			tip, err := start(secret).TipByReceipt(ctx, sub.Receipt)
			if err != nil || tip.ID != sub.TipID {
				t.Fatalf("receipt after a restart: %q %v, want %q", tip.ID, err, sub.TipID)
			}
		})
	}
}

// failKeepKeyset fails the keyset's SET NX once, when armed: Redis
// refusing a write for a moment (a dropped connection, OOM).
type failKeepKeyset struct{ armed atomic.Bool }

func (h *failKeepKeyset) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *failKeepKeyset) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if a := cmd.Args(); strings.EqualFold(cmd.Name(), "set") && len(a) > 1 && a[1] == "t:keyset" && h.armed.CompareAndSwap(true, false) {
			err := errors.New("dial tcp: connection refused")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}
func (h *failKeepKeyset) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// A keyset that could not be kept again the first time the bot noticed
// the loss (Redis refusing that one write) is kept at the next look: the
// group was made again before, so no later look noticed the loss, and
// rotate-key found "no Vigía data", a restart other keys than those in
// use, until the bot restarted.
func TestKeysetKeptAgainAfterAFailedTry(t *testing.T) {
	for name, notice := range map[string]func(context.Context, *storage.Store) error{
		"indexer": func(ctx context.Context, st *storage.Store) error {
			_, err := st.IndexTips(ctx, 10, time.Millisecond, func(storage.Signal) error { return nil })
			return err
		},
		"sweeper": func(ctx context.Context, st *storage.Store) error {
			_, err := st.OpenClaims(ctx, time.Hour)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			hook := &failKeepKeyset{}
			rdb := srv.Client()
			rdb.AddHook(hook)
			kr, err := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
			if err != nil {
				t.Fatal(err)
			}
			st, err := storage.New(rdb, kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Init(ctx); err != nil {
				t.Fatal(err)
			}
			if err := rdb.FlushAll(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			submitText(t, st, "431", 10, "cobran piso en el mercado")
			hook.armed.Store(true)
			for i := 0; i < 3; i++ {
				_ = notice(ctx, st) // the first fails; the indexer's says the group was missing
			}
			if hook.armed.Load() {
				t.Fatal("the keyset was not written")
			}
			if has, err := st.HasKeyset(ctx); err != nil || !has {
				t.Fatalf("keyset after a failed try and later looks: %v %v", has, err)
			}
		})
	}
}
