package storage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// retractedWhileSending publishes a warning to one destination, claims it
// (being sent) and retracts the warning: the copy lands afterwards.
func retractedWhileSending(t *testing.T) (*storage.Store, string, storage.Delivery) {
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
	return st, id, ds[0]
}

// correctedNow deletes w's copies (deleted says whether they were) and
// posts its correction, as one broadcaster does.
func correctedNow(t *testing.T, st *storage.Store, w storage.Withdrawal, deleted bool, why string) {
	t.Helper()
	ctx := context.Background()
	st.CopiesRemoved(ctx, &w, deleted)
	if ok, _ := st.ClaimCorrection(ctx, &w); !ok {
		t.Fatal(why)
	}
	st.Corrected(ctx, &w, storage.CorrectionPosted)
}

// B's correction refused (a 429) while A recorded a late copy (RDs): the
// copy is still to delete and the correction still to post, so the
// destination is listed again (it was "RDc", never listed, while the
// report waited on it for good).
// Mutation: corrected writing "RD"..outcome for outcome c → not listed.
func TestBroadcastCorrectionRefusedWhileLateCopyIsWithdrawnAgain(t *testing.T) {
	ctx := context.Background()
	st, id, d := retractedWhileSending(t)
	ws, _ := st.PendingWithdrawals(ctx, 10)
	b := ws[0]
	st.CopiesRemoved(ctx, &b, false)
	if ok, _ := st.ClaimCorrection(ctx, &b); !ok {
		t.Fatal("not claimed")
	}
	st.Delivered(ctx, id, d.Sub, []string{"77"})
	st.Corrected(ctx, &b, storage.CorrectionRefused)
	ws, _ = st.PendingWithdrawals(ctx, 10)
	if len(ws) != 1 || !slices.Equal(ws[0].MessageIDs, []string{"77"}) || ws[0].Correct() {
		t.Fatalf("withdrawals %+v, want copy 77 to delete", ws)
	}
	correctedNow(t, st, ws[0], true, "correction not claimed again")
	p, done, _ := st.RetractionProgress(ctx, id)
	if !done || p.Deleted != 1 || p.Corrected != 1 {
		t.Errorf("progress %+v done %v", p, done)
	}
}

// A destination left "RDc" by an earlier version (a late copy, its
// correction refused) is listed: its copy deleted, it is corrected.
// Mutation: withdrawal() not listing "RDc" → never listed, never done.
func TestBroadcastWithdrawalListsLegacyRDc(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := publishTo(t, st, 1)
	ds, _ := st.PendingDeliveries(ctx, 10)
	st.ClaimDelivery(ctx, ds[0])
	st.Delivered(ctx, id, ds[0].Sub, []string{"77"})
	st.Retracted(ctx, id, storage.Claimer{Name: "Ana"})
	srv.Client().HSet(ctx, "t:{bc}:job:"+id, ds[0].Sub.Key, "RDc")
	ws, _ := st.PendingWithdrawals(ctx, 10)
	if len(ws) != 1 || !slices.Equal(ws[0].MessageIDs, []string{"77"}) || ws[0].Correct() {
		t.Fatalf("withdrawals %+v, want copy 77 to delete", ws)
	}
	correctedNow(t, st, ws[0], true, "correction not claimed")
	if p, done, _ := st.RetractionProgress(ctx, id); !done || p.Deleted != 1 || p.Corrected != 1 {
		t.Errorf("progress %+v done %v", p, done)
	}
}

// B claims the correction (Rs0), A's late copy lands (RDs), C deletes it
// (back to Rs1) before B records its correction posted: B's outcome is
// recorded, with C's deletion, not left unconfirmed.
// Mutation: corrected accepting only its own claim or "RDs" → the
// correction counted unconfirmed.
func TestBroadcastCorrectionOutcomeAfterLateCopyDeleted(t *testing.T) {
	ctx := context.Background()
	st, id, d := retractedWhileSending(t)
	ws, _ := st.PendingWithdrawals(ctx, 10)
	b := ws[0]
	st.CopiesRemoved(ctx, &b, false)
	st.ClaimCorrection(ctx, &b)
	st.Delivered(ctx, id, d.Sub, []string{"77"})
	ws, _ = st.PendingWithdrawals(ctx, 10)
	c := ws[0]
	st.CopiesRemoved(ctx, &c, true)
	st.Corrected(ctx, &b, storage.CorrectionPosted)
	p, done, _ := st.RetractionProgress(ctx, id)
	if !done || p.Corrected != 1 || p.Deleted != 1 || p.Unconfirmed != 0 {
		t.Errorf("progress %+v done %v", p, done)
	}
}

// A's long warning fails part way after B withdrew the destination (no
// copy yet: corrected, Rd0): the part that went out is still deleted,
// and the correction not posted again.
// Mutation: PartlySent writing the record without looking at the state
// → part 77 never listed, never deleted.
func TestBroadcastPartlySentAfterWithdrawalIsDeleted(t *testing.T) {
	ctx := context.Background()
	st, id, d := retractedWhileSending(t)
	ws, _ := st.PendingWithdrawals(ctx, 10)
	b := ws[0]
	st.CopiesRemoved(ctx, &b, false)
	st.ClaimCorrection(ctx, &b)
	st.Corrected(ctx, &b, storage.CorrectionPosted)
	st.PartlySent(ctx, id, d.Sub, []string{"77"})
	ws, _ = st.PendingWithdrawals(ctx, 10)
	if len(ws) != 1 || !slices.Equal(ws[0].MessageIDs, []string{"77"}) {
		t.Fatalf("withdrawals %+v, want part 77 to delete", ws)
	}
	w := ws[0]
	st.CopiesRemoved(ctx, &w, true)
	if w.Correct() {
		t.Error("correction to post again")
	}
	if p, done, _ := st.RetractionProgress(ctx, id); !done || p.Deleted != 1 || p.Corrected != 1 {
		t.Errorf("progress %+v done %v", p, done)
	}
}

// B lists the destination as "R" with no copy recorded yet, A's copy
// lands (still "R"), B finds nothing to delete: B's step must not move it
// on to the correction, or copy 77 is never deleted.
// Mutation: CopiesRemoved advancing on the state alone (not checking the
// record B listed) → R becomes Rc0 and 77 stays up.
func TestBroadcastCopyDeliveredAfterListingIsDeletedNextRound(t *testing.T) {
	ctx := context.Background()
	st, id, d := retractedWhileSending(t)
	ws, _ := st.PendingWithdrawals(ctx, 10)
	b := ws[0]
	st.Delivered(ctx, id, d.Sub, []string{"77"}) // A's send returns
	st.CopiesRemoved(ctx, &b, false)             // B found nothing to delete
	if b.Correct() {
		t.Error("B goes on to the correction")
	}
	ws, _ = st.PendingWithdrawals(ctx, 10)
	if len(ws) != 1 || !slices.Equal(ws[0].MessageIDs, []string{"77"}) || ws[0].Correct() {
		t.Fatalf("withdrawals %+v, want copy 77 to delete", ws)
	}
	w := ws[0]
	st.CopiesRemoved(ctx, &w, true)
	st.ClaimCorrection(ctx, &w)
	st.Corrected(ctx, &w, storage.CorrectionPosted)
	if p, done, _ := st.RetractionProgress(ctx, id); !done || p.Deleted != 1 || p.Corrected != 1 {
		t.Errorf("progress %+v done %v", p, done)
	}
}

// C, listed before a copy was recorded, keeps only what it has left to
// delete (a 429): the copies recorded since it listed are not erased.
// Mutation: CopiesLeft not checking the record → C overwrites copies
// recorded since it listed.
func TestBroadcastCopiesLeftKeepsCopiesRecordedSinceListing(t *testing.T) {
	ctx := context.Background()
	st, id, d := retractedWhileSending(t)
	ws, _ := st.PendingWithdrawals(ctx, 10)
	c := ws[0]                                         // listed as "R", no copy yet
	st.Delivered(ctx, id, d.Sub, []string{"77", "78"}) // A's send returns
	st.CopiesLeft(ctx, &c, nil)                        // C: nothing was left
	ws, _ = st.PendingWithdrawals(ctx, 10)
	if len(ws) != 1 || !slices.Equal(ws[0].MessageIDs, []string{"77", "78"}) {
		t.Fatalf("withdrawals %+v, want copies 77 and 78 to delete", ws)
	}
}
