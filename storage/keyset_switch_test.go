package storage_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// keysetLosses starts replicas on srv's Redis that all run with secret c
// and name records with the MAC keys of the previous secrets given (each
// kept on a Redis emptied since), then a newcomer with c's own keys, kept
// new: first, which keeps the keys of a, replaces it, keeping c's as
// replaced (Redis holds a's keys, c's replaced).
func keysetLosses(t *testing.T, srv *redistest.Server, previous ...[]byte) []*storage.Store {
	t.Helper()
	ctx := context.Background()
	c := bytes.Repeat([]byte{7}, 32)
	start := replicaStarter(t, srv)
	var out []*storage.Store
	for _, p := range previous {
		out = append(out, start(c, p))
		if err := srv.Client().FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	}
	start(c)
	if got, err := out[0].CheckKeyset(ctx); got != storage.KeysetReplaced || err != nil {
		t.Fatalf("first: %v %v, want KeysetReplaced", got, err)
	}
	return out
}

// inboxOnce stores update in st's inbox and fails unless the inbox then
// holds want updates.
func inboxOnce(t *testing.T, st *storage.Store, update storage.InboxUpdate, want int64, what string) {
	t.Helper()
	if err := st.InboxAddOnce(context.Background(), "telegram", update); err != nil {
		t.Fatal(err)
	}
	if n, err := st.InboxLen(context.Background(), "telegram"); n != want || err != nil {
		t.Errorf("%s: %d updates in the inbox (%v), want %d", what, n, err, want)
	}
}

// keyset2: a replica adopting the keyset switched its MAC keys, then kept
// its own as replaced: an update it had stored (its marker named with its
// own keys) delivered again in between was looked for under the new keys
// alone, and stored twice. The keys and those replaced switch at once.
func TestAdoptionSwitchesKeysWithThoseReplacedAtOnce_keyset2(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	a, b := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{6}, 32)
	second := keysetLosses(t, srv, a, b)[1]
	if err := second.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	update := storage.InboxUpdate{Key: "79", Raw: []byte(`{"update_id":79}`)}
	inboxOnce(t, second, update, 1, "first delivery")
	var once atomic.Bool
	storage.KeysetStep(t, func(step string) {
		if step == "adopted" && once.CompareAndSwap(false, true) {
			inboxOnce(t, second, update, 1, "delivered again as the replica adopts the keyset")
		}
	})
	if got, err := second.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
		t.Fatalf("second: %v %v, want KeysetAdopted", got, err)
	}
	if !once.Load() {
		t.Fatal("no adoption step seen")
	}
}

// keyset2: InboxAddOnce read the keys replaced, then the keys in use: a
// keyset adopted in between gave it the new keys without the replica's
// own among those replaced, and an update it had stored, delivered again,
// was stored twice. It reads both at once.
func TestInboxReadsKeysWithThoseReplacedAtOnce_keyset2(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	a, b := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{6}, 32)
	second := keysetLosses(t, srv, a, b)[1]
	if err := second.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	update := storage.InboxUpdate{Key: "80", Raw: []byte(`{"update_id":80}`)}
	inboxOnce(t, second, update, 1, "first delivery")
	var once atomic.Bool
	storage.InboxKeysRead(t, func() {
		if once.CompareAndSwap(false, true) {
			if got, err := second.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
				t.Errorf("second: %v %v, want KeysetAdopted", got, err)
			}
		}
	})
	inboxOnce(t, second, update, 1, "delivered again as the replica adopts the keyset")
}

// keyset2: two checks at once in one replica (the sweeper's, and park's
// or the indexer's) each read the keys replaced, then kept them with what
// they found: one that read them before the other kept what it learnt (a
// third replica's keys, kept replaced meanwhile) overwrote them with its
// stale copy, and an update that replica had stored, delivered again,
// was stored twice. Checks take turns; one waiting for its turn gives up
// when its context ends.
func TestKeysetChecksTakeTurns_keyset2(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	a, b, d := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{6}, 32), bytes.Repeat([]byte{8}, 32)
	replicas := keysetLosses(t, srv, a, b, d)
	second, third := replicas[1], replicas[2]
	if err := second.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	update := storage.InboxUpdate{Key: "81", Raw: []byte(`{"update_id":81}`)}
	inboxOnce(t, third, update, 1, "stored by the third replica")
	var once atomic.Bool
	other := make(chan error, 1)
	storage.KeysetStep(t, func(step string) {
		if step != "adopting" || !once.CompareAndSwap(false, true) {
			return
		}
		// The third replica takes the keyset, keeping its keys replaced.
		if got, err := third.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
			t.Errorf("third: %v %v, want KeysetAdopted", got, err)
		}
		go func() { _, err := second.CheckKeyset(ctx); other <- err }()
		select {
		case err := <-other:
			other <- err
			t.Error("a second check ran while the first was adopting")
		case <-time.After(300 * time.Millisecond):
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		waited := make(chan error, 1)
		go func() { _, err := second.CheckKeyset(short); waited <- err }()
		select {
		case err := <-waited:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("a check waiting for its turn past its deadline: %v, want context.DeadlineExceeded", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("a check waiting for its turn outlived its context")
		}
	})
	if got, err := second.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
		t.Fatalf("second: %v %v, want KeysetAdopted", got, err)
	}
	select {
	case err := <-other:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second check never ran")
	}
	inboxOnce(t, second, update, 1, "delivered again to the second replica")
}
