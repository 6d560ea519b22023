package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// A copy delivered by the previous version ("d:<msg id>", no record) to
// a community that has unsubscribed since, or whose subscription cannot be
// opened any more: where it went is known no more, so it is given up as
// not reachable and the retraction finishes, its report counting it
// unconfirmed.
// Mutation: withdrawal() leaving it as it is when the subscription is not
// found or unreadable (as before) → never listed, never done.
func TestRetractLegacyDeliveryToAnUnsubscribedCommunityFinishes(t *testing.T) {
	for _, unreadable := range []bool{false, true} {
		legacyDeliveryUnreachable(t, unreadable)
	}
}

func legacyDeliveryUnreachable(t *testing.T, unreadable bool) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := publishTo(t, st, 1)
	rdb := srv.Client()
	key := "t:{bc}:job:" + id
	var dest string
	for k := range rdb.HGetAll(ctx, key).Val() {
		if k != "~" && !strings.HasPrefix(k, "m:") {
			dest = k
		}
	}
	// as the previous version wrote it: delivered, message 10, no record
	rdb.HSet(ctx, key, dest, "d:10")
	if unreadable {
		rdb.HSet(ctx, "t:{bc}:subs", dest, "damaged")
	} else if err := st.Unsubscribe(ctx, "telegram", "-100"); err != nil {
		t.Fatal(err)
	}
	if r, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); err != nil || r.Withdrawals != 1 {
		t.Fatal(r, err)
	}
	if ws, err := st.PendingWithdrawals(ctx, 10); err != nil || len(ws) != 0 {
		t.Fatalf("withdrawals %+v %v: nowhere to withdraw from", ws, err)
	}
	p, done, _ := st.RetractionProgress(ctx, id)
	if want := (storage.RetractProgress{Total: 1, Unconfirmed: 1}); !done || p != want {
		t.Errorf("unreadable %v: progress %+v done %v, want %+v done", unreadable, p, done, want)
	}
}

// A legacy copy deleted already ("Rc1", no record) whose community
// unsubscribed before its correction: given up as not reachable, the
// deletion still counts in the report.
// Mutation: withdrawal() writing "Ru0" for "Rc1" → Deleted 0.
func TestRetractLegacyDeletedCopyUnreachableKeepsDeleted(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := publishTo(t, st, 1)
	rdb := srv.Client()
	key := "t:{bc}:job:" + id
	var dest string
	for k := range rdb.HGetAll(ctx, key).Val() {
		if k != "~" && !strings.HasPrefix(k, "m:") {
			dest = k
		}
	}
	rdb.HSet(ctx, key, dest, "d:10")
	if r, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); err != nil || r.Withdrawals != 1 {
		t.Fatal(r, err)
	}
	rdb.HSet(ctx, key, dest, "Rc1") // as the previous version left it
	if err := st.Unsubscribe(ctx, "telegram", "-100"); err != nil {
		t.Fatal(err)
	}
	if ws, err := st.PendingWithdrawals(ctx, 10); err != nil || len(ws) != 0 {
		t.Fatalf("withdrawals %+v %v: nowhere to withdraw from", ws, err)
	}
	p, done, _ := st.RetractionProgress(ctx, id)
	if want := (storage.RetractProgress{Total: 1, Deleted: 1, Unconfirmed: 1}); !done || p != want {
		t.Errorf("progress %+v done %v, want %+v done", p, done, want)
	}
}
