package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A dismissal whose decide script ran, its reply lost, and which go-redis
// ran again more than the lease after its mark: meanwhile an approval
// settled the lapsed mark (the dismissal recorded: its after-step
// applied) and the team verified the warning again. The retry finds its
// token and records nothing: the dismissal is recorded once, the later
// verification stands, and the warning can be published.
// Mutation: settleLapsedVetoes dropping the token it settled (as before)
// -> the retry records the dismissal a second time, over the
// verification (tip dismissed, approval refused); expireTip setting the
// lifetime whatever the last decision -> the verified tip lives 30 days.
func TestDecisionRetriedPastItsLeaseIsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	h := &decideReplyLost{twice: true}
	st, clk, rdb := hookedStoreClient(t, h)
	id := warningToApprove(t, st)
	carol := storage.Claimer{Key: "inv-c", Name: "Carol"}
	var before int64
	h.between = func() {
		clk.Add(storage.VetoLease + time.Second)
		if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 2)); err != nil || !a.Dismissed {
			t.Errorf("approval as the dismissal's mark lapsed, recorded %+v %v: want refused as dismissed", a, err)
		}
		if err := st.Decide(ctx, id, carol, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Error(err)
		}
		tp, err := st.Tip(ctx, id)
		if err != nil {
			t.Error(err)
		}
		before = tp.Decision
	}
	h.armed.Store(true)
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed}); err != nil {
		t.Fatalf("the dismissal, retried: %v", err)
	}
	if h.armed.Load() {
		t.Fatal("the decide script was not run")
	}
	tp, err := st.Tip(ctx, id)
	if err != nil || tp.Status != tips.StatusVerified || tp.Decision != before {
		t.Fatalf("tip after the late retry: %s, decision %d (was %d) %v: want verified, no decision recorded since", tp.Status, tp.Decision, before, err)
	}
	if ttl := rdb.PTTL(ctx, st.TipKey(id)).Val(); ttl < 300*24*time.Hour {
		t.Fatalf("the verified warning lives %v after the late retry, want a verified tip's year", ttl)
	}
	if a, err := st.ApprovePublication(ctx, id, shown(t, st, id, "inv-a")); err != nil || a.Dismissed || !a.Started {
		t.Fatalf("approval of the verified warning %+v %v: want started", a, err)
	}
}
