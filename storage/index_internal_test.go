package storage

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// internalStore is a store on a fresh Redis under prefix "w", with a
// retention of 90 days.
func internalStore(t *testing.T) *Store {
	t.Helper()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(redistest.Start(t).Client(), kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// A tip purged between the indexer reading it and writing its sketch
// leaves no hash behind (it is taken out again; failing that, the hash its
// sketch made expires); a stored tip's own expiry is left as it was.
func TestSketchOfAPurgedTipDoesNotStay(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	rdb := s.rdb
	text := "cobran piso a los comerciantes del mercado cada viernes por la tarde"
	if _, err := s.index(ctx, "7", "p", time.Now(), text, false); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, s.k.tip("7")).Val(); ttl != -2*time.Nanosecond {
		t.Fatalf("the purged tip's sketch stays (TTL %v): %v", ttl, rdb.HGetAll(ctx, s.k.tip("7")).Val())
	}
	rdb.HSet(ctx, s.k.tip("8"), "k", "wrapped", "s", "new")
	rdb.Expire(ctx, s.k.tip("8"), time.Hour)
	if _, err := s.index(ctx, "8", "p", time.Now(), text, false); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, s.k.tip("8")).Val(); ttl > time.Hour || ttl <= 0 {
		t.Fatalf("a stored tip's expiry changed: %v", ttl)
	}
}

// A tip purged while the indexer holds it (read with its batch, indexed
// seconds later) is taken out again once its entries are written, as
// Purge takes a tip out: its reporter does not count for the entity, it
// raises no alert and holds no alert mark, and no posting, band or hash
// names it. The next third reporter raises the alert.
func TestTipPurgedWhileIndexedDoesNotCount(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	submit := func(user string, ev int64, text string) string {
		t.Helper()
		return batchSubmit(t, s, user, ev, text)
	}
	var alerts []Signal
	indexAll := func() {
		t.Helper()
		alerts = append(alerts, indexUntilDone(t, s)...)
	}
	submit("431", 10, "cobran piso, llaman del 55 4444 5555")
	submit("432", 20, "me extorsionan del 5544445555")
	indexAll()
	text := "cuota semanal en el mercado de abastos, del +52 55 4444 5555"
	fake := submit("433", 30, text)
	fields := s.rdb.HGetAll(ctx, s.k.tip(fake)).Val() // read with its batch
	if err := s.Purge(ctx, fake); err != nil {
		t.Fatal(err)
	}
	if err := s.indexStored(ctx, fake, fields, false, func(a Signal) error { alerts = append(alerts, a); return nil }); err != nil {
		t.Fatal(err)
	}
	indexAll() // its stream entry went with the purge: nothing to do
	if len(alerts) != 0 {
		t.Fatalf("the purged tip raised %+v", alerts)
	}
	mac := s.entityMAC(tips.Extract("55 4444 5555", "MX")[0].Key())
	ek := s.k.indexEntity(mac)
	if reps := s.rdb.ZCount(ctx, ek, "-inf", reportersSince(time.Now().Add(-24*time.Hour))).Val(); reps != 2 {
		t.Errorf("%d reporters count for the entity after the purge, want 2: %v", reps, s.rdb.ZRange(ctx, ek, 0, -1).Val())
	}
	if s.rdb.ZScore(ctx, ek, fake).Err() == nil {
		t.Errorf("the entity still lists the purged tip")
	}
	if n := s.rdb.Exists(ctx, s.k.indexAlert(mac), s.k.tip(fake)).Val(); n != 0 {
		t.Errorf("the alert mark or the tip's hash remains (%d keys)", n)
	}
	num, _ := postingNum(fake)
	created := time.UnixMilli(mustInt(t, fields["t"]))
	postings, bands := 0, 0
	for _, w := range tips.IndexTokens(text) {
		v := s.rdb.Get(ctx, s.k.indexToken(s.tokenMAC(w), indexDay(created))).Val()
		for i := 0; i+4 <= len(v); i += 4 {
			if v[i:i+4] == string(num) {
				postings++
			}
		}
	}
	sk, _ := tips.NewSketch(text, s.kr.keys().Index)
	for i, k := range s.bandKeys(created, sk.Bands()) {
		if s.rdb.HGet(ctx, k, sk.Bands()[i]).Val() != "" {
			bands++
		}
	}
	if postings+bands != 0 {
		t.Errorf("%d postings and %d bands still list the purged tip", postings, bands)
	}
	submit("434", 40, "del 55 4444 5555 otra vez")
	indexAll()
	if len(alerts) != 1 || alerts[0].Reporters != 3 {
		t.Fatalf("the next third reporter raised %+v", alerts)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A tip of last week indexed late (taken over from an indexer that died
// on it) after a tip like it of this week finds it as a near duplicate:
// it reads this week's buckets too, where the other was filed; each is
// linked to the other.
// Mutation: only the tip's own week's and last week's buckets read (as
// before) -> fails (neither linked).
func TestTipOfLastWeekIndexedLateFindsThisWeeksNearDuplicate(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	text := "Los halcones de la plaza cobran cuota a todos los tenderos de la calle Morelos cada viernes en la noche"
	now := time.Now()
	clock := bandWeekStart(now).Add(-12 * time.Hour) // last week's
	s.now = func() time.Time { return clock }
	a := batchSubmit(t, s, "951", 10, text)
	// An indexer takes it and dies.
	if err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: IndexGroup, Consumer: indexConsumer, Streams: []string{s.k.triage(), ">"}, Count: 1, Block: -1}).Err(); err != nil {
		t.Fatal(err)
	}
	clock = now
	b := batchSubmit(t, s, "952", 20, strings.ToLower(text)+" otra vez")
	if n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err != nil || n != 1 {
		t.Fatalf("indexed %d, %v; want this week's tip", n, err)
	}
	old := indexStale
	indexStale = 0
	t.Cleanup(func() { indexStale = old })
	if n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err != nil || n != 1 {
		t.Fatalf("indexed %d, %v; want last week's tip, taken over", n, err)
	}
	ta, err := s.Tip(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := s.Tip(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if ta.NearDuplicate != b || tb.NearDuplicate != a {
		t.Fatalf("last week's tip linked to %q, this week's to %q; want each to the other", ta.NearDuplicate, tb.NearDuplicate)
	}
}
