package storage

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An owed recount that fails owedMaxAttempts times is given up at the
// next look, with a count, never a mark, in its report: its mark goes,
// and the list of owed recounts, empty, with it (not kept alive by one
// mark for ever). What the recount guarded is left safe: an alert record
// that cannot be recounted (unreadable: a deadline that is no number, a
// key of another type; or one whose writes fail: the due ones of another
// type) is deleted, no longer kept nor sent to another chat; one mended
// before the last attempt is recounted then (made due, "rc"), and kept.
// Until then, each failing look keeps the mark owed, its attempts
// counted in its name (MAC, token, count: no clear data).
// Mutation: redoOwedRecounts never giving up (no last attempt) -> fails
// (the mark still owed). Mutation: giveUpRecount answering 2 without
// deleting the record -> fails (the unreadable record still kept).
func TestOwedRecountFailingAgainAndAgainIsGivenUp(t *testing.T) {
	for _, c := range []string{"unreadable", "not a hash", "due ones broken", "mended"} {
		t.Run(c, func(t *testing.T) {
			ctx := context.Background()
			s := internalStore(t)
			clock := time.Now()
			s.now = func() time.Time { return clock }
			mac := s.entityMAC("phone:525500000003")
			rec := s.k.alertPending(mac)
			switch c {
			case "not a hash":
				s.rdb.Set(ctx, rec, "corrupted", time.Hour)
			case "due ones broken":
				s.rdb.HSet(ctx, rec, "s", "sealed", "d", clock.Add(time.Hour).UnixMilli())
				s.rdb.Expire(ctx, rec, 2*time.Hour)
				s.rdb.Set(ctx, s.k.alertsDue(), "corrupted", time.Hour)
			default:
				s.rdb.HSet(ctx, rec, "s", "sealed", "d", "corrupted")
				s.rdb.Expire(ctx, rec, 2*time.Hour)
			}
			mark := owedMark(mac)
			if _, err := s.oweRecount(ctx, mark); err != nil {
				t.Fatal(err)
			}
			for i := range owedMaxAttempts {
				clock = clock.Add(owedRecountAge + time.Millisecond)
				err := s.redoOwedRecounts(ctx)
				if re := (*RecountsError)(nil); err == nil || errors.As(err, &re) && re.GivenUp() > 0 {
					t.Fatalf("look %d: %v, want the recount failed, not given up", i, err)
				}
				owed := s.rdb.ZRange(ctx, s.k.indexRecountOwed(), 0, -1).Val()
				if len(owed) != 1 || owed[0] != mark+"#"+strconv.Itoa(i+1) || owedEntity(owed[0]) != mac {
					t.Fatalf("look %d: owed %v, want %s with %d failed attempts", i, owed, mark, i+1)
				}
				if s.rdb.Exists(ctx, rec).Val() != 1 {
					t.Fatalf("look %d: the alert record gone before the recount was given up", i)
				}
			}
			if c == "mended" {
				s.rdb.HSet(ctx, rec, "d", clock.Add(time.Hour).UnixMilli())
			}
			clock = clock.Add(owedRecountAge + time.Millisecond)
			err := s.redoOwedRecounts(ctx)
			if n := s.rdb.Exists(ctx, s.k.indexRecountOwed()).Val(); n != 0 {
				t.Fatalf("last look: the owed recounts still there (%v), want the mark gone and the list with it", s.rdb.ZRange(ctx, s.k.indexRecountOwed(), 0, -1).Val())
			}
			if c == "mended" {
				if err != nil {
					t.Fatalf("last look: %v, want the mended alert recounted", err)
				}
				if s.rdb.HGet(ctx, rec, "rc").Val() != "1" || s.rdb.ZScore(ctx, s.k.alertsDue(), mac).Err() != nil {
					t.Fatal("the mended alert not made due for its recount")
				}
				return
			}
			re := (*RecountsError)(nil)
			if !errors.As(err, &re) || re.GivenUp() != 1 || re.Failed() {
				t.Fatalf("last look: %v, want one recount given up, none failed", err)
			}
			if strings.Contains(err.Error(), mac) {
				t.Fatalf("the report names the entity: %v", err)
			}
			if n := s.rdb.Exists(ctx, rec).Val(); n != 0 {
				t.Fatalf("the alert record that could not be recounted is still kept (%s)", s.rdb.Type(ctx, rec).Val())
			}
		})
	}
}

// An owed recount's last attempt made while Redis refuses writes for
// memory (maxmemory reached) does not delete a healthy alert record
// (a hash, its deadline a number, not past): the recount could be made
// but for memory, which passes. The attempt fails, the mark stays owed,
// and the next look, memory back, recounts the alert and keeps it.
// Mutation: giveUpRecount's HSET back under pcall (its refusal taken as
// "cannot be recounted") -> fails (the healthy record deleted).
func TestOwedRecountGivenUpUnderMemoryPressureKeepsAHealthyAlert(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	clock := time.Now()
	s.now = func() time.Time { return clock }
	mac := s.entityMAC("phone:525500000004")
	rec := s.k.alertPending(mac)
	s.rdb.HSet(ctx, rec, "s", "sealed", "d", clock.Add(time.Hour).UnixMilli())
	s.rdb.Expire(ctx, rec, 2*time.Hour)
	mark := owedMark(mac) + "#" + strconv.Itoa(owedMaxAttempts)
	if _, err := s.oweRecount(ctx, mark); err != nil {
		t.Fatal(err)
	}
	if err := s.rdb.ConfigSet(ctx, "maxmemory", "1").Err(); err != nil {
		t.Skipf("it fills Redis with CONFIG SET maxmemory: %v", err)
	}
	clock = clock.Add(owedRecountAge + time.Millisecond)
	err := s.redoOwedRecounts(ctx)
	if err := s.rdb.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if re := (*RecountsError)(nil); err == nil || errors.As(err, &re) && re.GivenUp() > 0 {
		t.Fatalf("look with writes refused: %v, want the recount failed, not given up", err)
	}
	if s.rdb.Exists(ctx, rec).Val() != 1 {
		t.Fatal("a healthy alert record deleted because Redis refused a write for memory")
	}
	if n := s.rdb.ZCard(ctx, s.k.indexRecountOwed()).Val(); n != 1 {
		t.Fatalf("owed recounts after the refused look: %d, want the mark still owed", n)
	}
	clock = clock.Add(owedRecountAge + time.Millisecond)
	if err := s.redoOwedRecounts(ctx); err != nil {
		t.Fatalf("look with memory back: %v, want the alert recounted", err)
	}
	if s.rdb.HGet(ctx, rec, "rc").Val() != "1" || s.rdb.ZScore(ctx, s.k.alertsDue(), mac).Err() != nil {
		t.Fatal("the healthy alert not made due for its recount once memory was back")
	}
	if n := s.rdb.Exists(ctx, s.k.indexRecountOwed()).Val(); n != 0 {
		t.Fatal("the mark still owed after its recount was made")
	}
}
