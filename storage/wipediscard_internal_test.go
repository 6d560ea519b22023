package storage

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A discard a wipe owes is kept sealed (the wipe's time is nowhere in
// clear; the field is the pseudonym), read back by any store over the
// same Redis, and taken out once done, unless a later wipe owes it
// again; one sealed under a secret no longer known is owed as of now,
// and done by any discard. Mutation: DiscardDone not comparing the
// times → TestDiscardOwedKeptSealedAndTakenOutOnceDone fails (the later
// wipe's record goes with the earlier wipe's discard).
func TestDiscardOwedKeptSealedAndTakenOutOnceDone(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	now := time.UnixMilli(1_796_000_000_000)
	s.now = func() time.Time { return now }
	wiped := now.Add(-time.Minute)
	if err := s.OweDiscard(ctx, "p1", wiped); err != nil {
		t.Fatal(err)
	}
	for f, v := range rdb.HGetAll(ctx, s.k.wipeDiscards()).Val() {
		if f != "p1" || strings.Contains(v, strconv.FormatInt(wiped.UnixMilli(), 10)) {
			t.Fatalf("kept as %q=%q", f, v)
		}
	}
	if owed, err := s.DiscardsOwed(ctx); err != nil || len(owed) != 1 || !owed["p1"].Equal(wiped) {
		t.Fatalf("owed: %v %v", owed, err)
	}
	later := wiped.Add(30 * time.Second)
	if err := s.OweDiscard(ctx, "p1", later); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardDone(ctx, "p1", wiped); err != nil {
		t.Fatal(err)
	}
	if owed, _ := s.DiscardsOwed(ctx); !owed["p1"].Equal(later) {
		t.Fatalf("the earlier wipe's discard took out the later one's: %v", owed)
	}
	if err := s.DiscardDone(ctx, "p1", later); err != nil {
		t.Fatal(err)
	}
	if owed, err := s.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("done, still owed: %v %v", owed, err)
	}
	if err := s.DiscardDone(ctx, "p1", later); err != nil {
		t.Fatalf("done again: %v", err)
	}

	// Under another secret: owed as of now, done by any discard.
	if err := s.OweDiscard(ctx, "p2", wiped); err != nil {
		t.Fatal(err)
	}
	kr, _ := NewKeyring(bytes.Repeat([]byte{9}, 32))
	other, err := New(rdb, kr, Options{Prefix: "w"})
	if err != nil {
		t.Fatal(err)
	}
	other.now = s.now
	if owed, err := other.DiscardsOwed(ctx); err != nil || !owed["p2"].Equal(now) {
		t.Fatalf("unreadable: %v %v, want owed as of now", owed, err)
	}
	if err := other.DiscardDone(ctx, "p2", now); err != nil {
		t.Fatal(err)
	}
	if owed, err := s.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("unreadable, done, still owed: %v %v", owed, err)
	}
}
