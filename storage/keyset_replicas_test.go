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

// replicaStarter starts a store (a replica) on srv's Redis with secrets,
// the first VIGIA_SECRET, the second VIGIA_SECRET_PREVIOUS.
func replicaStarter(t *testing.T, srv *redistest.Server) func(secrets ...[]byte) *storage.Store {
	return func(secrets ...[]byte) *storage.Store {
		t.Helper()
		kr, err := storage.NewKeyring(secrets[0], secrets[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st
	}
}

// After a rotation, Redis loses its data while a replica runs, and
// another replica starts before the running one notices: the newcomer
// finds no keyset and keeps its own secret's MAC keys, not those in use
// (the old secret's, kept since the first start), and makes the triage
// groups again, so that the running replica never noticed the loss. Each
// went on naming records with its own keys: a receipt given by one found
// nothing on the other, nor after a restart of all (the newcomer's keys
// kept). At their next check (the sweeper's) the running replica's keys,
// which name what it wrote since the loss, replace the newcomer's, and the
// newcomer takes them.
func TestReplicasAgreeOnTheKeysetAfterALoss(t *testing.T) {
	ctx := context.Background()
	oldSecret, secret := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{7}, 32)
	srv := redistest.Start(t)
	start := replicaStarter(t, srv)
	start(secret, oldSecret) // rotating: the old secret's MAC keys are kept
	running := start(secret) // the rotation done, the bot runs
	if err := srv.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	sinceLoss := submitText(t, running, "431", 10, "cobran piso en el mercado")
	newcomer := start(secret) // restarted before the running one noticed
	// The running replica's sweeper: park finds the triage group (made
	// again by the newcomer), so only the keyset check notices.
	if _, err := running.OpenClaims(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := running.CheckKeyset(ctx); got != storage.KeysetReplaced || err != nil {
		t.Fatalf("running replica's check: %v %v, want KeysetReplaced", got, err)
	}
	if got, err := newcomer.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
		t.Fatalf("newcomer's check: %v %v, want KeysetAdopted", got, err)
	}
	for name, st := range map[string]*storage.Store{"running": running, "newcomer": newcomer} {
		if got, err := st.CheckKeyset(ctx); got != storage.KeysetSame || err != nil {
			t.Fatalf("%s's second check: %v %v, want KeysetSame", name, got, err)
		}
	}
	if running.Pseudonym("telegram", "431") != newcomer.Pseudonym("telegram", "431") {
		t.Fatal("the replicas name a reporter with different pseudonyms")
	}
	byRunning := submitText(t, running, "432", 11, "venden armas en la esquina")
	byNewcomer := submitText(t, newcomer, "433", 12, "amenazan a un periodista")
	restarted := start(secret)
	for name, st := range map[string]*storage.Store{"running": running, "newcomer": newcomer, "restarted": restarted} {
		for _, sub := range []storage.Submission{sinceLoss, byRunning, byNewcomer} {
			if tip, err := st.TipByReceipt(ctx, sub.Receipt); err != nil || tip.ID != sub.TipID {
				t.Errorf("%s: receipt of %s: %q %v", name, sub.TipID, tip.ID, err)
			}
		}
	}
}

// Two running replicas that find the same newcomer's keyset, each with
// keys of its own (two losses apart), agree on one: the first to replace
// it; the other, finding a keyset not new, takes it.
func TestTwoRunningReplicasAgreeOnOneKeyset(t *testing.T) {
	ctx := context.Background()
	a, b, c := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{6}, 32), bytes.Repeat([]byte{7}, 32)
	srv := redistest.Start(t)
	start := replicaStarter(t, srv)
	flush := func() {
		if err := srv.Client().FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	}
	first := start(c, a) // keys of a
	flush()
	second := start(c, b) // keys of b, first not noticing
	flush()
	start(c) // keys of c, kept new
	if got, err := first.CheckKeyset(ctx); got != storage.KeysetReplaced || err != nil {
		t.Fatalf("first: %v %v, want KeysetReplaced", got, err)
	}
	if got, err := second.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
		t.Fatalf("second: %v %v, want KeysetAdopted", got, err)
	}
	if first.Pseudonym("telegram", "1") != second.Pseudonym("telegram", "1") ||
		first.Pseudonym("telegram", "1") != start(c).Pseudonym("telegram", "1") {
		t.Fatal("the replicas name a reporter with different pseudonyms")
	}
}

// A keyset that opens under neither of a replica's secrets (a replica
// started with another VIGIA_SECRET since the loss) is never replaced:
// its writer could not open one sealed under this replica's secret, and
// would refuse to start again.
func TestKeysetUnderAnotherSecretIsNotReplaced(t *testing.T) {
	ctx := context.Background()
	mine, other := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{7}, 32)
	srv := redistest.Start(t)
	start := replicaStarter(t, srv)
	running := start(mine)
	if err := srv.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	start(other)
	if _, err := running.CheckKeyset(ctx); !errors.Is(err, storage.ErrWrongSecret) {
		t.Fatalf("check: %v, want ErrWrongSecret", err)
	}
	start(other) // the keyset still opens under its writer's secret
}

// Redis's data put back from a backup after a replica started on the
// emptied Redis (and kept its own secret's keys, marked new): the keyset
// restored, kept new at the deployment's first start, is older than the
// newcomer's keys and names every record restored with it. The newcomer
// takes it; replacing it (it is new, its keys other) kept the newcomer's
// keys for good: no receipt, pseudonym or search word of the restored
// data matched again, on any replica, nor after a restart.
func TestRestoredKeysetIsTakenNotReplaced(t *testing.T) {
	ctx := context.Background()
	oldSecret, secret := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{7}, 32)
	srv := redistest.Start(t)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	start := func(secrets ...[]byte) *storage.Store {
		t.Helper()
		kr, err := storage.NewKeyring(secrets[0], secrets[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour,
			Now: func() time.Time { return time.UnixMilli(clock.Load()) }})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	start(secret, oldSecret) // the first start, rotating: the old secret's keys, kept new
	running := start(secret)
	before := submitText(t, running, "431", 10, "cobran piso en el mercado")
	rdb := srv.Client()
	names, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	backup := map[string]string{}
	for _, k := range names {
		if backup[k], err = rdb.Dump(ctx, k).Result(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Hour.Milliseconds())
	newcomer := start(secret) // on the emptied Redis: its own secret's keys, new
	for k, v := range backup {
		if err := rdb.RestoreReplace(ctx, k, 0, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := newcomer.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
		t.Fatalf("newcomer's check: %v %v, want KeysetAdopted", got, err)
	}
	if got, err := running.CheckKeyset(ctx); got != storage.KeysetSame || err != nil {
		t.Fatalf("running replica's check: %v %v, want KeysetSame", got, err)
	}
	for name, st := range map[string]*storage.Store{"running": running, "newcomer": newcomer, "restarted": start(secret)} {
		if tip, err := st.TipByReceipt(ctx, before.Receipt); err != nil || tip.ID != before.TipID {
			t.Errorf("%s: receipt of the restored tip %s: %q %v", name, before.TipID, tip.ID, err)
		}
		if st.Pseudonym("telegram", "431") != running.Pseudonym("telegram", "431") {
			t.Errorf("%s names the reporter with other keys", name)
		}
	}
}

// keyset: an update a newcomer stored in the inbox before the replicas
// agreed on the keyset (its marker named under the newcomer's keys) and
// that the platform delivers again after (its first delivery not
// confirmed) is stored once, to whichever replica it comes: its marker is
// looked for under the keys the agreed ones replaced too. It was stored
// again, and handled twice: two drafts, or two tips, from one message.
func TestInboxUpdateDeliveredAgainAcrossAnAdoptionIsStoredOnce(t *testing.T) {
	ctx := context.Background()
	oldSecret, secret := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{7}, 32)
	srv := redistest.Start(t)
	start := replicaStarter(t, srv)
	start(secret, oldSecret)
	running := start(secret)
	if err := srv.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	newcomer := start(secret)
	for _, st := range []*storage.Store{running, newcomer} {
		if err := st.InitInbox(ctx, "telegram"); err != nil {
			t.Fatal(err)
		}
	}
	update := storage.InboxUpdate{Key: "77", Raw: []byte(`{"update_id":77}`)}
	if err := newcomer.InboxAddOnce(ctx, "telegram", update); err != nil {
		t.Fatal(err)
	}
	if got, err := running.CheckKeyset(ctx); got != storage.KeysetReplaced || err != nil {
		t.Fatalf("running replica's check: %v %v, want KeysetReplaced", got, err)
	}
	// A replica started now (the newcomer gone before its next check)
	// knows the newcomer's keys from the keyset the running one kept.
	if err := start(secret).InboxAddOnce(ctx, "telegram", update); err != nil {
		t.Fatal(err)
	}
	if n, err := running.InboxLen(ctx, "telegram"); n != 1 || err != nil {
		t.Fatalf("delivered again to a replica started before the newcomer took the keyset: %d updates in the inbox (%v), want 1", n, err)
	}
	if got, err := newcomer.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
		t.Fatalf("newcomer's check: %v %v, want KeysetAdopted", got, err)
	}
	for name, st := range map[string]*storage.Store{"running": running, "newcomer": newcomer, "restarted": start(secret)} {
		if err := st.InboxAddOnce(ctx, "telegram", update); err != nil {
			t.Fatal(err)
		}
		if n, err := st.InboxLen(ctx, "telegram"); n != 1 || err != nil {
			t.Fatalf("delivered again to the %s replica: %d updates in the inbox (%v), want 1", name, n, err)
		}
	}
}

// keyset: Redis's data put back from a backup after a newcomer started on
// the emptied Redis: the newcomer takes the restored keyset, and keeps its
// own keys with it as replaced, so that the running replica, which never
// held them, knows an update the newcomer stored before, delivered again.
func TestInboxUpdateDeliveredAgainAfterARestoreIsStoredOnce(t *testing.T) {
	ctx := context.Background()
	oldSecret, secret := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{7}, 32)
	srv := redistest.Start(t)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	start := func(secrets ...[]byte) *storage.Store {
		t.Helper()
		kr, err := storage.NewKeyring(secrets[0], secrets[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour,
			Now: func() time.Time { return time.UnixMilli(clock.Load()) }})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	start(secret, oldSecret)
	running := start(secret)
	rdb := srv.Client()
	backup, err := rdb.Dump(ctx, "t:keyset").Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Hour.Milliseconds())
	newcomer := start(secret)
	if err := newcomer.InitInbox(ctx, "telegram"); err != nil {
		t.Fatal(err)
	}
	update := storage.InboxUpdate{Key: "78", Raw: []byte(`{"update_id":78}`)}
	if err := newcomer.InboxAddOnce(ctx, "telegram", update); err != nil {
		t.Fatal(err)
	}
	if err := rdb.RestoreReplace(ctx, "t:keyset", 0, backup).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := newcomer.CheckKeyset(ctx); got != storage.KeysetAdopted || err != nil {
		t.Fatalf("newcomer's check: %v %v, want KeysetAdopted", got, err)
	}
	if got, err := running.CheckKeyset(ctx); got != storage.KeysetSame || err != nil {
		t.Fatalf("running replica's check: %v %v, want KeysetSame", got, err)
	}
	for name, st := range map[string]*storage.Store{"running": running, "newcomer": newcomer, "restarted": start(secret)} {
		if err := st.InboxAddOnce(ctx, "telegram", update); err != nil {
			t.Fatal(err)
		}
		if n, err := st.InboxLen(ctx, "telegram"); n != 1 || err != nil {
			t.Fatalf("delivered again to the %s replica: %d updates in the inbox (%v), want 1", name, n, err)
		}
	}
}
