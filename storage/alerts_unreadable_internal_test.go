package storage

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// A kept alert record DueAlerts cannot read (not a hash; its deadline no
// number, or none; its attempts no count), due before a healthy one,
// is dropped, counted in the pass's error (a count, not its entity), and
// the healthy alert after it is still claimed and returned for the
// chats that have not taken it. Before, the pass stopped at the first
// record's script error, and as that record stayed due first, every
// later alert waited for ever.
// Mutation: claimAlert without its check of the record (TYPE, deadline,
// attempts) → the pass stops at the unreadable record, the healthy alert
// is not returned, test fails.
func TestUnreadableAlertRecordDoesNotHoldBackTheOthers(t *testing.T) {
	for _, c := range []string{"not a hash", "deadline no number", "no deadline", "attempts no count"} {
		t.Run(c, func(t *testing.T) {
			ctx := context.Background()
			s := internalStore(t)
			clock := time.Now()
			s.now = func() time.Time { return clock }
			good := raiseOne(t, s, clock, "1", "2", "3")
			if err := s.KeepAlert(ctx, good, nil); err != nil {
				t.Fatal(err)
			}
			bad := s.entityMAC("phone:525500000009")
			rec := s.k.alertPending(bad)
			switch c {
			case "not a hash":
				s.rdb.Set(ctx, rec, "corrupted", time.Hour)
			case "deadline no number":
				s.rdb.HSet(ctx, rec, "s", "sealed", "d", "corrupted", "n", 1)
			case "no deadline":
				s.rdb.HSet(ctx, rec, "s", "sealed", "n", 1)
			case "attempts no count":
				s.rdb.HSet(ctx, rec, "s", "sealed", "d", clock.Add(time.Hour).UnixMilli(), "n", "1.5")
			}
			s.rdb.Expire(ctx, rec, 2*time.Hour)
			s.rdb.ZAdd(ctx, s.k.alertsDue(), redis.Z{Score: float64(clock.UnixMilli()), Member: bad}) // due first
			clock = clock.Add(2 * time.Minute)
			chats := []string{"telegram:-100777", "telegram:-100778"}
			due, err := s.DueAlerts(ctx, chats, 10)
			if len(due) != 1 || due[0].Signal.mac != good.mac || !slices.Equal(due[0].Missing, chats) {
				t.Fatalf("due %+v (%v), want the healthy alert, for every chat", due, err)
			}
			if err == nil || !strings.Contains(err.Error(), "1 kept alert records could not be read") {
				t.Fatalf("error %v, want the unreadable record counted", err)
			}
			if strings.Contains(err.Error(), bad) {
				t.Fatalf("the error names the entity: %v", err)
			}
			if s.rdb.Exists(ctx, rec).Val() != 0 || s.rdb.ZScore(ctx, s.k.alertsDue(), bad).Err() == nil {
				t.Fatal("the unreadable record is still kept, or still due")
			}
		})
	}
}

// Redis going down as DueAlerts claims the first of two healthy kept
// alerts stops the pass with the error: neither record is taken for
// unreadable and dropped. Redis back, both are claimed and returned.
// Mutation: DueAlerts going on past a claim's error (continue, as for an
// unreadable record) → the pass reports no error, test fails.
func TestRedisDownMidClaimStopsThePassAndDropsNothing(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	rdb := srv.Client()
	s, err := New(rdb, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	s.now = func() time.Time { return clock }
	var macs []string
	for i, text := range []string{"llaman del 55 1234 5678 para cobrar piso", "llaman del 55 8765 4321 para cobrar piso"} {
		var alerts []Signal
		for _, r := range []string{"1", "2", "3"} {
			id := strconv.Itoa(i) + r
			s.rdb.HSet(ctx, s.k.tip(id), "k", "wrapped") // stored
			a, err := s.index(ctx, id, "p"+r, clock.Add(time.Duration(i)*time.Millisecond), text, false)
			if err != nil {
				t.Fatal(err)
			}
			alerts = append(alerts, a...)
		}
		if len(alerts) != 1 {
			t.Fatalf("alerts %+v, want one", alerts)
		}
		if err := s.KeepAlert(ctx, alerts[0], nil); err != nil {
			t.Fatal(err)
		}
		macs = append(macs, alerts[0].mac)
		clock = clock.Add(time.Millisecond)
	}
	clock = clock.Add(2 * time.Minute)
	rdb.AddHook(&downHook{down: srv.Stop})
	chats := []string{"telegram:-100777"}
	due, err := s.DueAlerts(ctx, chats, 10)
	if err == nil || len(due) != 0 || strings.Contains(err.Error(), "could not be read") {
		t.Fatalf("due %+v (%v), want the pass stopped by Redis down, no record dropped", due, err)
	}
	srv.Restart()
	for _, mac := range macs {
		if s.rdb.HGet(ctx, s.k.alertPending(mac), "s").Val() == "" || s.rdb.ZScore(ctx, s.k.alertsDue(), mac).Err() != nil {
			t.Fatal("a healthy alert record dropped, or no longer due, as Redis went down")
		}
	}
	due, err = s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("due %+v (%v) with Redis back, want both alerts", due, err)
	}
}

// downHook stops Redis (down) as the first claimAlert is sent.
type downHook struct {
	once sync.Once
	down func()
}

func (h *downHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *downHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *downHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if args := cmd.Args(); len(args) > 1 && args[1] == claimAlert.Hash() {
			h.once.Do(h.down)
		}
		return next(ctx, cmd)
	}
}
