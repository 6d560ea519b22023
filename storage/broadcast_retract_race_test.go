package storage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// Two broadcasters (webhook replicas). A claims a destination and is
// sending; the retraction turns its "s:" into "R"; B withdraws it (no
// message ids yet: nothing to delete) and deals with the correction; then
// A records the delivery. The copy A delivered is still deleted, and the
// correction is not posted again. With B's correction still claimed when
// A records, its outcome is kept too.
// Mutation: delivered re-queuing only "R" and "s:" (as before) → nothing
// is listed after A's delivery, message 77 stays up.
func TestRetractRacesDeliveryAcrossProcesses(t *testing.T) {
	for _, claimedOnly := range []bool{false, true} {
		ctx := context.Background()
		st, id, d := retractedWhileSending(t)
		ds := []storage.Delivery{d}
		ws, _ := st.PendingWithdrawals(ctx, 10) // process B
		if len(ws) != 1 || len(ws[0].MessageIDs) != 0 {
			t.Fatalf("withdrawals %+v", ws)
		}
		b := ws[0]
		st.CopiesRemoved(ctx, &b, false)
		if ok, _ := st.ClaimCorrection(ctx, &b); !ok {
			t.Fatal("correction not claimed")
		}
		if !claimedOnly {
			st.Corrected(ctx, &b, storage.CorrectionPosted)
			// B finds the withdrawal done and the broadcast leaves the
			// active set before A's copy is recorded: it must be listed
			// all the same.
			st.FinishBroadcast(ctx, id)
		}
		// process A's send returns now
		if err := st.Delivered(ctx, id, ds[0].Sub, []string{"77"}); err != nil {
			t.Fatal(err)
		}
		if claimedOnly {
			st.Corrected(ctx, &b, storage.CorrectionPosted) // B's send returns
		}
		ws, _ = st.PendingWithdrawals(ctx, 10)
		if len(ws) != 1 || !slices.Equal(ws[0].MessageIDs, []string{"77"}) || ws[0].Correct() {
			t.Fatalf("claimed only %v: withdrawals %+v: message 77 is not to delete", claimedOnly, ws)
		}
		a := ws[0]
		if err := st.CopiesRemoved(ctx, &a, true); err != nil {
			t.Fatal(err)
		}
		if ok, _ := st.ClaimCorrection(ctx, &a); ok {
			t.Errorf("claimed only %v: the correction would go out twice", claimedOnly)
		}
		if ws, _ := st.PendingWithdrawals(ctx, 10); len(ws) != 0 {
			t.Errorf("claimed only %v: still listed %+v", claimedOnly, ws)
		}
		p, done, _ := st.RetractionProgress(ctx, id)
		if want := (storage.RetractProgress{Total: 1, Deleted: 1, Corrected: 1}); !done || p != want {
			t.Errorf("claimed only %v: progress %+v done %v, want %+v", claimedOnly, p, done, want)
		}
	}
}

// A 429 part way through deleting a copy delivered after the correction
// was dealt with keeps what is left to delete, and the correction still
// dealt with: it is not posted again.
// Mutation: CopiesLeft always moving to "R" → the correction can be
// claimed again.
func TestCopiesLeftAfterTheCorrectionKeepsItDealtWith(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := publishTo(t, st, 1)
	ds, _ := st.PendingDeliveries(ctx, 10)
	if ok, err := st.ClaimDelivery(ctx, ds[0]); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); err != nil {
		t.Fatal(err)
	}
	ws, _ := st.PendingWithdrawals(ctx, 10)
	b := ws[0]
	st.CopiesRemoved(ctx, &b, false)
	st.ClaimCorrection(ctx, &b)
	st.Corrected(ctx, &b, storage.CorrectionPosted)
	if err := st.Delivered(ctx, id, ds[0].Sub, []string{"77", "78"}); err != nil {
		t.Fatal(err)
	}
	ws, _ = st.PendingWithdrawals(ctx, 10)
	a := ws[0]
	if err := st.CopiesLeft(ctx, &a, []string{"78"}); err != nil { // 429 on 78
		t.Fatal(err)
	}
	ws, _ = st.PendingWithdrawals(ctx, 10)
	if len(ws) != 1 || !slices.Equal(ws[0].MessageIDs, []string{"78"}) {
		t.Fatalf("withdrawals %+v: want 78 left", ws)
	}
	a = ws[0]
	st.CopiesRemoved(ctx, &a, true)
	if ok, _ := st.ClaimCorrection(ctx, &a); ok {
		t.Error("the correction would go out twice")
	}
	p, done, _ := st.RetractionProgress(ctx, id)
	if want := (storage.RetractProgress{Total: 1, Deleted: 1, Corrected: 1}); !done || p != want {
		t.Errorf("progress %+v done %v, want %+v", p, done, want)
	}
}

// A copy whose send returns after its warning was purged (/purge N now)
// records nothing: the purge removed every record naming the warning, and
// the late delivery recreated its broadcast's (sealed chat included).
// Mutation: the delivered script without its EXISTS check → the record is back.
func TestDeliveryAfterAPurgeRecordsNothing(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := publishTo(t, st, 1)
	ds, _ := st.PendingDeliveries(ctx, 10)
	if ok, err := st.ClaimDelivery(ctx, ds[0]); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := st.Purge(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := st.Delivered(ctx, id, ds[0].Sub, []string{"77"}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Client().Exists(ctx, "t:{bc}:job:"+id).Val(); n != 0 {
		t.Fatalf("the purged broadcast's record is back: %v", srv.Client().HGetAll(ctx, "t:{bc}:job:"+id).Val())
	}
}
