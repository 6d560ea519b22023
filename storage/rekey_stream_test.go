package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A long stream is re-sealed a chunk at a time, the bot writing between
// chunks: entries appended meanwhile, entries trimmed off its start and
// entries handled (deleted) meanwhile come out as the bot left them, the
// inbox keeps its consumer group and pending entries, and the old secret
// opens nothing afterwards.
func TestRekeyRebuildsLongStreamsInChunks(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("its scripts use stream commands the embedded Redis does not run from Lua")
	}
	rdb := srv.Client()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	old := rekeyStore(t, rdb, secretA)
	for i := range 60 {
		must(old.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: fmt.Sprint("old-", i)}, 0))
	}
	must(old.InitInbox(ctx, "telegram"))
	for i := range 40 {
		must(old.InboxAdd(ctx, "telegram", []byte(fmt.Sprintf(`{"update_id":%d}`, i))))
	}
	held, err := old.InboxRead(ctx, "telegram", "w1", 5, time.Millisecond, time.Hour)
	if err != nil || len(held) != 5 {
		t.Fatalf("inbox read: %d %v", len(held), err)
	}
	inbox := rdb.XRange(ctx, "t:{inbox}:telegram", "-", "+").Val()
	audit := rdb.XRange(ctx, "t:audit", "-", "+").Val()

	serving := rekeyStore(t, rdb, secretB, secretA)
	chunks, of := 0, map[string]int{}
	storage.SmallStreamRebuilds(t, 10, 7, func() {
		chunks++
		must(serving.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: "live"}, 0))
		must(serving.InboxAdd(ctx, "telegram", []byte(fmt.Sprintf(`{"update_id":%d}`, 1000+chunks))))
		copies := rdb.Keys(ctx, "*rekeying*").Val()
		if len(copies) != 1 {
			t.Fatalf("copies while rebuilding: %v", copies)
		}
		stream, _, _ := strings.Cut(copies[0], "}")
		if of[stream]++; of[stream] == 2 {
			switch stream {
			case "t:{t:audit": // retention trims the audit log's start (copied)
				must(rdb.XTrimMinID(ctx, "t:audit", audit[2].ID).Err())
			case "t:{inbox": // a worker handles an update copied already
				must(serving.InboxDone(ctx, "telegram", inbox[10].ID))
			default:
				t.Fatalf("rebuilding %s", copies[0])
			}
		}
	})
	rep, err := rekeyStore(t, rdb, secretB, secretA).Rekey(ctx, nil)
	must(err)
	// Re-sealed: the keyset, the 60 audit entries but the 2 trimmed off
	// and the 40 updates but the one handled meanwhile (all re-sealed in
	// the copy, then gone from it before it took the stream's place);
	// what the bot appended meanwhile was current.
	if rep.Unreadable != 0 || rep.Resealed != 1+58+39 || rep.Current < 2 {
		t.Fatalf("report: %+v, want %d re-sealed", rep, 1+58+39)
	}
	// 60+ audit entries and 40+ updates, 7 per chunk.
	if chunks < 15 {
		t.Fatalf("re-sealed in %d chunks: the streams were not rebuilt a chunk at a time", chunks)
	}

	st := rekeyStore(t, rdb, secretB) // the previous secret dropped
	log, err := st.AuditLog(ctx, 1000)
	must(err)
	var got []string
	for _, e := range log {
		got = append(got, e.Action)
	}
	want := []string{}
	for range chunks {
		want = append(want, "live")
	}
	for i := 59; i >= 2; i-- {
		want = append(want, fmt.Sprint("old-", i))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("audit log after the rotation:\n got %v\nwant %v", got, want)
	}
	pending, err := st.InboxPending(ctx, "telegram", "w1", "0", 100)
	if err != nil || len(pending) != 5 || pending[0].ID != held[0].ID || string(pending[4].Raw) != `{"update_id":4}` {
		t.Fatalf("w1's pending updates: %d %v", len(pending), err)
	}
	fresh, err := st.InboxRead(ctx, "telegram", "w2", 1000, time.Millisecond, time.Hour)
	must(err)
	if len(fresh) != 35-1+chunks {
		t.Fatalf("%d updates to read after the rotation, want %d", len(fresh), 35-1+chunks)
	}
	for _, e := range fresh {
		if e.ID == inbox[10].ID {
			t.Fatal("an update handled during the rotation came back")
		}
	}
	if string(fresh[len(fresh)-1].Raw) != fmt.Sprintf(`{"update_id":%d}`, 1000+chunks) {
		t.Fatalf("last update: %s", fresh[len(fresh)-1].Raw)
	}
	if left := sealedUnder(dumpValues(t, rdb), secretA); len(left) > 0 {
		t.Fatalf("still under the old secret after rotation: %v", left)
	}
	if keys := rdb.Keys(ctx, "*rekeying*").Val(); len(keys) > 0 {
		t.Fatalf("copies left behind: %v", keys)
	}
}

// A rotation stopped part-way through a long stream leaves it as it was,
// readable under either secret, and its copy goes (at once, or when it
// expires if the process was killed); running again completes it.
func TestRekeyStoppedPartWayLeavesStreamsReadable(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("its scripts use stream commands the embedded Redis does not run from Lua")
	}
	rdb := srv.Client()
	ctx := context.Background()
	old := rekeyStore(t, rdb, secretA)
	for i := range 50 {
		if err := old.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: fmt.Sprint("a", i)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	stop, cancel := context.WithCancel(ctx)
	chunks := 0
	storage.SmallStreamRebuilds(t, 10, 7, func() {
		if chunks++; chunks == 3 {
			copies := rdb.Keys(ctx, "*rekeying*").Val()
			if len(copies) != 1 {
				t.Errorf("copies while rebuilding: %v", copies)
			} else if ttl := rdb.PTTL(ctx, copies[0]).Val(); ttl <= 0 || ttl > time.Hour {
				t.Errorf("the copy would outlive a killed rotate-key: ttl %v", ttl)
			}
			cancel()
		}
	})
	rotating := rekeyStore(t, rdb, secretB, secretA)
	if _, err := rotating.Rekey(stop, nil); err == nil {
		t.Fatal("a rotation cancelled part-way reported success")
	}
	if keys := rdb.Keys(ctx, "*rekeying*").Val(); len(keys) > 0 {
		t.Fatalf("copies left behind: %v", keys)
	}
	if log, err := rotating.AuditLog(ctx, 100); err != nil || len(log) != 50 {
		t.Fatalf("audit log after the interrupted rotation: %d %v", len(log), err)
	}
	for _, m := range rdb.XRange(ctx, "t:audit", "-", "+").Val() { // untouched
		if err := storage.OpenUnder(secretA, []byte(m.Values["e"].(string)), "audit"); err != nil {
			t.Fatalf("entry %s changed by the interrupted rotation: %v", m.ID, err)
		}
	}
	if _, err := rotating.Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if log, err := rekeyStore(t, rdb, secretB).AuditLog(ctx, 100); err != nil || len(log) != 50 || log[0].Action != "a49" {
		t.Fatalf("audit log after running again: %d %v", len(log), err)
	}
}

// An entry appended under the previous secret (a replica not yet restarted
// with the new one) while a long stream's rebuild is retried, because
// entries were deleted from the stream after they were copied, is
// re-sealed like any other: not put in the stream's place as it was, with
// rotate-key reporting success and nothing left under the previous secret.
func TestRekeyRebuildRetriedReSealsWhatWasAppendedMeanwhile(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("its scripts use stream commands the embedded Redis does not run from Lua")
	}
	rdb := srv.Client()
	ctx := context.Background()
	lagging := rekeyStore(t, rdb, secretA) // a replica still on the old secret alone
	for i := range 50 {
		if err := lagging.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: fmt.Sprint("a", i)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	first := rdb.XRange(ctx, "t:audit", "-", "+").Val()
	chunks := 0
	// 50 entries, 7 per chunk: the eighth chunk is the last one copied
	// before the copy is put in the stream's place.
	storage.SmallStreamRebuilds(t, 10, 7, func() {
		if chunks++; chunks != 8 {
			return
		}
		if err := rdb.XDel(ctx, "t:audit", first[3].ID).Err(); err != nil { // copied already
			t.Error(err)
		}
		if err := lagging.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: "late"}, 0); err != nil {
			t.Error(err)
		}
	})
	rep, err := rekeyStore(t, rdb, secretB, secretA).Rekey(ctx, nil)
	if err != nil {
		t.Fatalf("rotate-key: %v (report %+v)", err, rep)
	}
	if left := sealedUnder(dumpValues(t, rdb), secretA); len(left) > 0 {
		t.Fatalf("rotate-key succeeded with values still under the old secret: %v", left)
	}
	log, err := rekeyStore(t, rdb, secretB).AuditLog(ctx, 100)
	if err != nil || len(log) != 50 || log[0].Action != "late" {
		t.Fatalf("audit log under the new secret alone: %d entries, %v", len(log), err)
	}
}

// Running rotate-key again copies no long stream whose entries are all
// under the current secret already: it reads it, counts it, and leaves it
// as it is (no copy beside it, no second stream's worth of memory, no swap
// under the inbox's consumers).
func TestRekeyRunAgainLeavesLongStreamsAlone(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("its scripts use stream commands the embedded Redis does not run from Lua")
	}
	rdb := srv.Client()
	ctx := context.Background()
	old := rekeyStore(t, rdb, secretA)
	for i := range 30 {
		if err := old.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: fmt.Sprint("a", i)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	chunks := 0
	storage.SmallStreamRebuilds(t, 10, 7, func() { chunks++ })
	rotating := rekeyStore(t, rdb, secretB, secretA)
	if _, err := rotating.Rekey(ctx, nil); err != nil || chunks == 0 {
		t.Fatalf("first run: %d chunks copied, %v", chunks, err)
	}
	chunks = 0
	rep, err := rotating.Rekey(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if chunks != 0 {
		t.Fatalf("a second run copied %d chunks of a stream with nothing to re-seal", chunks)
	}
	if rep.Resealed != 0 || rep.Current < 30 || rep.Unreadable != 0 {
		t.Fatalf("second run's report: %+v", rep)
	}
}

// A worker blocked reading the inbox while rotate-key puts the inbox's
// rebuilt copy in its place stays blocked on it (same consumer group) and
// gets the next update stored, without an error.
func TestRekeyRebuildKeepsBlockedInboxReaders(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("its scripts use stream commands the embedded Redis does not run from Lua")
	}
	rdb := srv.Client()
	ctx := context.Background()
	old := rekeyStore(t, rdb, secretA)
	if err := old.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := old.InboxAdd(ctx, "telegram", []byte(fmt.Sprintf(`{"update_id":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	if held, err := old.InboxRead(ctx, "telegram", "w1", 20, time.Millisecond, time.Hour); err != nil || len(held) != 20 {
		t.Fatalf("inbox read: %d %v", len(held), err)
	}
	serving := rekeyStore(t, rdb, secretB, secretA)
	type read struct {
		got []storage.InboxEntry
		err error
	}
	done := make(chan read, 1)
	go func() {
		got, err := serving.InboxRead(ctx, "telegram", "w2", 10, 10*time.Second, time.Hour)
		done <- read{got, err}
	}()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(rdb.ClientList(ctx).Val(), "cmd=xreadgroup"); { // (5 s: short for a goroutine on a loaded machine)
		if time.Now().After(deadline) {
			t.Fatal("the worker never blocked on the inbox")
		}
		time.Sleep(10 * time.Millisecond)
	}
	swapped := 0
	storage.SmallStreamRebuilds(t, 10, 7, func() { swapped++ })
	if _, err := serving.Rekey(ctx, nil); err != nil || swapped == 0 {
		t.Fatalf("rotate-key: %d chunks, %v", swapped, err)
	}
	if err := serving.InboxAdd(ctx, "telegram", []byte(`{"update_id":100}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.err != nil || len(r.got) != 1 || string(r.got[0].Raw) != `{"update_id":100}` {
			t.Fatalf("the blocked worker read %d updates, %v", len(r.got), r.err)
		}
	case <-time.After(9 * time.Second):
		t.Fatal("the blocked worker never got the update stored after the rotation")
	}
}

// A large inbox backlog (12,000 updates, past the 5,000 a stream is
// rewritten whole up to: rebuilt beside itself, 1,000 per call) re-seals
// in one run while workers handle it as fast as it is copied, an update
// after every chunk and before every attempt to put the copy in place
// (from the middle of the backlog: not a trim of its start). The updates
// left are those not handled, each still held (pending) by the worker
// that read it, and the previous secret is no longer needed for any.
func TestRekeyReSealsALargeInboxBacklogBeingDrained(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("its scripts use stream commands the embedded Redis does not run from Lua")
	}
	rdb := srv.Client()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	old := rekeyStore(t, rdb, secretA)
	must(old.InitInbox(ctx, "telegram"))
	const backlog = 12000
	for i := 0; i < backlog; i += 500 {
		raws := make([][]byte, 500)
		for j := range raws {
			raws[j] = []byte(fmt.Sprintf(`{"update_id":%d}`, i+j))
		}
		must(old.InboxAdd(ctx, "telegram", raws...))
	}
	var held []storage.InboxEntry
	holder := map[string]string{}
	for n := 0; len(held) < backlog; n++ {
		w := fmt.Sprint("w", n%2)
		got, err := old.InboxRead(ctx, "telegram", w, 1000, time.Millisecond, time.Hour)
		must(err)
		for _, e := range got {
			holder[e.ID] = w
		}
		held = append(held, got...)
	}

	serving := rekeyStore(t, rdb, secretB, secretA)
	handled, next := map[string]bool{}, backlog/2
	handle := func() {
		must(serving.InboxDone(ctx, "telegram", held[next].ID))
		handled[held[next].ID] = true
		next++
	}
	storage.SmallStreamRebuilds(t, 5000, 1000, handle)
	storage.BeforeStreamSwap(t, handle)
	rep, err := rekeyStore(t, rdb, secretB, secretA).Rekey(ctx, nil)
	if err != nil {
		t.Fatalf("rotate-key on a backlog being handled: %v", err)
	}
	if want := 1 + backlog - len(handled); rep.Resealed != want { // and the keyset
		t.Errorf("re-sealed %d, want %d: the updates handled meanwhile counted", rep.Resealed, want)
	}
	if len(handled) < 12 {
		t.Fatalf("%d updates handled while rotating: the backlog was not rebuilt a chunk at a time", len(handled))
	}

	st := rekeyStore(t, rdb, secretB) // the previous secret dropped
	left := map[string]string{}
	for _, w := range []string{"w0", "w1"} {
		got, err := st.InboxPending(ctx, "telegram", w, "0", 2*backlog)
		must(err)
		for _, e := range got {
			left[e.ID] = w
		}
	}
	if n, _ := st.InboxLen(ctx, "telegram"); n != int64(backlog-len(handled)) || len(left) != backlog-len(handled) {
		t.Fatalf("%d updates in the inbox, %d readable as pending, want %d", n, len(left), backlog-len(handled))
	}
	for _, e := range held {
		if w, ok := left[e.ID]; handled[e.ID] == ok || (ok && w != holder[e.ID]) {
			t.Fatalf("update %s: left %v (held by %q, want %q), handled %v", e.ID, ok, w, holder[e.ID], handled[e.ID])
		}
	}
	// (st opened every one under the new secret alone: none was set aside.)
	if n, _ := rdb.XLen(ctx, "t:{inbox}:telegram:dead").Result(); n != 0 {
		t.Fatalf("%d updates open only under the previous secret", n)
	}
	if copies := rdb.Keys(ctx, "*rekeying*").Val(); len(copies) != 0 {
		t.Fatalf("copies left: %v", copies)
	}
}
