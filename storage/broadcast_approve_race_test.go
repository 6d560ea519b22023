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

// Two investigators send the same edit of a text that cannot be read at
// the same moment: the first replaces the damaged record, the second
// approves that revision (as for a readable text), and with two
// approvals needed it starts.
// Mutation: the approve script replacing the text whenever the current
// one was unreadable as read (ARGV[10] a bare flag) → two revisions of
// one approval each, never started.
func TestSameEditOfUnreadableTextAtOnceIsOneRevision(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := warningToApprove(t, st)
	const edited = "retén falso en la carretera"
	if a, err := st.ApprovePublication(ctx, id, storage.PublishApproval{By: storage.Claimer{Key: "inv-c", Route: "telegram:3"}, Text: edited, Needed: 2}); err != nil || a.Approvals != 1 {
		t.Fatalf("first edit %+v %v", a, err)
	}
	key := "t:{bc}:pub:" + id
	v, err := srv.Client().HGet(ctx, key, "text").Result()
	if err != nil || v == "" {
		t.Fatalf("no edited text: %v", err)
	}
	if err := srv.Client().HSet(ctx, key, "text", v[:len(v)/2]).Err(); err != nil {
		t.Fatal(err)
	}
	var b storage.Approval
	var bErr error
	once := false
	storage.BeforeApprove(t, func() {
		if once {
			return
		}
		once = true // A has read the damaged record; B's edit goes first
		b, bErr = st.ApprovePublication(ctx, id, storage.PublishApproval{By: storage.Claimer{Key: "inv-b", Route: "telegram:2"}, Text: edited, Needed: 2})
	})
	a, err := st.ApprovePublication(ctx, id, storage.PublishApproval{By: storage.Claimer{Key: "inv-a", Route: "telegram:1"}, Text: edited, Needed: 2})
	if err != nil || bErr != nil {
		t.Fatal(err, bErr)
	}
	if b.Approvals != 1 || b.Started || a.Approvals != 2 || !a.Started {
		t.Fatalf("B %+v, A %+v: want the damaged record replaced once, approved twice, started", b, a)
	}
	p, err := st.PendingPublication(ctx, id, nil)
	if err != nil || p.Unreadable || p.Text != edited || !p.Published {
		t.Errorf("publication %+v %v", p, err)
	}
}
