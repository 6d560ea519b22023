package storage

import (
	"context"
	"testing"
	"time"
)

// restarted is s's process started again: a new Store on the same Redis,
// knowing nothing it learned.
func restarted(t *testing.T, s *Store) *Store {
	t.Helper()
	r, err := New(s.rdb, s.kr, Options{Prefix: s.k.prefix, Retention: s.retention})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// siftCutOffByACrash makes a cut form raise a false alert with another
// entity's reporters, taken by chats; then a sift takes them out of its
// set and its process stops (a crash) before the recount it owes. It
// returns the store and the chats.
func siftCutOffByACrash(t *testing.T) (*Store, []string) {
	t.Helper()
	ctx := context.Background()
	s := internalStore(t)
	c := cutFormCases[0]
	for n, u := range []string{"911", "912"} {
		id := batchSubmit(t, s, u, int64(n+1), c.oldText)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, u, c.kind, c.oldNow, c.cut)
	}
	mac := s.entityMAC(c.kind + ":" + c.cut)
	s.rdb.Set(ctx, s.k.indexSifted(mac), 1, time.Hour) // raised as before: the set not sifted
	batchSubmit(t, s, "913", 3, c.text)
	alerts := indexUntilDone(t, s)
	if len(alerts) != 1 || alerts[0].Reporters != 3 {
		t.Fatalf("alerts %+v, want the false one of 3 reporters the test starts from", alerts)
	}
	chats := []string{"telegram:-100779"}
	if err := s.KeepAlert(ctx, alerts[0], chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, alerts[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.alertHanded(ctx, alerts[0], chats[0]); err != nil {
		t.Fatal(err)
	}
	s.rdb.Del(ctx, s.k.indexSifted(mac))
	afterSiftWrites = func() { afterSiftWrites = nil; panic("the process stops here") }
	t.Cleanup(func() { afterSiftWrites = nil })
	batchSubmit(t, s, "913", 4, "otra vez "+c.text)
	_, _ = s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
	if afterSiftWrites != nil {
		t.Fatal("the sift did not reach its writes: the test proves nothing")
	}
	if n := s.rdb.ZCount(ctx, s.k.indexEntity(mac), "-inf", "(0").Val(); n != 1 {
		t.Fatalf("the cut form counts %d reporters after the sift's writes, want 1", n)
	}
	if ttl := s.rdb.PTTL(ctx, s.k.indexRecountOwed()).Val(); ttl <= 0 {
		t.Errorf("the recounts owed never expire (%v)", ttl)
	}
	if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
		t.Fatalf("due %+v %v before the restart, want none: the recount was not lost, the test proves nothing", due, err)
	}
	return s, chats
}

// The process stops (a crash) between a sift's writes, which took other
// entities' reporters out of a cut form's set, and the recount of the
// alert those reporters raised and that was sent: the indexer of the
// restarted process does the recount, and the alert is withdrawn from
// the chat that took it.
// Mutation: sift not marking the recount owed (oweRecount skipped) ->
// fails (no alert due: the false alert stands).
func TestSiftRecountLostToACrashIsDoneAfterTheRestart(t *testing.T) {
	ctx := context.Background()
	s, chats := siftCutOffByACrash(t)
	r := restarted(t, s)
	later := time.Now().Add(2 * owedRecountAge)
	r.now = func() time.Time { return later }
	if _, err := r.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err != nil {
		t.Fatal(err)
	}
	due, err := r.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 1 {
		t.Fatalf("due %+v %v after the restart, want the alert withdrawn from its chat", due, err)
	}
	if n := r.rdb.ZCard(ctx, r.k.indexRecountOwed()).Val(); n != 0 {
		t.Errorf("%d recounts still owed once done", n)
	}
}

// Two indexers restarted after the crash both find the recount owed, at
// once: the alert is withdrawn once, and its chat told once; neither
// owes it any more, and a later look finds nothing to do.
// Mutation: redoOwedRecounts not paying the marks it recounted -> fails
// (1 recount still owed); claimAlert not putting a claimed alert off
// (its ZADD at now) -> fails (two withdrawals, the chat told twice).
func TestSiftRecountOwedDoneByTwoIndexersAtOnceIsToldOnce(t *testing.T) {
	ctx := context.Background()
	s, chats := siftCutOffByACrash(t)
	later := time.Now().Add(2 * owedRecountAge)
	var rs [2]*Store
	for i := range rs {
		rs[i] = restarted(t, s)
		rs[i].now = func() time.Time { return later }
	}
	errs := make(chan error, len(rs))
	for _, r := range rs {
		go func() {
			_, err := r.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
			errs <- err
		}()
	}
	for range rs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	dues := make(chan []PendingAlert, len(rs))
	for _, r := range rs {
		go func() {
			due, err := r.DueAlerts(ctx, chats, 10)
			if err != nil {
				t.Error(err)
			}
			dues <- due
		}()
	}
	var withdrawn []PendingAlert
	for range rs {
		for _, a := range <-dues {
			if a.Withdrawn {
				withdrawn = append(withdrawn, a)
			}
		}
	}
	if len(withdrawn) != 1 || len(withdrawn[0].Took) != 1 {
		t.Fatalf("withdrawals %+v, want one, to tell its chat", withdrawn)
	}
	a := withdrawn[0]
	ok, lease, err := rs[0].AlertRetracting(ctx, a.Signal, a.Took[0])
	if err != nil || !ok {
		t.Fatalf("retracting: %v %v", ok, err)
	}
	if err := rs[0].AlertRetracted(ctx, a.Signal, a.Took[0], lease); err != nil {
		t.Fatal(err)
	}
	if err := rs[0].AlertWithdrawn(ctx, a.Signal); err != nil {
		t.Fatal(err)
	}
	if n := s.rdb.ZCard(ctx, s.k.indexRecountOwed()).Val(); n != 0 {
		t.Errorf("%d recounts still owed once done", n)
	}
	// A look a minute on, by either, and the next attempt's time: nothing.
	evenLater := later.Add(owedRecountAge + alertRetryMax)
	for _, r := range rs {
		r.now = func() time.Time { return evenLater }
		if _, err := r.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if due, err := r.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
			t.Errorf("due %+v %v once told, want none: told twice", due, err)
		}
	}
}
