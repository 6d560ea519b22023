package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// publishTo subscribes n chats and publishes a warning to them all.
func publishTo(t *testing.T, st *storage.Store, n int) string {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		if err := st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: fmt.Sprint(-100 - i), Language: "es"}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "9"), "retén falso en la carretera", "es", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if a, err := st.ApprovePublication(ctx, w.TipID, storage.PublishApproval{By: storage.Claimer{Key: "inv", Route: "telegram:1"}, Needed: 1}); err != nil || !a.Started {
		t.Fatalf("approve: %+v %v", a, err)
	}
	return w.TipID
}

// A retraction stops every destination not sent yet, in one step: none can
// be claimed any more, one that fails and would be retried is withdrawn;
// the copies delivered before it, and one delivered as it was recorded,
// are queued for withdrawal.
func TestRetractionStopsTheBroadcast(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := publishTo(t, st, 5)
	ds, err := st.PendingDeliveries(ctx, 10)
	if err != nil || len(ds) != 5 {
		t.Fatalf("deliveries: %d %v", len(ds), err)
	}
	for _, d := range ds[:3] {
		if ok, err := st.ClaimDelivery(ctx, d); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
	}
	if err := st.Delivered(ctx, id, ds[0].Sub, []string{"10"}); err != nil { // before the retraction
		t.Fatal(err)
	}
	if r, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); !r.First || r.Withdrawals != 3 || err != nil { // one delivered, two being sent
		t.Fatalf("retract: %+v %v", r, err)
	}
	if r, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); r.First || !r.Already || err != nil {
		t.Fatalf("retracted twice: %+v %v", r, err)
	}
	noPending := func(when string) {
		t.Helper()
		if p, _, err := st.BroadcastProgress(ctx, id); err != nil || p.Pending != 0 {
			t.Fatalf("%s: progress %+v %v, want nothing pending", when, p, err)
		}
	}
	noPending("retracted")
	if err := st.Delivered(ctx, id, ds[1].Sub, []string{"11"}); err != nil { // a copy delivered after the retraction
		t.Fatal(err)
	}
	if err := st.Retry(ctx, id, ds[2].Sub); err != nil { // a send that failed
		t.Fatal(err)
	}
	noPending("a failed send after the retraction")
	for _, d := range ds[2:] {
		if ok, err := st.ClaimDelivery(ctx, d); ok || err != nil {
			t.Fatalf("claimed after the retraction: %v %v", ok, err)
		}
	}
	if again, err := st.PendingDeliveries(ctx, 10); err != nil || len(again) != 0 {
		t.Fatalf("pending after the retraction: %d %v", len(again), err)
	}
	ws, err := st.PendingWithdrawals(ctx, 10)
	var copies []string
	for _, w := range ws {
		copies = append(copies, w.MessageIDs...)
	}
	slices.Sort(copies)
	if err != nil || !slices.Equal(copies, []string{"10", "11"}) {
		t.Fatalf("to withdraw: %+v %v", ws, err)
	}
	p, done, err := st.BroadcastProgress(ctx, id)
	if err != nil || !done || p.Total != 5 || p.Delivered != 0 || p.Withdrawn != 5 || p.Pending != 0 {
		t.Fatalf("progress %+v done %v %v", p, done, err)
	}
	all, err := st.Broadcasts(ctx)
	if err != nil || !all[id].Retracted {
		t.Fatalf("broadcasts: %+v %v", all, err)
	}
}

// A destination queued after the retraction was recorded (the approval
// that started the broadcast raced it) is withdrawn, never listed.
func TestRetractedBroadcastQueuedLate(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := publishTo(t, st, 1)
	if r, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); !r.First || err != nil {
		t.Fatalf("retract: %+v %v", r, err)
	}
	rdb := srv.Client()
	keys, err := rdb.Keys(ctx, "t:{bc}:job:"+id).Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("deliveries key: %v %v", keys, err)
	}
	if err := rdb.HSet(ctx, keys[0], "late", "p").Err(); err != nil {
		t.Fatal(err)
	}
	late := storage.Delivery{Publication: storage.Publication{TipID: id}, Sub: storage.Subscription{Key: "late"}}
	if ok, err := st.ClaimDelivery(ctx, late); ok || err != nil {
		t.Fatalf("claimed after the retraction: %v %v", ok, err)
	}
	if err := rdb.HSet(ctx, keys[0], "later", "p").Err(); err != nil {
		t.Fatal(err)
	}
	if ds, err := st.PendingDeliveries(ctx, 10); err != nil || len(ds) != 0 {
		t.Fatalf("pending: %d %v", len(ds), err)
	}
	if p, done, err := st.BroadcastProgress(ctx, id); err != nil || !done || p.Withdrawn != 3 {
		t.Fatalf("progress %+v done %v %v", p, done, err)
	}
}

// Only a published warning is retracted; any other number writes nothing,
// so the warning can still be retracted once it is published.
func TestRetractedNeedsAPublication(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	rdb := srv.Client()
	for _, id := range []string{"1", "99"} {
		if r, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); r.First || r.Already || err != nil {
			t.Fatalf("retract %s before it exists: %+v %v", id, r, err)
		}
	}
	if keys, err := rdb.Keys(ctx, "t:{bc}:*").Result(); err != nil || len(keys) != 0 {
		t.Fatalf("written: %v %v", keys, err)
	}
	if err := st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-100", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "9"), "retén falso", "es", 1, "")
	if err != nil || w.TipID != "1" {
		t.Fatalf("warning: %+v %v", w, err)
	}
	if a, err := st.ApprovePublication(ctx, "1", storage.PublishApproval{By: storage.Claimer{Key: "inv-a", Route: "telegram:1"}, Needed: 2}); err != nil || a.Started {
		t.Fatalf("first approval: %+v %v", a, err)
	}
	if r, err := st.Retracted(ctx, "1", storage.Claimer{Name: "Ana"}); r.First || r.Already || err != nil {
		t.Fatalf("retracted while waiting for approvals: %+v %v", r, err)
	}
	if a, err := st.ApprovePublication(ctx, "1", storage.PublishApproval{By: storage.Claimer{Key: "inv-b", Route: "telegram:1"}, Needed: 2}); err != nil || !a.Started {
		t.Fatalf("second approval: %+v %v", a, err)
	}
	if r, err := st.Retracted(ctx, "1", storage.Claimer{Name: "Ana"}); !r.First || err != nil {
		t.Fatalf("retract the published warning: %+v %v", r, err)
	}
}

// The retraction's scripts on a Redis Cluster: each stays in one hash tag.
func TestRetractionOnRedisCluster(t *testing.T) {
	cl := redistest.StartCluster(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
	st, err := storage.New(cl.Client(), kr, storage.Options{Prefix: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	id := publishTo(t, st, 3)
	ds, err := st.PendingDeliveries(ctx, 5)
	if err != nil || len(ds) != 3 {
		t.Fatalf("deliveries: %d %v", len(ds), err)
	}
	for _, d := range ds[:2] {
		if ok, err := st.ClaimDelivery(ctx, d); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
	}
	if err := st.Delivered(ctx, id, ds[0].Sub, []string{"1"}); err != nil {
		t.Fatal(err)
	}
	if r, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); !r.First || err != nil {
		t.Fatalf("retract: %+v %v", r, err)
	}
	if err := st.Retry(ctx, id, ds[1].Sub); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.ClaimDelivery(ctx, ds[2]); ok || err != nil {
		t.Fatalf("claim after the retraction: %v %v", ok, err)
	}
	if err := st.Delivered(ctx, id, ds[2].Sub, []string{"3"}); err != nil {
		t.Fatalf("delivered after the retraction: %v", err)
	}
	if ds, err := st.PendingDeliveries(ctx, 5); err != nil || len(ds) != 0 {
		t.Fatalf("pending after the retraction: %d %v", len(ds), err)
	}
	ws, err := st.PendingWithdrawals(ctx, 5)
	if err != nil || len(ws) != 1 { // the one never claimed was never sent
		t.Fatalf("to withdraw: %+v %v", ws, err)
	}
	for i := range ws {
		if err := st.CopiesRemoved(ctx, &ws[i], true); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.ClaimCorrection(ctx, &ws[i]); !ok || err != nil {
			t.Fatalf("claim correction: %v %v", ok, err)
		}
		if err := st.Corrected(ctx, &ws[i], storage.CorrectionPosted); err != nil {
			t.Fatal(err)
		}
	}
	if p, done, err := st.RetractionProgress(ctx, id); err != nil || !done || p.Corrected != 1 || p.Deleted != 1 {
		t.Fatalf("retraction progress %+v %v %v", p, done, err)
	}
}
