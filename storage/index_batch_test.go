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

// batchSubmit stores a one-message tip of user, leaving it to the indexer.
func batchSubmit(t *testing.T, s *Store, user string, ev int64, text string) string {
	t.Helper()
	ctx := context.Background()
	p := s.Pseudonym("telegram", user)
	d, err := s.AddToDraft(ctx, p, DraftPart{EventID: ev, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	return sub.TipID
}

// indexUntilDone runs the indexer until no tip waits and returns the
// alerts it raised.
func indexUntilDone(t *testing.T, s *Store) []Signal {
	t.Helper()
	var alerts []Signal
	for {
		n, err := s.IndexTips(context.Background(), 50, time.Millisecond, func(a Signal) error { alerts = append(alerts, a); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return alerts
		}
	}
}

// Tips indexed in one batch (a few round trips for all of them) count as
// if indexed one after the other: of four reporters naming a number in one
// batch, the third raises the only alert, with three reporters, and the
// signal counts all four.
func TestOneBatchCountsTipsInOrder(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	texts := []string{"me cobran del 55 7777 1234", "llaman del +52 55 7777 1234", "extorsión del 5577771234", "también del 55-7777-1234"}
	var ids []string
	for i, text := range texts {
		ids = append(ids, batchSubmit(t, s, "50"+string(rune('0'+i)), int64(10*(i+1)), text))
	}
	var alerts []Signal
	var raisedBy []string // the tip each alert's mark names while it is handed over
	n, err := s.IndexTips(ctx, 10, time.Millisecond, func(a Signal) error {
		alerts = append(alerts, a)
		raisedBy = append(raisedBy, s.rdb.Get(ctx, s.k.indexAlert(a.mac)).Val())
		return nil
	})
	if err != nil || n != 4 {
		t.Fatalf("one batch: %d tips, %v", n, err)
	}
	if len(alerts) != 1 || alerts[0].Reporters != 3 || alerts[0].Entity.Value != "+525577771234" {
		t.Fatalf("alerts %+v, want one, at the third reporter", alerts)
	}
	if raisedBy[0] != ids[2] {
		t.Fatalf("alert raised by tip %s, want the third, %s (tips %v)", raisedBy[0], ids[2], ids)
	}
	if owner := s.rdb.Get(ctx, s.k.indexAlert(alerts[0].mac)).Val(); owner != sentMark(alerts[0].alert) {
		t.Fatalf("alert mark %q, want it handed over", owner)
	}
	sigs, err := s.Signals(ctx, 7*24*time.Hour, 10)
	if err != nil || len(sigs) != 1 || sigs[0].Reporters != 4 || sigs[0].Tips != 4 {
		t.Fatalf("signals %+v %v", sigs, err)
	}
	found, err := s.EntityTips(ctx, tips.Extract("5577771234", "MX")[0], time.Now().Add(-time.Hour), 10)
	if err != nil || len(found) != 4 {
		t.Fatalf("entity tips %d %v, want %v", len(found), err, ids)
	}
}

// A tip whose indexing fails in Redis fails alone: the others of its batch
// are indexed, acknowledged and searchable, and it stays pending, to be
// indexed again once its cause is gone.
func TestOneTipFailingDoesNotFailItsBatch(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("it needs the pending entries' idle times of a real redis-server")
	}
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(srv.Client(), kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil || s.Init(ctx) != nil {
		t.Fatal(err)
	}
	good1 := batchSubmit(t, s, "601", 10, "cobran piso en el mercado de la colonia centro")
	bad := batchSubmit(t, s, "602", 20, "los halcones vigilan la entrada, llaman del 55 3333 2222")
	good2 := batchSubmit(t, s, "603", 30, "venden armas en la bodega de la calle Juárez")
	// The bad tip's entity key holds the wrong type: its ZADD fails.
	ek := s.k.indexEntity(s.entityMAC(tips.Extract("55 3333 2222", "MX")[0].Key()))
	s.rdb.Set(ctx, ek, "not a sorted set", time.Hour)
	n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") || n != 2 {
		t.Fatalf("indexed %d, %v; want the two others and the bad tip's error", n, err)
	}
	for _, q := range []struct{ word, id string }{{"mercado", good1}, {"armas", good2}} {
		res, _, err := s.Search(ctx, q.word, time.Now().Add(-time.Hour), "", 10)
		if err != nil || len(res) != 1 || res[0].ID != q.id {
			t.Fatalf("search %q: %v %v, want tip %s", q.word, res, err, q.id)
		}
	}
	if backlog, _ := s.IndexBacklog(ctx); backlog != 1 {
		t.Fatalf("backlog %d, want the failed tip pending", backlog)
	}
	// Once the key is fixed and the entry stale, it is indexed.
	s.rdb.Del(ctx, ek)
	pend, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.k.triage(), Group: IndexGroup, Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pend) != 1 {
		t.Fatalf("pending %v %v, want the failed tip", pend, err)
	}
	if err := s.rdb.Do(ctx, "XCLAIM", s.k.triage(), IndexGroup, pend[0].Consumer, 0, pend[0].ID, "IDLE", (2 * time.Minute).Milliseconds(), "JUSTID").Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err != nil || n != 1 {
		t.Fatalf("again: %d %v", n, err)
	}
	res, _, err := s.Search(ctx, "halcones", time.Now().Add(-time.Hour), "", 10)
	if err != nil || len(res) != 1 || res[0].ID != bad {
		t.Fatalf("search after the fix: %v %v", res, err)
	}
}

// Of a tip's near-duplicate candidates only candidateSketches have their
// sketch read: those filed under most of its bands (the most alike), the
// newest first among equals, never the tip itself.
func TestBestCandidatesShareMostBands(t *testing.T) {
	bucket := func(lists ...string) *redis.Cmd {
		v := make([]any, len(lists))
		for i, l := range lists {
			v[i] = l
		}
		return redis.NewCmdResult(v, nil)
	}
	// Tip 7 shares three bands with 100, two with 9 and with the newer 300
	// (last week's buckets), one with each of 20 others (200…219).
	var many []string
	for i := 200; i < 220; i++ {
		many = append(many, strconv.Itoa(i))
	}
	thisWeek := bucket("100,9,"+strings.Join(many[:10], ","), "100,9,7", "100,"+strings.Join(many[10:], ","), "")
	lastWeek := bucket("300", "", "300", "")
	got := bestCandidates("7", []*redis.Cmd{thisWeek, lastWeek})
	want := []string{"100", "300", "9", "219", "218", "217", "216", "215", "214", "213", "212", "211"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("candidates %v, want %v", got, want)
	}
	if got := bestCandidates("7", []*redis.Cmd{bucket("", "7"), bucket("", "")}); len(got) != 0 {
		t.Fatalf("candidates %v, want none", got)
	}
}

// A tip purged after the indexer read it with its batch, before the
// batch's writes, counts for none of the tips indexed after it: a later
// genuine third reporter raises the alert the purged tip would have
// raised, a later tip does not make an alert with the purged tip's
// reporter counted, and no tip is linked to it as a near duplicate.
func TestTipPurgedMidBatchCountsForNoLaterTip(t *testing.T) {
	ctx := context.Background()
	s, hook, _ := midBatchStores(t)
	var alerts []Signal
	indexAll := func() {
		t.Helper()
		alerts = append(alerts, indexUntilDone(t, s)...)
	}
	text := "cobran piso cada viernes a los comerciantes del mercado de abastos, llaman del "

	// Two genuine reporters, then, in one batch, a fake would-be third
	// (purged) and a genuine third.
	batchSubmit(t, s, "701", 10, "me extorsionan, llaman del 55 4444 5555")
	batchSubmit(t, s, "702", 20, "otra vez el 5544445555 cobrando")
	indexAll()
	fake := batchSubmit(t, s, "703", 30, text+"55 4444 5555")
	real := batchSubmit(t, s, "704", 40, text+"5544445555")
	hook.victim = fake
	indexAll()
	if !hook.done {
		t.Fatal("the fake tip was not purged mid-batch")
	}
	if len(alerts) != 1 || alerts[0].Reporters != 3 || alerts[0].Entity.Value != "+525544445555" {
		t.Fatalf("alerts %+v, want one from the genuine third reporter", alerts)
	}
	if nd := s.rdb.HGet(ctx, s.k.tip(real), "nd").Val(); strings.Contains(","+nd+",", ","+fake+",") {
		t.Fatalf("tip %s linked to the purged tip %s (nd %q)", real, fake, nd)
	}

	// One genuine reporter, then a fake and a genuine second in one batch:
	// two genuine reporters make no alert.
	alerts, hook.done = nil, false
	batchSubmit(t, s, "711", 50, "me extorsionan, llaman del 55 6666 7777")
	indexAll()
	fake = batchSubmit(t, s, "712", 60, "cobran piso, llaman del 55 6666 7777")
	batchSubmit(t, s, "713", 70, "cobran piso, llaman del 5566667777")
	hook.victim = fake
	indexAll()
	if !hook.done || len(alerts) != 0 {
		t.Fatalf("alerts %+v with two genuine reporters (purged mid-batch: %v)", alerts, hook.done)
	}
}

// addBands answers what each bucket held under each band before, files
// the tip there once (filing it again changes nothing), and keeps each
// band's last eight tips.
func TestAddBandsKeepsTheLastEightOnce(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	keys := []string{"w:ix:lsh:{x}:001", "w:ix:lsh:{x}:002"}
	add := func(id string) []string {
		t.Helper()
		got, err := addBands.Run(ctx, s.rdb, keys, id, 60000, "b1", "b2").StringSlice()
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := add("1"); strings.Join(got, "|") != "|" {
		t.Fatalf("first tip found %q", got)
	}
	if got := add("2"); strings.Join(got, "|") != "1|1" {
		t.Fatalf("second tip found %q", got)
	}
	if got := add("2"); strings.Join(got, "|") != "1,2|1,2" {
		t.Fatalf("filed again: found %q", got)
	}
	if v := s.rdb.HGet(ctx, keys[0], "b1").Val(); v != "1,2" {
		t.Fatalf("filed again: bucket holds %q", v)
	}
	for i := 3; i <= 12; i++ {
		add(strconv.Itoa(i))
	}
	if v := s.rdb.HGet(ctx, keys[1], "b2").Val(); v != "5,6,7,8,9,10,11,12" {
		t.Fatalf("bucket holds %q, want the last eight", v)
	}
	if got := add("12"); got[0] != "5,6,7,8,9,10,11,12" || s.rdb.HGet(ctx, keys[0], "b1").Val() != got[0] {
		t.Fatalf("the last tip filed again: %q", got)
	}
	// A tip id that is part of another's ("1" in "12") is not taken for it.
	keys = []string{"w:ix:lsh:{x}:003", "w:ix:lsh:{x}:004"}
	add("12")
	if got := add("1"); got[0] != "12" || s.rdb.HGet(ctx, keys[0], "b1").Val() != "12,1" {
		t.Fatalf("tip 1 after 12: found %q, bucket %q", got, s.rdb.HGet(ctx, keys[0], "b1").Val())
	}
}

// /signals counts the categories of a signal's tips from the tips
// themselves: one gone (expired) is not counted.
func TestSignalsCountTheCategoriesOfTheTips(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	submit := func(user string, ev int64, text string, c tips.Category) string {
		t.Helper()
		p := s.Pseudonym("telegram", user)
		d, err := s.AddToDraft(ctx, p, DraftPart{EventID: ev, Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetDraftCategory(ctx, p, d.ID, c); err != nil {
			t.Fatal(err)
		}
		sub, err := s.SubmitDraft(ctx, p, d.ID, "es")
		if err != nil {
			t.Fatal(err)
		}
		return sub.TipID
	}
	submit("801", 10, "cobran piso, llaman del 55 2222 3333", tips.Extortion)
	submit("802", 20, "venden droga, el 5522223333 reparte", tips.Drugs)
	submit("803", 30, "otra vez cobran cuota desde el 55-2222-3333", tips.Extortion)
	gone := submit("804", 40, "armas en la bodega, llaman del 5522223333", tips.Weapons)
	if _, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err != nil {
		t.Fatal(err)
	}
	s.rdb.Del(ctx, s.k.tip(gone))
	sigs, err := s.Signals(ctx, 7*24*time.Hour, 10)
	if err != nil || len(sigs) != 1 {
		t.Fatalf("signals %+v %v", sigs, err)
	}
	want := map[tips.Category]int{tips.Extortion: 2, tips.Drugs: 1}
	if got := sigs[0].Categories; len(got) != len(want) || got[tips.Extortion] != 2 || got[tips.Drugs] != 1 {
		t.Fatalf("categories %v, want %v", got, want)
	}
}
