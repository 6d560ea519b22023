package storage_test

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// Two investigators send the same edited text at the same moment: each
// read the publication before the other's approval was written. Both
// approve one revision, and with two approvals needed the broadcast
// starts, the edited text going out.
// Mutation: the approve script bumping the revision whenever a text is
// passed (no MAC comparison) → two revisions of one approval each,
// never started.
func TestSameEditApprovedAtOnceIsOneRevision(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	if err := st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-100", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "9"), "retén falso", "es", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	const edited = "retén falso en el km 23"
	var b storage.Approval
	var bErr error
	once := false
	storage.BeforeApprove(t, func() {
		if once {
			return
		}
		once = true // A has read the publication; B's approval goes first
		b, bErr = st.ApprovePublication(ctx, w.TipID, storage.PublishApproval{By: storage.Claimer{Key: "inv-b", Route: "telegram:2"}, Text: edited, Needed: 2})
	})
	a, err := st.ApprovePublication(ctx, w.TipID, storage.PublishApproval{By: storage.Claimer{Key: "inv-a", Route: "telegram:1"}, Text: edited, Needed: 2})
	if err != nil || bErr != nil {
		t.Fatal(err, bErr)
	}
	if b.Approvals != 1 || b.Started || a.Approvals != 2 || !a.Started {
		t.Fatalf("B %+v, A %+v: want one revision approved twice, started", b, a)
	}
	p, err := st.PendingPublication(ctx, w.TipID, nil)
	if err != nil || p.Text != edited || p.Revision != 1 || !p.Published {
		t.Errorf("publication %+v %v", p, err)
	}
}
