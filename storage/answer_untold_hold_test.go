package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// An answer's own call holds its untold copy (toTell) and the hold's
// reply is lost (the connection cut as it comes back): go-redis sends it
// again, and the retry finds the call's own hold, not another's. The
// answer is returned to be told, not "again". (Its HDEL before it, sent
// again so, found nothing to take and read "again": the asker told by no
// one, the untold copy gone, the sweep with nothing to tell.)
// Mutation: holdUntold refusing any hold already there, its own token's
// too, fails this (again=true).
func TestAnswerWhoseHoldReplyIsLostIsStillTold(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2})
	t.Cleanup(func() { rdb.Close() })
	twice := &holdSentTwice{}
	rdb.AddHook(twice)
	st, _ := storeOn(t, rdb)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	id := submit(t, st, "911", 91, "", true)
	n := ask(t, st, id, ana, "¿Qué día?")
	twice.armed.Store(true)
	q, again, err := st.AnswerOnce(ctx, id, n, "El lunes", st.Pseudonym("telegram", "911"), 9101)
	if twice.armed.Load() {
		t.Fatal("no hold went through the hook")
	}
	if err != nil || again || q.Text != "¿Qué día?" || q.By.Route != ana.Route {
		t.Fatalf("the hold's reply lost, sent again: %+v again=%v %v; want Ana's question, to be told", q, again, err)
	}
}

// holdSentTwice, armed, sends the next hold of an untold answer (toTell's
// script: its keys the tip and the untold set) twice, as go-redis does
// when the first one's reply is lost (a connection closed, EOF): the
// caller reads the second's reply.
type holdSentTwice struct{ armed atomic.Bool }

func (h *holdSentTwice) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *holdSentTwice) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		a := cmd.Args()
		name := strings.ToLower(cmd.Name())
		if (name == "evalsha" || name == "eval") && len(a) == 11 && strings.HasSuffix(fmt.Sprint(a[4]), ":untold") && h.armed.Load() {
			if err := next(ctx, cmd); err != nil {
				return err // not run (NOSCRIPT): go-redis sends EVAL next
			}
			h.armed.Store(false)
		}
		return next(ctx, cmd)
	}
}
func (h *holdSentTwice) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// A sweep that claimed an answer renews its lease just before it tells
// it (RenewUntold). Renewed in its lease, no other sweep claims it while
// it is told; its lease ended and another sweep's claim taken since (a
// long batch), the renewal fails: the other sweep alone tells it.
// Mutation: holdUntold holding whatever token holds it now fails this
// (the first sweep renews over the second's claim: told by both).
func TestUntoldLeaseIsRenewedOnlyByItsClaimer(t *testing.T) {
	ctx := context.Background()
	srv, p, _, _, _ := untoldFirstTry(t)
	p.loading.Store(false)
	a, clk := storeOn(t, srv.Client())
	clk.Add(untoldGrace + time.Minute)
	got, _, err := a.ClaimUntold(ctx, untoldGrace, untoldLease, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("claim: %+v %v", got, err)
	}
	u := got[0]
	clk.Add(untoldLease - time.Minute)
	if ok, err := a.RenewUntold(ctx, u, untoldGrace, untoldLease); err != nil || !ok {
		t.Fatalf("renewed in its lease: %v %v, want renewed", ok, err)
	}
	clk.Add(2 * time.Minute) // past the first lease, in the renewed one
	if other, _, err := a.ClaimUntold(ctx, untoldGrace, untoldLease, 10); err != nil || len(other) != 0 {
		t.Fatalf("another sweep within the renewed lease: %+v %v, want nothing", other, err)
	}
	clk.Add(untoldLease) // the renewed lease ended: another sweep claims it
	theirs, _, err := a.ClaimUntold(ctx, untoldGrace, untoldLease, 10)
	if err != nil || len(theirs) != 1 {
		t.Fatalf("another sweep after the lease: %+v %v, want the answer", theirs, err)
	}
	if ok, err := a.RenewUntold(ctx, u, untoldGrace, untoldLease); err != nil || ok {
		t.Fatalf("the first sweep renewing over the other's claim: %v %v, want refused", ok, err)
	}
	if ok, err := a.RenewUntold(ctx, theirs[0], untoldGrace, untoldLease); err != nil || !ok {
		t.Fatalf("the other sweep renewing its own: %v %v, want renewed", ok, err)
	}
}

// An untold answer whose tip's key no replica can open comes back at each
// lease for an hour (untoldUnreadTries claims), then once a day, not
// every 5 minutes for the tip's life; it is never dropped: read again (the
// secret given back), it is told.
// Mutations: untoldUnread without its hold for a day fails this (it
// comes back after the lease); without its ZADD, it fails too (held, yet
// in every sweep's range).
func TestUnreadableUntoldAnswerComesBackDailyAndIsNeverDropped(t *testing.T) {
	ctx := context.Background()
	srv, p, _, id, n := untoldFirstTry(t)
	p.loading.Store(false)
	sweep, clk := storeOn(t, srv.Client())
	kr, err := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
	if err != nil {
		t.Fatal(err)
	}
	blind, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour, DraftIdle: 10 * time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(untoldGrace + time.Minute)
	// The other tip's answer (untoldFirstTry's, told) left nothing; Ana's
	// is the one untold answer.
	for try := 1; try <= 12; try++ {
		got, unreadable, err := blind.ClaimUntold(ctx, untoldGrace, untoldLease, 10)
		if err != nil || len(got) != 0 || unreadable != 1 {
			t.Fatalf("claim %d: %+v unreadable=%d %v, want one unreadable", try, got, unreadable, err)
		}
		clk.Add(untoldLease + time.Second)
	}
	// Out of the sweeps' range for the day, not only held: it takes no
	// place in their batches.
	if at := srv.Client().ZScore(ctx, "t:{tips}:untold", id+":"+strconv.Itoa(n)).Val(); int64(at) < clk.Now().Add(23*time.Hour-untoldGrace).UnixMilli() {
		t.Fatalf("after 12 tries, due at %v, want a day on", time.UnixMilli(int64(at)).Add(untoldGrace))
	}
	for range 3 {
		if got, unreadable, err := blind.ClaimUntold(ctx, untoldGrace, untoldLease, 10); err != nil || len(got) != 0 || unreadable != 0 {
			t.Fatalf("after 12 tries, within the day: %+v unreadable=%d %v, want nothing", got, unreadable, err)
		}
		clk.Add(untoldLease + time.Second)
	}
	clk.Add(24 * time.Hour)
	got, err := takeUntold(t, sweep)
	if err != nil || len(got) != 1 || got[0].Answer != "El lunes" {
		t.Fatalf("a day on, readable: %+v %v, want the answer told", got, err)
	}
}
