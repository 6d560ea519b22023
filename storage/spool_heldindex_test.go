package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// HoldsReceipt answers from an index of the held entries' receipts
// (48e6c4b), which must follow the entries on every path a spool takes,
// not only hold and release called by hand: entries appended, found
// again at a start after a crash (in the spool and in the file a replay
// that failed left), an entry set aside while the rest is replayed, and
// put back at the next start. An index a step behind would leave a
// spooled tip's receipt unknown (its reporter's /status hears of no tip;
// the code quoted in another spooled message is not cut at the replay),
// or keep a replayed one. Mutations, each failing here alone: OpenSpool,
// retryAside or Append writing held without the index; the replay
// deleting from held without the index.
func TestSpoolHoldsReceiptsOnEveryPath_rev5(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	sp, _, reopen, advance := asideSpool(t)
	holds := func(step string, want map[string]bool) {
		t.Helper()
		for code, held := range want {
			if sp.HoldsReceipt(code) != held {
				t.Errorf("%s: HoldsReceipt(%s) = %v, want %v", step, code, !held, held)
			}
		}
	}
	a := spoolAppend(t, sp, "pA", 1, "A: cobran piso")
	b := spoolAppend(t, sp, "pB", 2, "B: venden armas")
	holds("appended", map[string]bool{a: true, b: true})
	sp = reopen() // a crash: only the files are left
	holds("reopened", map[string]bool{a: true, b: true})

	// A replay that fails at A (its reporter's key of the wrong type)
	// leaves both in the file being replayed; a crash, then a start.
	if err := srv.Client().Set(ctx, "t:{pA}:st", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.ReplayCounts(ctx, st); err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("replay with A's key poisoned: %v", err)
	}
	holds("replay failed", map[string]bool{a: true, b: true})
	c := spoolAppend(t, sp, "pC", 3, "C: secuestro exprés")
	sp = reopen()
	holds("reopened mid-replay", map[string]bool{a: true, b: true, c: true})

	// A refused for good is set aside, B replayed (C, appended while a
	// replay was unfinished, waits in the spool for the next).
	for range 5 {
		if _, err := sp.ReplayCounts(ctx, st); err == nil {
			t.Fatal("replayed with A's key poisoned")
		}
		advance(time.Minute + time.Second)
	}
	if n, err := sp.ReplayCounts(ctx, st); err != nil || n != (storage.ReplayCount{Replayed: 1, SetAside: 1}) {
		t.Fatalf("A set aside: %+v %v", n, err)
	}
	holds("A set aside, B replayed", map[string]bool{a: true, b: false, c: true})
	sp = reopen() // A put back in the spool (retryAside)
	holds("reopened with A set aside", map[string]bool{a: true, b: false, c: true})

	if err := srv.Client().Del(ctx, "t:{pA}:st").Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := sp.ReplayCounts(ctx, st); err != nil || n != (storage.ReplayCount{Replayed: 2}) {
		t.Fatalf("A and C replayed: %+v %v", n, err)
	}
	holds("all replayed", map[string]bool{a: false, b: false, c: false})
}
