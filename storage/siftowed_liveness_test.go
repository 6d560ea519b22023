package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A full batch of owed recounts that always fail (their alert records
// are corrupted: the recount's compare errors) holds back neither the
// indexing nor the other marks: a tip sent meanwhile is searchable at the
// pass that reports the failure; it is reported once per look, not at
// every pass; the failing marks stay owed, put at the back, so that a
// mark owed after them is recounted and paid at the next look; and once
// their records are mended, they are paid too.
// Mutations: IndexTips returning before indexing when the recounts fail
// -> fails (0 tips at the first pass; before the fix, with owedNext at 0,
// at every pass: the tip never searchable); owedNext set to 0 for a full
// batch that failed -> fails (the later mark recounted within the
// minute); a failing mark left where it was, not put off -> fails (the
// later mark is never reached).
func TestOwedRecountsThatKeepFailingDoNotStopIndexing(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	clock := time.Now()
	s.now = func() time.Time { return clock }
	var bad []string
	for i := range owedBatch {
		mac := s.entityMAC(fmt.Sprintf("phone:5255%08d", i))
		s.rdb.HSet(ctx, s.k.alertPending(mac), "d", "corrupted")
		s.rdb.Expire(ctx, s.k.alertPending(mac), time.Hour)
		if _, err := s.oweRecount(ctx, owedMark(mac)); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, mac)
		clock = clock.Add(time.Millisecond)
	}
	later := owedMark(s.entityMAC("phone:525599999999"))
	if _, err := s.oweRecount(ctx, later); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(2 * owedRecountAge)
	id := batchSubmit(t, s, "931", 1, "los halcones vigilan la plaza del mercado de noche")
	n, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
	if err == nil || n != 1 {
		t.Fatalf("first pass: %d tips, %v; want the new tip indexed and the failing recounts reported", n, err)
	}
	if re := (*RecountsError)(nil); !errors.As(err, &re) {
		t.Fatalf("first pass: %v, want a RecountsError: the indexing went well", err)
	}
	res, _, err := s.Search(ctx, "halcones", time.Now().Add(-time.Hour), "", 10)
	if err != nil || len(res) != 1 || res[0].ID != id {
		t.Fatalf("search after the pass: %v %v, want the new tip: the failing recounts hold the indexing back", res, err)
	}
	for range 2 { // within the minute: no look again, nothing reported
		if _, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err != nil {
			t.Errorf("a pass within the minute after the look: %v, want the failure reported once per look", err)
		}
	}
	if n := s.rdb.ZCard(ctx, s.k.indexRecountOwed()).Val(); n != owedBatch+1 {
		t.Fatalf("%d recounts owed, want the %d failing ones still owed and the later one", n, owedBatch)
	}
	// A minute on: the later mark is reached, past the failing ones.
	clock = clock.Add(owedRecountAge + time.Millisecond)
	if _, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err == nil {
		t.Error("the failing recounts not reported")
	}
	if err := s.rdb.ZScore(ctx, s.k.indexRecountOwed(), later).Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("the later mark still owed (%v): the failing ones hold it back", err)
	}
	if n := s.rdb.ZCard(ctx, s.k.indexRecountOwed()).Val(); n != owedBatch {
		t.Fatalf("%d recounts owed, want the %d failing ones", n, owedBatch)
	}
	// Their records mended, the failing ones are done at the next look.
	for _, mac := range bad {
		s.rdb.Del(ctx, s.k.alertPending(mac))
	}
	clock = clock.Add(owedRecountAge + time.Millisecond)
	if _, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := s.rdb.ZCard(ctx, s.k.indexRecountOwed()).Val(); n != 0 {
		t.Errorf("%d recounts still owed once their records are mended", n)
	}
}

// Owed recounts failing in a pass whose indexing fails too: the error is
// not a RecountsError, which would say the indexing went well.
// Mutation: IndexTips making the recounts' error a RecountsError whatever
// the indexing's -> fails.
func TestFailingRecountsDoNotHideAFailedIndexing(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	mac := s.entityMAC("phone:525500000001")
	s.rdb.HSet(ctx, s.k.alertPending(mac), "d", "corrupted")
	s.rdb.Expire(ctx, s.k.alertPending(mac), time.Hour)
	s.rdb.ZAdd(ctx, s.k.indexRecountOwed(), redis.Z{Score: 0, Member: mac})
	batchSubmit(t, s, "941", 1, "venden cristal en la bodega")
	// The posting of "bodega" holds the wrong type: the tip's indexing fails.
	pk := s.k.indexToken(s.tokenMAC("bodega"), indexDay(now))
	s.rdb.SAdd(ctx, pk, "not a string")
	s.rdb.Expire(ctx, pk, time.Hour)
	n, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
	if re := (*RecountsError)(nil); n != 0 || err == nil || errors.As(err, &re) || !strings.Contains(err.Error(), "WRONGTYPE") || !strings.Contains(err.Error(), "owed recounts") {
		t.Fatalf("indexed %d, %v (%T); want both failures reported, not as the recounts' alone", n, err, err)
	}
}

// Owed recounts given up in a pass whose indexing fails: the error is
// not a RecountsError either (the indexer would take the pass as indexed
// and log the given-up count alone, the indexing's failure not at all);
// both are in it, the given up as a count.
// Mutation: IndexTips joining the given-up recounts' RecountsError as it
// is -> fails.
func TestGivenUpRecountsDoNotHideAFailedIndexing(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	mac := s.entityMAC("phone:525500000002")
	s.rdb.HSet(ctx, s.k.alertPending(mac), "d", "corrupted")
	s.rdb.Expire(ctx, s.k.alertPending(mac), time.Hour)
	s.rdb.ZAdd(ctx, s.k.indexRecountOwed(), redis.Z{Score: 0, Member: mac + ":TOKEN#" + strconv.Itoa(owedMaxAttempts)})
	batchSubmit(t, s, "942", 1, "venden cristal en la bodega")
	// The posting of "bodega" holds the wrong type: the tip's indexing fails.
	pk := s.k.indexToken(s.tokenMAC("bodega"), indexDay(now))
	s.rdb.SAdd(ctx, pk, "not a string")
	s.rdb.Expire(ctx, pk, time.Hour)
	n, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
	if re := (*RecountsError)(nil); n != 0 || err == nil || errors.As(err, &re) || !strings.Contains(err.Error(), "WRONGTYPE") || !strings.Contains(err.Error(), "1 given up") {
		t.Fatalf("indexed %d, %v (%T); want both reported, not as the recounts' alone", n, err, err)
	}
	if strings.Contains(err.Error(), mac) {
		t.Fatalf("the error names the entity: %v", err)
	}
	if s.rdb.Exists(ctx, s.k.alertPending(mac)).Val() != 0 {
		t.Fatal("the recount was not given up")
	}
}

// An owed recount that fails, put at the back (its score moved to the
// look), keeps the expiry its writer gave the owed recounts: the
// retention from its write, neither lengthened by the put-off nor taken
// away.
// Mutation: recountPutOffScript also giving the list the retention
// (PEXPIRE, as oweRecount) -> fails (expiry moved past its writer's).
func TestOwedRecountPutOffKeepsItsWritersExpiry(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	clock := time.Now()
	s.now = func() time.Time { return clock }
	mac := s.entityMAC("phone:525500000002")
	s.rdb.HSet(ctx, s.k.alertPending(mac), "d", "corrupted")
	s.rdb.Expire(ctx, s.k.alertPending(mac), time.Hour)
	mark := owedMark(mac)
	at, err := s.oweRecount(ctx, mark)
	if err != nil {
		t.Fatal(err)
	}
	written := s.rdb.PExpireTime(ctx, s.k.indexRecountOwed()).Val()
	if written <= 0 {
		t.Fatalf("owed recounts written without expiry (%v)", written)
	}
	for i := range 3 {
		clock = clock.Add(2 * owedRecountAge)
		if err := s.redoOwedRecounts(ctx); err == nil {
			t.Fatalf("look %d: the failing recount not reported", i)
		}
		owed := s.rdb.ZRangeWithScores(ctx, s.k.indexRecountOwed(), 0, -1).Val()
		if len(owed) != 1 || int64(owed[0].Score) == at {
			t.Fatalf("look %d: owed %v, want the mark still owed, put off from %d", i, owed, at)
		}
		if base, n := owedAttempts(owed[0].Member.(string)); base != mark || n != i+1 {
			t.Fatalf("look %d: mark %v, want %s with %d failed attempts", i, owed[0].Member, mark, i+1)
		}
		if got := s.rdb.PExpireTime(ctx, s.k.indexRecountOwed()).Val(); got != written {
			t.Fatalf("look %d: owed recounts expire at %v, their writer's %v", i, got, written)
		}
	}
}
