package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A sift that took other entities' tips out of a cut form's set recounts
// the alert they raised, kept for the chats that took it; a kept record it
// cannot read then is dropped (checkAlert), as the indexer drops one met
// taking out a tip purged or forgotten: the tip whose indexing ran the
// sift is done all the same (acknowledged, the record counted alone in
// the pass's error), the recount the sift owed is paid and the set is not
// sifted again within the hour. Before, the record's error was the tip's
// failure: left pending, the indexer logging "indexing failed" and
// waiting, and the tip indexed again once stale.
// Mutation: sift returning checkAlerts' *UnreadableAlertsError as its
// failure (as before) -> fails (nothing acknowledged, the tip pending).
func TestSiftDropsAnUnreadableAlertRecordAndTheTipIsDone(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	c := cutFormCases[0]
	for n, u := range []string{"921", "922"} {
		id := batchSubmit(t, s, u, int64(n+1), c.oldText)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, u, c.kind, c.oldNow, c.cut)
	}
	mac := s.entityMAC(c.kind + ":" + c.cut)
	s.rdb.Set(ctx, s.k.indexSifted(mac), 1, time.Hour) // raised as before: the set not sifted
	batchSubmit(t, s, "923", 3, c.text)
	alerts := indexUntilDone(t, s)
	if len(alerts) != 1 || alerts[0].Reporters != 3 {
		t.Fatalf("alerts %+v, want the false one of 3 reporters the test starts from", alerts)
	}
	chats := []string{"telegram:-100781"}
	if err := s.KeepAlert(ctx, alerts[0], chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, alerts[0]); err != nil {
		t.Fatal(err)
	}
	s.rdb.Del(ctx, s.k.indexSifted(mac))
	rec := s.k.alertPending(mac)
	if s.rdb.Exists(ctx, rec).Val() != 1 {
		t.Fatal("no kept alert record: the test proves nothing")
	}
	afterSiftWrites = func() { afterSiftWrites = nil; s.rdb.Set(ctx, rec, "corrupted", time.Hour) }
	t.Cleanup(func() { afterSiftWrites = nil })
	batchSubmit(t, s, "923", 4, "otra vez "+c.text)
	n, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
	if afterSiftWrites != nil {
		t.Fatal("the sift did not reach its writes: the test proves nothing")
	}
	var ue *UnreadableAlertsError
	if n != 1 || !errors.As(err, &ue) || err != error(ue) || ue.Dropped != 1 {
		t.Fatalf("%d handled, %v; want the tip done and the record counted alone", n, err)
	}
	if s.rdb.Exists(ctx, rec).Val() != 0 {
		t.Fatal("the unreadable record is still kept")
	}
	if b, err := s.IndexBacklog(ctx); err != nil || b != 0 {
		t.Fatalf("backlog %d (%v): the tip not acknowledged", b, err)
	}
	if n := s.rdb.ZCard(ctx, s.k.indexRecountOwed()).Val(); n != 0 {
		t.Errorf("%d recounts still owed once the sift recounted", n)
	}
	if s.rdb.Exists(ctx, s.k.indexSifted(mac)).Val() != 1 {
		t.Error("the set is to be sifted again: its sift was done")
	}
	if n, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); n != 0 || err != nil {
		t.Fatalf("the next pass: %d, %v", n, err)
	}
}
