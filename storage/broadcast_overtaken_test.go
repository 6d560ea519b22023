package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A dismissal overtaken by a verification recorded after it, whose
// after-step stalls past the lease (the next approval settles its mark)
// and lands late: an approval given on the verification (its approver was
// shown it) still counts; one given before the dismissal does not.
// Mutation: afterDecision's script dropping every approval on a dismissal
// (no "an:" comparison) -> Ana's approval is dropped, Cy's alone does not
// start the broadcast.
func TestOvertakenDismissalKeepsApprovalsGivenAfterTheVerification(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	id := warningToApprove(t, st)
	before := approval("inv-d", 2)
	if r, err := st.ApprovePublication(ctx, id, before); err != nil || r.Approvals != 1 {
		t.Fatalf("approval before the dismissal %+v %v", r, err)
	}
	raced := false
	storage.AfterDecide(t, func() {
		if raced {
			return
		}
		raced = true // the dismissal is recorded; its after-step waits
		if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-c", Name: "Cy"}, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Error(err)
		}
		clk.Add(storage.VetoLease + time.Second)
		a := shown(t, st, id, "inv-a")
		a.Needed = 2
		if r, err := st.ApprovePublication(ctx, id, a); err != nil || r.Dismissed || r.Started {
			t.Errorf("Ana's approval of the verified warning %+v %v: want recorded", r, err)
		}
	})
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed}); err != nil || !raced {
		t.Fatalf("dismissal: %v (raced %v)", err, raced)
	}
	if p, err := st.PendingPublication(ctx, id, nil); err != nil || p.Approvals != 1 {
		t.Fatalf("after the dismissal's late after-step: %+v %v; want Ana's approval alone", p, err)
	}
	a := shown(t, st, id, "inv-c")
	a.Needed = 2
	if r, err := st.ApprovePublication(ctx, id, a); err != nil || !r.Started {
		t.Fatalf("Cy's approval, the second given on the verification: %+v %v; want started", r, err)
	}
}

// A dismissal overtaken by a verification recorded after it, its
// after-steps landing late: the history lists the decisions in the order
// they were recorded, the verification last, as the tip stands.
// Mutation: Decide appending its history entry after its after-steps (not
// in the decide script) -> the history ends with "dismissed".
func TestOvertakenDismissalHistoryEndsWithTheVerification(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := warningToApprove(t, st)
	raced := false
	storage.AfterDecide(t, func() {
		if raced {
			return
		}
		raced = true // the dismissal is recorded; its after-steps wait
		if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-c", Name: "Cy"}, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Error(err)
		}
	})
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed}); err != nil || !raced {
		t.Fatalf("dismissal: %v (raced %v)", err, raced)
	}
	tp, err := st.Tip(ctx, id)
	if err != nil || tp.Status != tips.StatusVerified {
		t.Fatalf("tip %v %v: want verified", tp.Status, err)
	}
	var got []string
	for _, e := range tp.History {
		if e.Kind == tips.EntryStatus {
			got = append(got, e.Who+" "+e.Text)
		}
	}
	if want := []string{"Bob dismissed", "Cy verified"}; !slices.Equal(got, want) {
		t.Fatalf("history %q, want %q", got, want)
	}
}

// A decision whose decide script go-redis runs a second time (its reply
// lost: a timeout, a dropped connection) is recorded once: one history
// entry, one decision number, whatever the status (a verification makes
// no mark on the publication, so no token of its own before).
// Mutation: Decide passing no token for a decision that makes no mark ->
// the verification shows twice in the history (and counts two decisions).
func TestDecisionRunTwiceIsInTheHistoryOnce(t *testing.T) {
	ctx := context.Background()
	for _, status := range []tips.Status{tips.StatusVerified, tips.StatusDismissed, tips.StatusEscalated} {
		h := &decideReplyLost{twice: true}
		st, _ := hookedStore(t, h)
		id := warningToApprove(t, st)
		h.armed.Store(true)
		if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-c", Name: "Cy"}, storage.Decision{Status: status}); err != nil {
			t.Fatalf("%s, run twice: %v", status, err)
		}
		if h.armed.Load() {
			t.Fatal("the decide script was not run")
		}
		tp, err := st.Tip(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range tp.History {
			if e.Kind == tips.EntryStatus {
				got = append(got, e.Who+" "+e.Text)
			}
		}
		if want := []string{"Cy " + string(status)}; !slices.Equal(got, want) || tp.Decision != 1 {
			t.Fatalf("history %q, decision %d; want %q, decision 1", got, tp.Decision, want)
		}
	}
}
