package storage_test

import (
	"context"
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
