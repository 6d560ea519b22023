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
)

// The sweep's claim of an untold answer runs, and its reply is lost (a
// read timeout): the sweep tells nothing, and the answer is not lost. It
// is not claimed again within the lease (another sweep does not tell it
// meanwhile), and a sweep after the lease tells it, once.
// Mutations: claimUntold taking the answer out (ZREM and HDEL, the take
// before the lease) fails this (nothing after the lease: never told);
// claimUntold without its ZADD XX fails it (claimed again within the
// lease).
func TestUntoldClaimWhoseReplyIsLostIsToldAfterTheLease(t *testing.T) {
	ctx := context.Background()
	srv, p, _, id, n := untoldFirstTry(t)
	p.loading.Store(false)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2})
	t.Cleanup(func() { rdb.Close() })
	lost := &claimReplyLost{}
	rdb.AddHook(lost)
	sweep, clk := storeOn(t, rdb)
	clk.Add(untoldGrace + time.Minute)
	lost.armed.Store(true)
	got, unreadable, err := sweep.ClaimUntold(ctx, untoldGrace, untoldLease, 10)
	if lost.armed.Load() {
		t.Fatal("no claim went through the hook")
	}
	if err == nil || len(got) != 0 || unreadable != 0 {
		t.Fatalf("its reply lost: %+v %d %v, want an error and nothing", got, unreadable, err)
	}
	if got, err := takeUntold(t, sweep); err != nil || len(got) != 0 {
		t.Fatalf("within the lease: %+v %v, want nothing (claimed)", got, err)
	}
	clk.Add(untoldLease + time.Second)
	got, err = takeUntold(t, sweep)
	if err != nil || len(got) != 1 || got[0].TipID != id || got[0].Question.N != n || got[0].Question.By.Route != "telegram:2002" || got[0].Answer != "El lunes" {
		t.Fatalf("after the lease: %+v %v, want the answer to Ana's question", got, err)
	}
	clk.Add(untoldLease + time.Second)
	if got, err := takeUntold(t, sweep); err != nil || len(got) != 0 {
		t.Fatalf("finished, a later sweep: %+v %v, want nothing", got, err)
	}
}

// claimReplyLost makes the reply of the next claim of an untold answer
// that ran (its keys: the tip, its log and the untold set) a read
// timeout, once armed: run, its reply lost.
type claimReplyLost struct{ armed atomic.Bool }

func (h *claimReplyLost) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *claimReplyLost) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		a := cmd.Args()
		name := strings.ToLower(cmd.Name())
		if err == nil && (name == "evalsha" || name == "eval") && len(a) == 13 && strings.HasSuffix(fmt.Sprint(a[5]), ":untold") && h.armed.CompareAndSwap(true, false) {
			err = fmt.Errorf("read tcp: i/o timeout")
			cmd.SetErr(err)
		}
		return err
	}
}
func (h *claimReplyLost) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// An untold answer the sweep cannot read is left claimed, not dropped:
// its tip's key sealed under a secret this replica does not know (a
// rotation under way), or its entry in the history unreadable. It is
// counted, and told by a sweep after the lease that can read it.
// Mutation: ClaimUntold taking out (FinishUntold) what it cannot open or
// read fails both subtests (nothing after the lease: never told).
func TestUntoldAnswerNotReadIsToldOnceItIs(t *testing.T) {
	for _, what := range []string{"tip key not opened", "history entry not read"} {
		t.Run(what, func(t *testing.T) {
			ctx := context.Background()
			srv, p, _, id, n := untoldFirstTry(t)
			p.loading.Store(false)
			sweep, clk := storeOn(t, srv.Client())
			clk.Add(untoldGrace + time.Minute)
			claimer := sweep
			restore := func() {}
			if what == "tip key not opened" {
				kr, err := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
				if err != nil {
					t.Fatal(err)
				}
				claimer, err = storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour, DraftIdle: 10 * time.Minute, Now: clk.Now})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				logKey := "t:{tips}:log:" + id
				qi, err := srv.Client().HGet(ctx, "t:{tips}:tip:"+id, "qi:"+strconv.Itoa(n)).Int64()
				if err != nil {
					t.Fatal(err)
				}
				entry := srv.Client().LIndex(ctx, logKey, qi).Val()
				srv.Client().LSet(ctx, logKey, qi, "not a sealed entry")
				restore = func() { srv.Client().LSet(ctx, logKey, qi, entry) }
			}
			got, unreadable, err := claimer.ClaimUntold(ctx, untoldGrace, untoldLease, 10)
			if err != nil || len(got) != 0 || unreadable != 1 {
				t.Fatalf("%s: %+v unreadable=%d %v, want one unreadable, nothing told", what, got, unreadable, err)
			}
			restore()
			if got, err := takeUntold(t, sweep); err != nil || len(got) != 0 {
				t.Fatalf("within the lease: %+v %v, want nothing (claimed)", got, err)
			}
			clk.Add(untoldLease + time.Second)
			got, err = takeUntold(t, sweep)
			if err != nil || len(got) != 1 || got[0].Question.By.Route != "telegram:2002" || got[0].Answer != "El lunes" {
				t.Fatalf("after the lease, read: %+v %v, want the answer to Ana's question", got, err)
			}
		})
	}
}

// Two replicas' sweeps range the untold set at the same time, and the
// other claims the answer between this one's range and its claim: only
// the other tells it, not both (every replica runs the sweeper).
// Mutation: claimUntold without its check of the member's score against
// the range's end (ARGV[4]) fails this (both sweeps get the answer).
func TestUntoldAnswerRangedByTwoSweepsIsClaimedByOne(t *testing.T) {
	ctx := context.Background()
	srv, p, _, _, _ := untoldFirstTry(t)
	p.loading.Store(false)
	ordb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2})
	t.Cleanup(func() { ordb.Close() })
	other, otherClk := storeOn(t, ordb)
	otherClk.Add(untoldGrace + time.Minute)
	var theirs []storage.UntoldAnswer
	race := &afterUntoldRange{run: func() {
		var err error
		theirs, _, err = other.ClaimUntold(ctx, untoldGrace, untoldLease, 10)
		if err != nil {
			t.Error(err)
		}
	}}
	race.armed.Store(true)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2})
	t.Cleanup(func() { rdb.Close() })
	rdb.AddHook(race)
	sweep, clk := storeOn(t, rdb)
	clk.Add(untoldGrace + time.Minute)
	ours, unreadable, err := sweep.ClaimUntold(ctx, untoldGrace, untoldLease, 10)
	if race.armed.Load() {
		t.Fatal("no range went through the hook")
	}
	if err != nil || unreadable != 0 || len(theirs) != 1 || len(ours) != 0 {
		t.Fatalf("the other sweep claimed %d, this one %d (%d unreadable, %v): want 1 and 0", len(theirs), len(ours), unreadable, err)
	}
}

// afterUntoldRange runs run once, armed, just after a range of the
// untold set.
type afterUntoldRange struct {
	armed atomic.Bool
	run   func()
}

func (h *afterUntoldRange) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *afterUntoldRange) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		a := cmd.Args()
		if err == nil && strings.HasPrefix(strings.ToLower(cmd.Name()), "zrange") && len(a) > 1 && strings.HasSuffix(fmt.Sprint(a[1]), ":untold") && h.armed.CompareAndSwap(true, false) {
			h.run()
		}
		return err
	}
}
func (h *afterUntoldRange) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
