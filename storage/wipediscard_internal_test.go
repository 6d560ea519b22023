package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	if err := s.OweDiscard(ctx, "p1", OwedDiscard{Wiped: wiped}); err != nil {
		t.Fatal(err)
	}
	for f, v := range rdb.HGetAll(ctx, s.k.wipeDiscards()).Val() {
		if f != "p1" || strings.Contains(v, strconv.FormatInt(wiped.UnixMilli(), 10)) {
			t.Fatalf("kept as %q=%q", f, v)
		}
	}
	if owed, err := s.DiscardsOwed(ctx); err != nil || len(owed) != 1 || owed["p1"] != (OwedDiscard{Wiped: wiped}) {
		t.Fatalf("owed: %v %v", owed, err)
	}
	later := wiped.Add(30 * time.Second)
	if err := s.OweDiscard(ctx, "p1", OwedDiscard{Wiped: later}); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardDone(ctx, "p1", wiped); err != nil {
		t.Fatal(err)
	}
	if owed, _ := s.DiscardsOwed(ctx); owed["p1"] != (OwedDiscard{Wiped: later}) {
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
	if err := s.OweDiscard(ctx, "p2", OwedDiscard{Wiped: wiped}); err != nil {
		t.Fatal(err)
	}
	kr, _ := NewKeyring(bytes.Repeat([]byte{9}, 32))
	other, err := New(rdb, kr, Options{Prefix: "w"})
	if err != nil {
		t.Fatal(err)
	}
	other.now = s.now
	if owed, err := other.DiscardsOwed(ctx); err != nil || owed["p2"] != (OwedDiscard{Wiped: now}) {
		t.Fatalf("unreadable: %v %v, want owed as of now", owed, err)
	}
	if err := other.DiscardDone(ctx, "p2", now); err != nil {
		t.Fatal(err)
	}
	if owed, err := s.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("unreadable, done, still owed: %v %v", owed, err)
	}
}

// A discard owed by a wipe now keeps the event it wiped up to, sealed
// with its time (neither in clear); one recorded before the event was
// kept (its time alone, sealed) reads as owed up to no event, at its
// own time. Mutations: OweDiscard not sealing UpTo → the event is lost;
// owedBy requiring the event → the old record reads as owed as of now.
func TestDiscardOwedKeepsTheWipesEventAndReadsOldRecords(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	now := time.UnixMilli(1_796_000_000_000)
	s.now = func() time.Time { return now }
	wiped := now.Add(-time.Minute)
	if err := s.OweDiscard(ctx, "p1", OwedDiscard{Wiped: wiped, UpTo: 7_311_042}); err != nil {
		t.Fatal(err)
	}
	if v := rdb.HGet(ctx, s.k.wipeDiscards(), "p1").Val(); strings.Contains(v, "7311042") {
		t.Fatalf("the wipe's event in clear: %q", v)
	}
	old, err := s.kr.seal([]byte(strconv.FormatInt(wiped.UnixMilli(), 10)), "wipediscard:p0")
	if err != nil {
		t.Fatal(err)
	}
	rdb.HSet(ctx, s.k.wipeDiscards(), "p0", old)
	owed, err := s.DiscardsOwed(ctx)
	if err != nil || len(owed) != 2 {
		t.Fatalf("owed: %v %v", owed, err)
	}
	if owed["p1"] != (OwedDiscard{Wiped: wiped, UpTo: 7_311_042}) {
		t.Fatalf("owed now: %+v", owed["p1"])
	}
	if owed["p0"] != (OwedDiscard{Wiped: wiped}) {
		t.Fatalf("owed before the event was kept: %+v, want up to no event, at %v", owed["p0"], wiped)
	}
	if err := s.DiscardDone(ctx, "p0", wiped); err != nil {
		t.Fatal(err)
	}
	if owed, err := s.DiscardsOwed(ctx); err != nil || len(owed) != 1 {
		t.Fatalf("the old record, done, still owed: %v %v", owed, err)
	}
}

// A spool file of discards owed written before the wipe's event was kept
// (the pseudonym and the time alone) reads as owed up to no event, at its
// own time: it pins the file's format. Mutation: spooledDiscard's time
// under another JSON name → not read back.
func TestSpooledDiscardsOfTheEarlierFormatRead(t *testing.T) {
	dir := t.TempDir()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	sealed, err := kr.seal([]byte(`[{"p":"pseudonym-of-reporter-A","w":1796000000123}]`), "spool discards")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tips.spool.discards"), sealed, 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	want := OwedDiscard{Wiped: time.UnixMilli(1_796_000_000_123)}
	if got := sp.DiscardsOwed(); len(got) != 1 || got["pseudonym-of-reporter-A"] != want {
		t.Fatalf("read back: %+v, want %+v", got, want)
	}
}
