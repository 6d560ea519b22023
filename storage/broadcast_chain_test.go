package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// chainShown is the approval of key for warning id, a duplicate, as
// /publish gives it: with its duplicate mark, its decision number, and
// the tips on the way to its original (read here: one, its DuplicateOf),
// each with its decision number as read.
func chainShown(t *testing.T, st *storage.Store, id, key string) storage.PublishApproval {
	t.Helper()
	a := shown(t, st, id, key)
	orig, err := st.Tip(context.Background(), a.DuplicateOf)
	if err != nil {
		t.Fatal(err)
	}
	a.Chain = []storage.ChainLink{{ID: a.DuplicateOf, Decision: orig.Decision}}
	return a
}

// A warning A marked a duplicate of a reporter's tip B may be published
// (B never goes out); but B marked a duplicate of warning W between the
// approver's reading of the chain and the approval makes A a duplicate of
// W: the approval is refused, whether B's mark is recorded by then or
// still under way, and once the mark lapsed (its process died) the
// approval given on the chain as it stands counts.
// Mutation: the approve script without its chain check -> the approvals
// racing B's mark start the broadcast.
func TestDuplicateMarkOnTheChainRacingApprovalWins(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	a := warningToApprove(t, st)
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "8"), "retén falso en el km 23, otra vez", "es", 2, "")
	if err != nil {
		t.Fatal(err)
	}
	b := submit(t, st, "7", 3, "", false)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	if err := st.Decide(ctx, a, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: b}); err != nil {
		t.Fatal(err)
	}

	// Recorded between the reading and the approval.
	shownBefore := chainShown(t, st, a, "inv-a")
	storage.BeforeApprove(t, func() {
		if err := st.Decide(ctx, b, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: w.TipID}); err != nil {
			t.Error(err)
		}
	})
	if r, err := st.ApprovePublication(ctx, a, shownBefore); err != nil || !r.Duplicate || r.Started {
		t.Fatalf("approval as the chain's tip was marked a duplicate %+v %v: want refused as a duplicate", r, err)
	}
	storage.BeforeApprove(t, nil)

	// Under way (marked, not yet recorded) as the approval is recorded.
	if err := st.Decide(ctx, b, bob, storage.Decision{Status: tips.StatusNew}); err != nil {
		t.Fatal(err)
	}
	storage.BeforeDecide(t, func() {
		if r, err := st.ApprovePublication(ctx, a, chainShown(t, st, a, "inv-a")); err != nil || !r.Duplicate || r.Started {
			t.Errorf("approval as the chain's tip was being marked a duplicate %+v %v: want refused as a duplicate", r, err)
		}
	})
	if err := st.Decide(ctx, b, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: w.TipID}); err != nil {
		t.Fatal(err)
	}
	storage.BeforeDecide(t, nil)

	// A mark whose process died before its decision lapses: then the
	// chain as it stands (B open again) is approved.
	if err := st.Decide(ctx, b, bob, storage.Decision{Status: tips.StatusNew}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkDuplicate(ctx, b, w.TipID); err != nil {
		t.Fatal(err)
	}
	if r, err := st.ApprovePublication(ctx, a, chainShown(t, st, a, "inv-a")); err != nil || !r.Duplicate || r.Started {
		t.Fatalf("approval while the chain's tip has a mark under way %+v %v: want refused", r, err)
	}
	clk.Add(storage.VetoLease + time.Second)
	if r, err := st.ApprovePublication(ctx, a, chainShown(t, st, a, "inv-a")); err != nil || !r.Started {
		t.Fatalf("approval once that mark lapsed %+v %v: want started", r, err)
	}
}
