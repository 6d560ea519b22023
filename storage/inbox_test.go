package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
)

// An update a live consumer holds (queued or being handled, kept with
// InboxKeep) is not taken over by another replica once it has been idle
// past the stale time; one it stopped keeping is. The time that passes is
// simulated with XCLAIM's IDLE option, not waited for.
func TestInboxKeptUpdateIsNotTakenOver(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.InitInbox(ctx, "telegram"))
	must(st.InboxAdd(ctx, "telegram", []byte(`{"update_id":1}`), []byte(`{"update_id":2}`)))
	got, err := st.InboxRead(ctx, "telegram", "a", 10, time.Millisecond, time.Minute)
	if err != nil || len(got) != 2 || string(got[0].Raw) != `{"update_id":1}` || string(got[1].Raw) != `{"update_id":2}` {
		t.Fatalf("a's read: %+v %v", got, err)
	}
	idle := func() { // two minutes pass without a's keeping either
		t.Helper()
		ids := []string{got[0].ID, got[1].ID}
		must(rdb.Do(ctx, "XCLAIM", "t:{inbox}:telegram", "workers", "a", 0, ids[0], ids[1], "IDLE", 2*time.Minute.Milliseconds(), "JUSTID").Err())
	}
	idle()
	// a is still handling the first: it keeps it, not the second (done,
	// say, but its ack was lost).
	if lost, err := st.InboxKeep(ctx, "telegram", "a", []string{got[0].ID}); err != nil || len(lost) != 0 {
		t.Fatalf("a's keep: lost %v (%v)", lost, err)
	}
	taken, err := st.InboxRead(ctx, "telegram", "b", 10, time.Millisecond, time.Minute)
	if err != nil || len(taken) != 1 || taken[0].ID != got[1].ID {
		t.Fatalf("b took over %+v (%v), want only the update a no longer keeps", taken, err)
	}
	// a's own reads never hand back what it holds and kept.
	if again, err := st.InboxRead(ctx, "telegram", "a", 10, time.Millisecond, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("a read again: %+v %v", again, err)
	}
	// A restart under a's name finds it with InboxPending, page by page.
	must(st.InboxAdd(ctx, "telegram", []byte(`{"update_id":3}`)))
	if _, err := st.InboxRead(ctx, "telegram", "a", 10, time.Millisecond, time.Minute); err != nil {
		t.Fatal(err)
	}
	first, err := st.InboxPending(ctx, "telegram", "a", "0", 1)
	if err != nil || len(first) != 1 || first[0].ID != got[0].ID {
		t.Fatalf("a's first pending: %+v %v", first, err)
	}
	next, err := st.InboxPending(ctx, "telegram", "a", first[0].ID, 10)
	if err != nil || len(next) != 1 || string(next[0].Raw) != `{"update_id":3}` {
		t.Fatalf("a's next pending: %+v %v", next, err)
	}
	must(st.InboxDone(ctx, "telegram", got[0].ID))
	if p, err := rdb.XPending(ctx, "t:{inbox}:telegram", "workers").Result(); err != nil || p.Count != 2 {
		t.Fatalf("pending after done: %+v %v", p, err)
	}
	// Keeping an id no longer pending is no error, claims nothing, and
	// reports it lost.
	if lost, err := st.InboxKeep(ctx, "telegram", "a", []string{got[0].ID}); err != nil || !slices.Equal(lost, []string{got[0].ID}) {
		t.Fatalf("keeping a done id: lost %v (%v)", lost, err)
	}
	if p, _ := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "t:{inbox}:telegram", Group: "workers", Start: "-", End: "+", Count: 10}).Result(); len(p) != 2 {
		t.Fatalf("pending after keeping a done id: %+v", p)
	}
}

// A dead replica's updates are taken over even behind more than ten
// reads' worth of updates a live replica holds and keeps: XAUTOCLAIM
// scans at most ten times COUNT entries of the pending list per call, so
// a read that always starts at the list's head never reaches them.
func TestInboxStaleUpdatesBehindKeptOnesAreTakenOver(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	if err := st.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	raws := make([][]byte, 300)
	for n := range raws {
		raws[n] = []byte(`{"update_id":1}`)
	}
	if err := st.InboxAdd(ctx, "telegram", raws...); err != nil {
		t.Fatal(err)
	}
	// live holds the first 200 (a backlog) and keeps them; dead read the
	// next 100 and died two minutes ago.
	if got, err := st.InboxRead(ctx, "telegram", "live", 200, time.Millisecond, time.Minute); err != nil || len(got) != 200 {
		t.Fatalf("live's read: %d %v", len(got), err)
	}
	dead, err := st.InboxRead(ctx, "telegram", "dead", 100, time.Millisecond, time.Minute)
	if err != nil || len(dead) != 100 {
		t.Fatalf("dead's read: %d %v", len(dead), err)
	}
	args := []any{"XCLAIM", "t:{inbox}:telegram", "workers", "dead", 0}
	for _, e := range dead {
		args = append(args, e.ID)
	}
	if err := rdb.Do(ctx, append(args, "IDLE", 2*time.Minute.Milliseconds(), "JUSTID")...).Err(); err != nil {
		t.Fatal(err)
	}
	taken, err := st.InboxRead(ctx, "telegram", "live", 16, time.Millisecond, time.Minute)
	if err != nil || len(taken) != 16 || taken[0].ID != dead[0].ID {
		t.Fatalf("took over %d updates (%v), want the dead replica's first 16", len(taken), err)
	}
}

// After Redis lost the inbox (restarted without its data, flushed), the
// updates stored since are read: the consumer group is created again
// rather than every read failing with NOGROUP until a restart, while the
// polling loop keeps confirming to Telegram what it stores.
func TestInboxReadRecreatesALostGroup(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	if err := st.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client().Del(ctx, "t:{inbox}:telegram").Err(); err != nil {
		t.Fatal(err)
	}
	if err := st.InboxAdd(ctx, "telegram", []byte(`{"update_id":7}`)); err != nil {
		t.Fatal(err)
	}
	if p, err := st.InboxPending(ctx, "telegram", "a", "0", 10); err != nil || len(p) != 0 {
		t.Fatalf("pending: %+v %v", p, err)
	}
	got, err := st.InboxRead(ctx, "telegram", "a", 10, time.Millisecond, time.Minute)
	if err != nil || len(got) != 1 || string(got[0].Raw) != `{"update_id":7}` {
		t.Fatalf("read: %+v %v", got, err)
	}
}

// A backlog a consumer read but left in the inbox is fetched back by id,
// in the order asked, idle time reset; an update since removed is not
// returned.
func TestInboxFetchReturnsWhatIsStillPending(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	if err := st.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	if err := st.InboxAdd(ctx, "telegram", []byte(`{"update_id":1}`), []byte(`{"update_id":2}`), []byte(`{"update_id":3}`)); err != nil {
		t.Fatal(err)
	}
	got, err := st.InboxRead(ctx, "telegram", "a", 10, time.Millisecond, time.Minute)
	if err != nil || len(got) != 3 {
		t.Fatalf("read: %+v %v", got, err)
	}
	if err := st.InboxDone(ctx, "telegram", got[1].ID); err != nil {
		t.Fatal(err)
	}
	rdb := srv.Client()
	if err := rdb.Do(ctx, "XCLAIM", "t:{inbox}:telegram", "workers", "a", 0, got[2].ID, "IDLE", 2*time.Minute.Milliseconds(), "JUSTID").Err(); err != nil {
		t.Fatal(err)
	}
	fetched, err := st.InboxFetch(ctx, "telegram", "a", []string{got[2].ID, got[1].ID, got[0].ID})
	if err != nil || len(fetched) != 2 || string(fetched[0].Raw) != `{"update_id":3}` || string(fetched[1].Raw) != `{"update_id":1}` {
		t.Fatalf("fetched %+v (%v), want updates 3 and 1, in that order", fetched, err)
	}
	if taken, err := st.InboxRead(ctx, "telegram", "b", 10, time.Millisecond, time.Minute); err != nil || len(taken) != 0 {
		t.Fatalf("b took over %+v (%v): the fetch did not reset the idle time", taken, err)
	}
}

// Updates a replica held but did not keep for over the stale time (cut
// off from Redis, or frozen) and another replica took over stay the
// other's when the first comes back: its keep and its fetch claim only
// what is still its own, and its keep reports the others lost, so that
// no update is handled by both.
func TestInboxKeepAndFetchDoNotClaimBackWhatWasTakenOver(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	if err := st.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	if err := st.InboxAdd(ctx, "telegram", []byte(`{"update_id":1}`), []byte(`{"update_id":2}`), []byte(`{"update_id":3}`)); err != nil {
		t.Fatal(err)
	}
	got, err := st.InboxRead(ctx, "telegram", "a", 10, time.Millisecond, time.Minute)
	if err != nil || len(got) != 3 {
		t.Fatalf("a's read: %+v %v", got, err)
	}
	ids := []string{got[0].ID, got[1].ID, got[2].ID}
	// a is cut off for two minutes: b takes over the first two (its
	// read asks for two); a's third stays pending for a.
	if err := rdb.Do(ctx, "XCLAIM", "t:{inbox}:telegram", "workers", "a", 0, ids[0], ids[1], ids[2], "IDLE", 2*time.Minute.Milliseconds(), "JUSTID").Err(); err != nil {
		t.Fatal(err)
	}
	taken, err := st.InboxRead(ctx, "telegram", "b", 2, time.Millisecond, time.Minute)
	if err != nil || len(taken) != 2 || taken[0].ID != ids[0] || taken[1].ID != ids[1] {
		t.Fatalf("b took over %+v (%v)", taken, err)
	}
	// a is back: the first queued, the second waiting in the inbox.
	lost, err := st.InboxKeep(ctx, "telegram", "a", ids)
	if err != nil || !slices.Equal(lost, ids[:2]) {
		t.Fatalf("a's keep: lost %v (%v), want the two b took over", lost, err)
	}
	if fetched, err := st.InboxFetch(ctx, "telegram", "a", ids[1:]); err != nil || len(fetched) != 1 || fetched[0].ID != ids[2] {
		t.Fatalf("a fetched %+v (%v), want only its own third", fetched, err)
	}
	owners := map[string]string{}
	p, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "t:{inbox}:telegram", Group: "workers", Start: "-", End: "+", Count: 10}).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p {
		owners[e.ID] = e.Consumer
		if e.Consumer == "a" && e.Idle > time.Minute {
			t.Errorf("a's own %s still idle %v after its keep", e.ID, e.Idle)
		}
	}
	if owners[ids[0]] != "b" || owners[ids[1]] != "b" || owners[ids[2]] != "a" {
		t.Fatalf("pending for %v, want the first two b's, the third a's", owners)
	}
}

// An update Telegram delivers again (its first delivery was stored but
// not confirmed: a webhook call answered 503 on a timeout, a crash before
// polling confirmed it) is not stored again, so it is handled, and
// answered, once; another update in the same batch is stored. The marker
// that remembers it names no update id in clear, and expires.
func TestInboxAddOnceStoresARedeliveredUpdateOnce(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	if err := st.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	first := storage.InboxUpdate{Key: "734001", Raw: []byte(`{"update_id":734001}`)}
	if err := st.InboxAddOnce(ctx, "telegram", first); err != nil {
		t.Fatal(err)
	}
	second := storage.InboxUpdate{Key: "734002", Raw: []byte(`{"update_id":734002}`)}
	if err := st.InboxAddOnce(ctx, "telegram", first, second); err != nil {
		t.Fatal(err)
	}
	got, err := st.InboxRead(ctx, "telegram", "a", 10, time.Millisecond, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var raws []string
	for _, e := range got {
		raws = append(raws, string(e.Raw))
	}
	if !slices.Equal(raws, []string{`{"update_id":734001}`, `{"update_id":734002}`}) {
		t.Fatalf("inbox holds %q, want each update once", raws)
	}
	// Handled and removed, then delivered again: still not stored again.
	for _, e := range got {
		if err := st.InboxDone(ctx, "telegram", e.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.InboxAddOnce(ctx, "telegram", second); err != nil {
		t.Fatal(err)
	}
	if n, err := st.InboxLen(ctx, "telegram"); err != nil || n != 0 {
		t.Fatalf("a handled update delivered again: %d in the inbox (%v)", n, err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	markers := 0
	for _, k := range keys {
		if strings.Contains(k, "73400") {
			t.Errorf("key %q names an update id in clear", k)
		}
		if strings.Contains(k, ":seen:") {
			markers++
			if ttl := rdb.TTL(ctx, k).Val(); ttl <= 0 || ttl > 24*time.Hour {
				t.Errorf("marker %q expires in %v, want within a day", k, ttl)
			}
		}
	}
	if markers != 2 {
		t.Errorf("%d markers, want 2: %q", markers, keys)
	}
	// Without a key (InboxAdd), nothing is remembered.
	if err := st.InboxAdd(ctx, "telegram", []byte(`{}`), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.InboxLen(ctx, "telegram"); n != 2 {
		t.Fatalf("%d updates without a key stored, want 2", n)
	}
}
