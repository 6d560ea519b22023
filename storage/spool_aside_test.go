package storage_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// An entry Redis refuses the same way at every try (its reporter's state
// key holds a string: WRONGTYPE) held up every entry after it for good,
// each replay stopping at it. Tried five times, over five minutes, it is
// set aside (sealed, counted, still held), the rest is replayed, and the
// next start tries it again: the key repaired, it is stored.
func TestSpoolEntryRefusedForGoodIsSetAside(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	sp, _, reopen, advance := asideSpool(t)
	a := spoolAppend(t, sp, "pA", 1, "A: cobran piso")
	b := spoolAppend(t, sp, "pB", 2, "B: venden armas")
	if err := srv.Client().Set(ctx, "t:{pA}:st", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for i := range 5 { // five tries within a minute: not yet
		c, err := sp.ReplayCounts(ctx, st)
		if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") || c.SetAside != 0 {
			t.Fatalf("try %d: %+v %v", i+1, c, err)
		}
		advance(10 * time.Second)
	}
	advance(5 * time.Minute)
	c, err := sp.ReplayCounts(ctx, st)
	if err != nil || c != (storage.ReplayCount{Replayed: 1, SetAside: 1}) {
		t.Fatalf("sixth try, five minutes on: %+v %v", c, err)
	}
	wantTips(t, st, map[string]string{b: "B: venden armas"})
	if got := sp.Count(); got != (storage.SpoolCount{SetAside: 1}) {
		t.Fatalf("spool counts %+v", got)
	}
	if !sp.HoldsReceipt(a) {
		t.Fatal("the entry set aside is no longer held: its reporter's /status would hear of no tip")
	}
	if err := srv.Client().Del(ctx, "t:{pA}:st").Err(); err != nil {
		t.Fatal(err)
	}
	sp = reopen() // a restart
	if got := sp.Count(); got != (storage.SpoolCount{Waiting: 1}) {
		t.Fatalf("after a restart: %+v", got)
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("replay after a restart: %+v %v", c, err)
	}
	wantTips(t, st, map[string]string{a: "A: cobran piso", b: "B: venden armas"})
}

// Redis unreachable is never a reason to set an entry aside, however long
// it lasts: the replay waits for it.
func TestSpoolEntryIsNotSetAsideWhileRedisIsDown(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	sp, _, _, advance := asideSpool(t)
	a := spoolAppend(t, sp, "pA", 1, "A: cobran piso")
	srv.Stop()
	for i := range 8 {
		if c, err := sp.ReplayCounts(ctx, st); err == nil || c.SetAside != 0 {
			t.Fatalf("try %d with Redis down: %+v %v", i+1, c, err)
		}
		advance(5 * time.Minute)
	}
	if got := sp.Count(); got != (storage.SpoolCount{Waiting: 1}) {
		t.Fatalf("spool counts %+v", got)
	}
	srv.Restart()
	for deadline := time.Now().Add(20 * time.Second); st.Ping(ctx) != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Redis not back")
		}
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("replay with Redis back: %+v %v", c, err)
	}
	wantTips(t, st, map[string]string{a: "A: cobran piso"})
}

// A crash in the middle of setting an entry aside (the replay file still
// holds it) leaves the start of a record at the end of
// tips.spool.rejected. That torn tail is no record: it is neither counted
// as set aside nor moved into the spool at the next start, where it would
// sit among the records as damaged bytes, quarantined and reported as a
// tip that opens under no secret.
func TestSpoolSetAsideTornTailIsNotMovedBack(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	sp, dir, reopen, advance := asideSpool(t)
	a := spoolAppend(t, sp, "pA", 1, "A: cobran piso")
	if err := srv.Client().Set(ctx, "t:{pA}:st", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := sp.ReplayCounts(ctx, st); err == nil {
			t.Fatal("replayed with the key poisoned")
		}
		advance(time.Minute + time.Second)
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{SetAside: 1}) {
		t.Fatalf("set aside: %+v %v", c, err)
	}
	rejected := filepath.Join(dir, "tips.spool.rejected")
	whole, err := os.ReadFile(rejected)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(rejected, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(whole[:len(whole)/2]); err != nil { // a second record, torn
		t.Fatal(err)
	}
	f.Close()
	if got := sp.Count(); got != (storage.SpoolCount{SetAside: 1}) {
		t.Fatalf("counts with a torn tail set aside: %+v", got)
	}
	if err := srv.Client().Del(ctx, "t:{pA}:st").Err(); err != nil {
		t.Fatal(err)
	}
	sp = reopen()                                  // a restart
	spoolAppend(t, sp, "pB", 2, "B: venden armas") // after the bytes moved back
	if got := sp.Count(); got != (storage.SpoolCount{Waiting: 2}) {
		t.Fatalf("after a restart: %+v", got)
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Replayed: 2}) {
		t.Fatalf("replay after a restart: %+v %v", c, err)
	}
	if got := sp.Count(); got != (storage.SpoolCount{}) {
		t.Fatalf("after the replay: %+v", got)
	}
	wantTips(t, st, map[string]string{a: "A: cobran piso"})
}

// A replay cut short after it set an entry aside (a later entry failing
// too) keeps the file being replayed, the entry set aside still in it:
// the next replay passes over it, not trying it for another five minutes
// nor setting it aside a second time, and goes on to the entry after.
func TestSpoolEntrySetAsideIsNotTriedAgainAfterAnInterruptedReplay(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	sp, _, _, advance := asideSpool(t)
	spoolAppend(t, sp, "pA", 1, "A: cobran piso")
	spoolAppend(t, sp, "pB", 2, "B: venden armas")
	c := spoolAppend(t, sp, "pC", 3, "C: amenazas")
	for _, k := range []string{"t:{pA}:st", "t:{pB}:st"} {
		if err := srv.Client().Set(ctx, k, "x", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	replay := func(want int) {
		t.Helper()
		got, err := sp.ReplayCounts(ctx, st)
		if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
			t.Fatalf("%+v %v, want stopped at a WRONGTYPE", got, err)
		}
		if got.SetAside != want {
			t.Fatalf("%+v, want %d set aside", got, want)
		}
	}
	for range 5 { // A, five tries within a minute
		replay(0)
		advance(10 * time.Second)
	}
	advance(5 * time.Minute)
	replay(1) // A set aside; B's first try fails: the replay stops
	for range 4 {
		advance(10 * time.Second)
		replay(1) // A passed over; B tried
	}
	advance(5 * time.Minute)
	got, err := sp.ReplayCounts(ctx, st)
	if err != nil || got != (storage.ReplayCount{Replayed: 1, SetAside: 2}) {
		t.Fatalf("B set aside in turn: %+v %v", got, err)
	}
	wantTips(t, st, map[string]string{c: "C: amenazas"})
	if got := sp.Count(); got != (storage.SpoolCount{SetAside: 2}) {
		t.Fatalf("spool counts %+v, want the two entries set aside once each", got)
	}
}

// asideSpool opens a spool in a directory of its own (dir) under a fixed
// key, the replay's clock moved by advance; reopen opens it again, as a
// restart does.
func asideSpool(t *testing.T) (sp *storage.Spool, dir string, reopen func() *storage.Spool, advance func(time.Duration)) {
	t.Helper()
	advance = storage.SpoolClock(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir = t.TempDir()
	reopen = func() *storage.Spool {
		t.Helper()
		sp, err := storage.OpenSpool(dir, kr)
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	return reopen(), dir, reopen, advance
}
