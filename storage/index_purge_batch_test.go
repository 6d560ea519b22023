package storage

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// midBatchPurge purges tip victim (through another store) as soon as the
// indexer has read it with its batch, before the batch's writes; if
// failRecount, it then fails the recount's first round trip as a dropped
// connection or a cancelled context would, before it is sent.
type midBatchPurge struct {
	other       *Store
	victim      string
	forget      bool // the victim is forgotten (/forget), not purged
	done        bool
	failRecount bool
	failed      bool
}

func (h *midBatchPurge) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *midBatchPurge) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *midBatchPurge) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.done && h.failRecount && !h.failed {
			hasEval, hasZScore := false, false
			for _, c := range cmds {
				hasEval = hasEval || c.Name() == "eval"
				hasZScore = hasZScore || c.Name() == "zscore"
			}
			if hasEval && hasZScore {
				h.failed = true
				err := errors.New("injected: connection reset")
				for _, c := range cmds {
					c.SetErr(err)
				}
				return err
			}
		}
		err := next(ctx, cmds)
		for _, c := range cmds {
			if h.victim != "" && !h.done && c.Name() == "hgetall" && c.Args()[1] == h.other.k.tip(h.victim) {
				h.done = true
				withdraw := h.other.Purge
				if h.forget {
					withdraw = h.other.Forget
				}
				if perr := withdraw(ctx, h.victim); perr != nil {
					return perr
				}
			}
		}
		return err
	}
}

// midBatchStores is a store whose client purges mid-batch (hook), and
// whether its Redis is a real redis-server.
func midBatchStores(t *testing.T) (*Store, *midBatchPurge, bool) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	client := srv.Client()
	hook := &midBatchPurge{}
	client.AddHook(hook)
	s, err := New(client, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil || s.Init(ctx) != nil {
		t.Fatal(err)
	}
	if hook.other, err = New(srv.Client(), kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	return s, hook, srv.Real
}

type raised struct {
	by        string
	reporters int
}

func indexRaising(t *testing.T, s *Store, out *[]raised) error {
	t.Helper()
	ctx := context.Background()
	var errs error
	for range 10 {
		n, err := s.IndexTips(ctx, 50, time.Millisecond, func(a Signal) error {
			*out = append(*out, raised{s.rdb.Get(ctx, s.k.indexAlert(a.mac)).Val(), a.Reporters})
			return nil
		})
		errs = errors.Join(errs, err)
		if n == 0 && err == nil {
			return errs
		}
	}
	return errs
}

// As TestOneBatchCountsTipsInOrder: the tip that makes the third genuine
// reporter raises the alert, with three reporters, even when a tip before
// it in the batch was purged mid-batch.
func TestPurgedMidBatchTheGenuineThirdRaisesWithThree(t *testing.T) {
	s, hook, _ := midBatchStores(t)
	// Two genuine reporters; then fake, genuine third (A), genuine fourth (B).
	batchSubmit(t, s, "801", 10, "me extorsionan, llaman del 55 4444 5555")
	batchSubmit(t, s, "802", 20, "otra vez el 5544445555 cobrando")
	var al []raised
	if err := indexRaising(t, s, &al); err != nil {
		t.Fatal(err)
	}
	fake := batchSubmit(t, s, "803", 30, "cobran piso, llaman del 55 4444 5555")
	a := batchSubmit(t, s, "804", 40, "cobran piso en el mercado, 5544445555")
	batchSubmit(t, s, "805", 50, "también cobran del 55-4444-5555")
	hook.victim = fake
	if err := indexRaising(t, s, &al); err != nil || !hook.done {
		t.Fatal(err, hook.done)
	}
	if len(al) != 1 || al[0].by != a || al[0].reporters != 3 {
		t.Fatalf("alerts %+v, want one raised by %s (the genuine third) with 3 reporters", al, a)
	}
}

// Same, one genuine reporter before: the genuine third is the batch's last
// tip, but the alert is raised by the genuine second.
func TestPurgedMidBatchTheThirdNotTheSecondRaises(t *testing.T) {
	s, hook, _ := midBatchStores(t)
	batchSubmit(t, s, "811", 10, "me extorsionan, llaman del 55 4444 6666")
	var al []raised
	if err := indexRaising(t, s, &al); err != nil {
		t.Fatal(err)
	}
	fake := batchSubmit(t, s, "812", 30, "cobran piso, llaman del 55 4444 6666")
	a := batchSubmit(t, s, "813", 40, "cobran piso en el mercado, 5544446666")
	b := batchSubmit(t, s, "814", 50, "también cobran del 55-4444-6666")
	hook.victim = fake
	if err := indexRaising(t, s, &al); err != nil || !hook.done {
		t.Fatal(err, hook.done)
	}
	if len(al) != 1 || al[0].by != b || al[0].reporters != 3 {
		t.Fatalf("alerts %+v, want one raised by %s (the genuine third), not %s (the second)", al, b, a)
	}
}

// The recount's round trip fails (connection reset, context cancelled at
// shutdown): the later tip keeps the mark it took counting the purged
// tip's reporter; indexed again it no longer reaches the threshold, raises
// nothing and is acknowledged, the mark still naming it: a genuine third
// reporter afterwards raises no alert for the whole window.
func TestPurgedMidBatchFailedRecountDoesNotHoldTheAlert(t *testing.T) {
	s, hook, real := midBatchStores(t)
	ctx := context.Background()
	if !real {
		t.Skip("it needs the pending entries' idle times of a real redis-server")
	}
	batchSubmit(t, s, "821", 10, "me extorsionan, llaman del 55 4444 7777")
	var al []raised
	if err := indexRaising(t, s, &al); err != nil {
		t.Fatal(err)
	}
	fake := batchSubmit(t, s, "822", 30, "cobran piso, llaman del 55 4444 7777")
	a := batchSubmit(t, s, "823", 40, "cobran piso en el mercado, 5544447777")
	hook.victim, hook.failRecount = fake, true
	err := indexRaising(t, s, &al)
	if !hook.done || !hook.failed || err == nil {
		t.Fatalf("purged %v, recount failed %v, err %v", hook.done, hook.failed, err)
	}
	// A is pending; indexed again once stale.
	pend, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.k.triage(), Group: IndexGroup, Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pend) == 0 {
		t.Fatalf("nothing pending: %v", err)
	}
	for _, p := range pend {
		if err := s.rdb.Do(ctx, "XCLAIM", s.k.triage(), IndexGroup, p.Consumer, 0, p.ID, "IDLE", (2 * time.Minute).Milliseconds(), "JUSTID").Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err = indexRaising(t, s, &al); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.IndexBacklog(ctx); b != 0 {
		t.Fatalf("backlog %d", b)
	}
	if marks := s.rdb.Keys(ctx, "*:ix:a:*").Val(); len(al) != 0 || len(marks) != 0 {
		t.Fatalf("tip %s indexed again with two reporters: alerts %+v, marks %v", a, al, marks)
	}
	// A genuine third reporter.
	batchSubmit(t, s, "824", 50, "también cobran del 55-4444-7777")
	if err := indexRaising(t, s, &al); err != nil {
		t.Fatal(err)
	}
	if len(al) != 1 || al[0].reporters != 3 {
		t.Fatalf("alerts %+v, want one from the genuine third reporter", al)
	}
}

// A tip its reporter forgets (/forget) while the indexer writes it: it
// stays, but neither counts for its entity nor raises the alert; the tip
// after it in the batch counts two reporters, not three.
// Mutation: the indexer not checking for the forgotten mark once its
// writes are done → the forgotten tip raises the alert with 3 reporters.
func TestForgottenMidBatchRaisesNothing(t *testing.T) {
	s, hook, _ := midBatchStores(t)
	ctx := context.Background()
	batchSubmit(t, s, "831", 10, "me extorsionan, llaman del 55 4444 8888")
	batchSubmit(t, s, "832", 20, "otra vez el 5544448888 cobrando")
	var al []raised
	if err := indexRaising(t, s, &al); err != nil {
		t.Fatal(err)
	}
	third := batchSubmit(t, s, "833", 30, "cobran piso, llaman del 55 4444 8888")
	batchSubmit(t, s, "832", 40, "y el 5544448888 sigue")
	hook.victim, hook.forget = third, true
	if err := indexRaising(t, s, &al); err != nil || !hook.done {
		t.Fatal(err, hook.done)
	}
	if len(al) != 0 {
		t.Fatalf("alerts %+v from a forgotten tip", al)
	}
	sigs, err := s.Signals(ctx, 7*24*time.Hour, 10)
	if err != nil || len(sigs) != 1 || sigs[0].Reporters != 2 || sigs[0].Tips != 3 {
		t.Fatalf("signals: %+v %v", sigs, err)
	}
	if _, err := s.Tip(ctx, third); err != nil {
		t.Fatalf("the forgotten tip is gone: %v", err)
	}
}
