package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A warning B published, then marked a duplicate of warning W (directly,
// or through a reporter's tip marked a duplicate of W since): W's
// approval is refused, naming B, or the communities get the warning twice;
// also while B's mark is under way, not yet recorded. B's mark changed
// since (B verified), W's approval goes through.
// Mutation: the approve script without its walk over W's duplicates ->
// W's approval starts the broadcast.
func TestPublishedDuplicateRefusesTheOriginal(t *testing.T) {
	ctx := context.Background()
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	for _, through := range []bool{false, true} {
		st, _, clk := newStore(t)
		b := warningToApprove(t, st)
		if r, err := st.ApprovePublication(ctx, b, shown(t, st, b, "inv-a")); err != nil || !r.Started {
			t.Fatalf("B's approval %+v %v", r, err)
		}
		w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "8"), "retén falso en el km 23, otra vez", "es", 2, "")
		if err != nil {
			t.Fatal(err)
		}
		orig := w.TipID
		if through {
			orig = submit(t, st, "7", 3, "", false) // B -> reporter's tip -> W
		}
		if err := st.Decide(ctx, b, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: orig}); err != nil {
			t.Fatal(err)
		}
		if through {
			if err := st.Decide(ctx, orig, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: w.TipID}); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := st.ApprovePublication(ctx, w.TipID, shown(t, st, w.TipID, "inv-a")); err != nil || r.Started || r.PublishedDuplicate != b {
			t.Fatalf("through a tip %v: W's approval with B published, a duplicate of it: %+v %v; want refused naming #%s", through, r, err, b)
		}
		if p, err := st.PendingPublication(ctx, w.TipID, nil); err != nil || p.Approvals != 0 {
			t.Fatalf("refused, yet recorded: %+v %v", p, err)
		}

		// B verified: not a duplicate any more; then being marked one
		// again (under way), W's approval is refused; once that mark
		// lapsed unrecorded, it goes through.
		if err := st.Decide(ctx, b, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.MarkDuplicate(ctx, b, orig); err != nil {
			t.Fatal(err)
		}
		if r, err := st.ApprovePublication(ctx, w.TipID, shown(t, st, w.TipID, "inv-a")); err != nil || r.Started || r.PublishedDuplicate != b {
			t.Fatalf("through a tip %v: W's approval as B is being marked its duplicate: %+v %v; want refused naming #%s", through, r, err, b)
		}
		clk.Add(storage.VetoLease + time.Second)
		if r, err := st.ApprovePublication(ctx, w.TipID, shown(t, st, w.TipID, "inv-a")); err != nil || !r.Started {
			t.Fatalf("through a tip %v: W's approval once B's mark lapsed unrecorded: %+v %v; want started", through, r, err)
		}
	}
}
