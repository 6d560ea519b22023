package storage_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// warningToApprove subscribes a community and stores a warning, ready to
// be approved; it returns the warning's id.
func warningToApprove(t *testing.T, st *storage.Store) string {
	t.Helper()
	ctx := context.Background()
	if err := st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-100", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "9"), "retén falso en el km 23", "es", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	return w.TipID
}

func approval(key string, needed int) storage.PublishApproval {
	return storage.PublishApproval{By: storage.Claimer{Key: key, Route: "telegram:" + key}, Needed: needed}
}

// A dismissal landing between an approval's checks and its script: the
// approval is refused, nothing is published.
// Mutation: the approve script without its "veto" check → published.
func TestDismissalRacingApprovalWins(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := warningToApprove(t, st)
	storage.BeforeApprove(t, func() {
		if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed}); err != nil {
			t.Error(err)
		}
	})
	a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1))
	if err != nil || !a.Dismissed || a.Started {
		t.Fatalf("approval %+v %v: want refused as dismissed", a, err)
	}
	p, err := st.PendingPublication(ctx, id, nil)
	if err != nil || p.Published || p.Approvals != 0 {
		t.Fatalf("publication %+v %v", p, err)
	}
}

// Approvals given before a dismissal do not count once the warning is
// verified again: the team approves it anew. A dismissal refused (the
// tip decided since) changes nothing: approvals stay, and none is refused.
// Mutation: afterDecision not dropping approvals → Bob's approval starts
// it; Decide not taking its veto back when refused → Ana's refused.
func TestDismissalClearsApprovals(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := warningToApprove(t, st)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}

	// Refused: the tip is not claimed, and a button acts only on one that is.
	err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusDismissed, WhileClaimed: true})
	if de := new(storage.DecidedError); !errors.As(err, &de) {
		t.Fatalf("decision on an unclaimed tip: %v", err)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 2)); err != nil || a.Dismissed || a.Approvals != 1 {
		t.Fatalf("approval after a refused dismissal %+v %v", a, err)
	}

	if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusDismissed}); err != nil {
		t.Fatal(err)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-c", 2)); err != nil || !a.Dismissed {
		t.Fatalf("approval of a dismissed warning %+v %v", a, err)
	}
	if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	a, err := st.ApprovePublication(ctx, id, approval("inv-b", 2))
	if err != nil || a.Started || a.Approvals != 1 {
		t.Fatalf("first approval after verifying again %+v %v: want 1 of 2", a, err)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 2)); err != nil || !a.Started {
		t.Fatalf("second approval %+v %v: want started", a, err)
	}
}

// A dismissal refused (here: a button's, the tip no longer claimed) while
// another is recorded takes back its own veto, not the other's: the
// warning dismissed stays refused to every approval.
// Mutation: the refused dismissal deleting the veto (HDEL, as before)
// → the approval starts the publication of the dismissed warning.
func TestRefusedDismissalLeavesAnothersVeto(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := warningToApprove(t, st)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	raced := false
	storage.BeforeDecide(t, func() {
		if raced {
			return
		}
		raced = true
		if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-c", Name: "Cy"}, storage.Decision{Status: tips.StatusDismissed}); err != nil {
			t.Error(err)
		}
	})
	err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusDismissed, WhileClaimed: true})
	if de := new(storage.DecidedError); !errors.As(err, &de) || !raced {
		t.Fatalf("the button's dismissal: %v (raced %v)", err, raced)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Dismissed || a.Started {
		t.Fatalf("approval of a dismissed warning %+v %v: want refused as dismissed", a, err)
	}
	// Verified again, it takes approvals: no veto is left behind.
	if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Started {
		t.Fatalf("approval after verifying again %+v %v: want started", a, err)
	}
}

// A decision recorded between a dismissal's veto and the dismissal
// itself (here: verified again) takes the veto away; the dismissal,
// recorded last, stands, and so does its veto.
// Mutation: afterDecision of a dismissal only dropping the approvals
// (no veto kept) → the approval starts the publication.
func TestDismissalRecordedLastKeepsItsVeto(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := warningToApprove(t, st)
	raced := false
	storage.BeforeDecide(t, func() {
		if raced {
			return
		}
		raced = true
		if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-c", Name: "Cy"}, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Error(err)
		}
	})
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed}); err != nil || !raced {
		t.Fatalf("dismissal: %v (raced %v)", err, raced)
	}
	if tp, err := st.Tip(ctx, id); err != nil || tp.Status != tips.StatusDismissed {
		t.Fatalf("tip %+v %v: want dismissed", tp.Status, err)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Dismissed || a.Started {
		t.Fatalf("approval of a dismissed warning %+v %v: want refused as dismissed", a, err)
	}
}

// A dismissal overtaken by a decision recorded after it (verified again)
// whose after-step lands first: the tip reads verified, and the veto
// follows it, the last decision, not the dismissal's late after-step.
// Mutation: afterDecision's script applying a decision whatever its
// number (no "dn" comparison) → the approval is refused as dismissed.
func TestOvertakenDismissalLeavesNoVeto(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := warningToApprove(t, st)
	raced := false
	storage.AfterDecide(t, func() {
		if raced {
			return
		}
		raced = true // the dismissal is recorded; its after-step waits
		if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-c", Name: "Cy"}, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Error(err)
		}
	})
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed}); err != nil || !raced {
		t.Fatalf("dismissal: %v (raced %v)", err, raced)
	}
	if tp, err := st.Tip(ctx, id); err != nil || tp.Status != tips.StatusVerified {
		t.Fatalf("tip %+v %v: want verified", tp.Status, err)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || a.Dismissed || !a.Started {
		t.Fatalf("approval of a verified warning %+v %v: want started", a, err)
	}
}

// A process that died between a dismissal's mark and its decision: the
// mark refuses approvals while the dismissal may still be recorded, then
// the next approval settles it and counts.
// Mutation: the approve script taking lapsed marks as dismissals under
// way (no ARGV[11] cutoff) → the approval after the lease is refused.
func TestDismissalDiedBeforeRecordedLapses(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	id := warningToApprove(t, st)
	if _, err := st.MarkDismissal(ctx, id); err != nil {
		t.Fatal(err)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Dismissed {
		t.Fatalf("approval while a dismissal is under way %+v %v: want refused", a, err)
	}
	clk.Add(storage.VetoLease + time.Second)
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || a.Dismissed || !a.Started {
		t.Fatalf("approval once the mark lapsed %+v %v: want started", a, err)
	}
}

// A process that died after a dismissal was recorded, before its
// after-step: the approval that settles its lapsed mark finds it recorded
// and applies it, so the dismissed warning stays refused; verified again,
// it is approved.
// Mutation: settleLapsedVetoes dropping every lapsed mark (no settleVeto)
// → the dismissed warning is published.
func TestDismissalDiedAfterRecordedStands(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	id := warningToApprove(t, st)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	func() {
		defer func() { _ = recover() }()
		storage.AfterDecide(t, func() { panic("process died") })
		_ = st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusDismissed})
		t.Fatal("the dismissal went on")
	}()
	storage.AfterDecide(t, nil)
	clk.Add(storage.VetoLease + time.Second)
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Dismissed || a.Started {
		t.Fatalf("approval of a dismissed warning %+v %v: want refused as dismissed", a, err)
	}
	if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Started {
		t.Fatalf("approval after verifying again %+v %v: want started", a, err)
	}
}

// A dismissal stalled past the lease, an approval settling its mark
// meanwhile: the approval counts, and the dismissal is refused, not
// recorded behind the publication's back.
// Mutation: the decide script without its "vt:" check → the dismissal is
// recorded.
func TestDismissalStalledPastLeaseIsRefused(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	id := warningToApprove(t, st)
	var a storage.Approval
	var aErr error
	storage.BeforeDecide(t, func() {
		clk.Add(storage.VetoLease + time.Second)
		a, aErr = st.ApprovePublication(ctx, id, approval("inv-a", 1))
	})
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed}); err == nil {
		t.Fatal("a dismissal stalled past its lease was recorded")
	}
	if aErr != nil || !a.Started {
		t.Fatalf("approval meanwhile %+v %v: want started", a, aErr)
	}
	if tp, err := st.Tip(ctx, id); err != nil || tp.Status == tips.StatusDismissed {
		t.Fatalf("tip %+v %v: want not dismissed", tp.Status, err)
	}
}

// A duplicate mark landing between an approval's checks and its script,
// or under way as the approval's script runs: the approval, given
// without seeing it, is refused. Approved as a duplicate of the tip the
// approver was shown, it counts.
// Mutation: the approve script without its "dup" check → the first
// approval starts the publication; without the "u" kind of marks under
// way → the second is refused as dismissed.
func TestDuplicateMarkRacingApprovalWins(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := warningToApprove(t, st)
	dup := storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: "7"}
	storage.BeforeApprove(t, func() {
		if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, dup); err != nil {
			t.Error(err)
		}
	})
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Duplicate || a.Started {
		t.Fatalf("approval as the warning was marked a duplicate %+v %v: want refused", a, err)
	}
	storage.BeforeApprove(t, nil)
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	storage.BeforeDecide(t, func() {
		if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Duplicate || a.Started {
			t.Errorf("approval as a duplicate mark was under way %+v %v: want refused as a duplicate", a, err)
		}
	})
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: "8"}); err != nil {
		t.Fatal(err)
	}
	a := approval("inv-a", 1)
	a.DuplicateOf = "8"
	if a, err := st.ApprovePublication(ctx, id, a); err != nil || !a.Started {
		t.Fatalf("approval of the duplicate the approver was shown %+v %v: want started", a, err)
	}
}

// decideReplyLost runs the decide script of a tip (the one script with the
// triage stream among its keys) as a lost reply leaves it, once armed: it
// ran in Redis, then the client either got an error (lost: a timeout,
// the context cancelled), or ran it again (twice: go-redis retries a
// command whose connection dropped before the reply).
type decideReplyLost struct {
	armed atomic.Bool
	twice bool
	// between, if set, runs between the two runs (twice): what happened
	// meanwhile, however long the retry took.
	between func()
}

func (h *decideReplyLost) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *decideReplyLost) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *decideReplyLost) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if err != nil || !slices.Contains(cmd.Args(), any("t:{tips}:triage")) || !h.armed.CompareAndSwap(true, false) {
			return err
		}
		if h.twice {
			if h.between != nil {
				h.between()
			}
			return next(ctx, cmd)
		}
		cmd.SetErr(io.ErrUnexpectedEOF)
		return cmd.Err()
	}
}

// A dismissal recorded whose reply was lost, or whose script ran again
// after a dropped connection: the warning is dismissed, so no approval
// may publish it, neither at once nor once its mark lapsed.
// Mutation: Decide taking its mark back on the script's error → the
// first approval (lost) starts the publication; the decide script taking
// its own token recorded by the first run for a lapsed mark (-1) → the
// same (twice).
func TestDismissalWithLostReplyStands(t *testing.T) {
	for _, twice := range []bool{false, true} {
		ctx := context.Background()
		h := &decideReplyLost{twice: twice}
		st, clk := hookedStore(t, h)
		id := warningToApprove(t, st)
		h.armed.Store(true)
		err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed})
		if h.armed.Load() || (err == nil) == !twice {
			t.Fatalf("twice %v: dismissal %v (hook armed %v)", twice, err, h.armed.Load())
		}
		if tp, err := st.Tip(ctx, id); err != nil || tp.Status != tips.StatusDismissed {
			t.Fatalf("twice %v: tip %+v %v: want dismissed", twice, tp.Status, err)
		}
		if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Dismissed || a.Started {
			t.Fatalf("twice %v: approval of the dismissed warning %+v %v: want refused", twice, a, err)
		}
		clk.Add(storage.VetoLease + time.Second)
		if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Dismissed || a.Started {
			t.Fatalf("twice %v: approval past the lease %+v %v: want refused", twice, a, err)
		}
	}
}

// decideLosingAfterStep records decision d of warning id as a process that
// died between the decision and its after-step on the publication leaves
// it: recorded on the tip, the publication as it was.
func decideLosingAfterStep(t *testing.T, st *storage.Store, id string, d storage.Decision) {
	t.Helper()
	defer func() { _ = recover() }()
	storage.AfterDecide(t, func() { panic("process died") })
	defer storage.AfterDecide(t, nil)
	_ = st.Decide(context.Background(), id, storage.Claimer{Key: "inv-b", Name: "Bob"}, d)
	t.Fatal("the decision went on")
}

// shown is the approval of key for a warning as /publish gives it: with
// the duplicate mark and the decision number it was shown.
func shown(t *testing.T, st *storage.Store, id, key string) storage.PublishApproval {
	t.Helper()
	tp, err := st.Tip(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	a := approval(key, 1)
	a.DuplicateOf, a.Decision = tp.DuplicateOf, tp.Decision
	return a
}

// A decision recorded whose after-step was lost (the process died, or its
// reply was lost, between the two) leaves the veto of a dismissal, or the
// duplicate mark, recorded before it: an approval given on the warning as
// it stands now (verified) is not refused for it, and the publication
// follows that decision from then on. A dismissal recorded after it
// refuses an approval shown the decision before.
// Mutation: the approve script without its ARGV[13] stand-in → the first
// approval is refused (as dismissed; as a duplicate).
func TestLostAfterStepGivesWayToLaterDecision(t *testing.T) {
	ctx := context.Background()
	for _, before := range []storage.Decision{
		{Status: tips.StatusDismissed},
		{Status: tips.StatusDuplicate, DuplicateOf: "7"},
	} {
		st, _, _ := newStore(t)
		id := warningToApprove(t, st)
		bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
		if err := st.Decide(ctx, id, bob, before); err != nil {
			t.Fatal(err)
		}
		decideLosingAfterStep(t, st, id, storage.Decision{Status: tips.StatusVerified})
		ana, cy := shown(t, st, id, "inv-a"), shown(t, st, id, "inv-c")
		ana.Needed, cy.Needed = 2, 2
		if a, err := st.ApprovePublication(ctx, id, ana); err != nil || a.Dismissed || a.Duplicate || a.Approvals != 1 {
			t.Fatalf("%s, then verified (after-step lost): approval %+v %v: want 1 of 2", before.Status, a, err)
		}
		if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusDismissed}); err != nil {
			t.Fatal(err)
		}
		if a, err := st.ApprovePublication(ctx, id, cy); err != nil || !a.Dismissed || a.Started {
			t.Fatalf("%s, then verified, then dismissed: approval shown it verified %+v %v: want refused as dismissed", before.Status, a, err)
		}
		if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Fatal(err)
		}
		ana, cy = shown(t, st, id, "inv-a"), shown(t, st, id, "inv-c")
		ana.Needed, cy.Needed = 2, 2
		st.ApprovePublication(ctx, id, ana)
		if a, err := st.ApprovePublication(ctx, id, cy); err != nil || !a.Started {
			t.Fatalf("%s, verified again: approvals %+v %v: want started", before.Status, a, err)
		}
	}
}

// decisionTokens counts the "vt:" tokens on tip id's hash.
func decisionTokens(t *testing.T, srv interface{ Client() *redis.Client }, st *storage.Store, id string) int {
	refused, recorded := tokenKinds(t, srv, st, id)
	return refused + recorded
}

// tokenKinds counts the "vt:" tokens on tip id's hash that refuse a
// decision (settled as lapsed) and those of decisions recorded.
func tokenKinds(t *testing.T, srv interface{ Client() *redis.Client }, st *storage.Store, id string) (refused, recorded int) {
	t.Helper()
	f, err := srv.Client().HGetAll(context.Background(), st.TipKey(id)).Result()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range f {
		switch {
		case len(k) <= 3 || k[:3] != "vt:":
		case strings.HasPrefix(v, "0"):
			refused++
		default:
			recorded++
		}
	}
	return refused, recorded
}

// The tokens dismissals and duplicate marks record on a tip do not pile
// up: one whose after-step its Decide applied goes then; one whose
// lapsed mark an approval settled stays (a late retry of its decide
// script finds it), the MaxSettledTokens highest numbered of those; of
// those refused as lapsed, the newest MaxSettledTokens stay, and the
// newest still refuses its stalled decision.
// Mutation: Decide not dropping its token → 40 left after the cycles;
// settleVeto without its cap on recorded tokens → 20 settled ones left;
// settleVeto without its cap on refusals → 20 refused ones left; the cap
// keeping the oldest (sort reversed) → the stalled dismissal is recorded.
func TestDecisionTokensDoNotPileUp(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	id := warningToApprove(t, st)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	for i := range 20 {
		for _, d := range []storage.Decision{{Status: tips.StatusDismissed}, {Status: tips.StatusDuplicate, DuplicateOf: "7"}} {
			if err := st.Decide(ctx, id, bob, d); err != nil {
				t.Fatal(i, err)
			}
		}
	}
	if n := decisionTokens(t, srv, st, id); n != 0 {
		t.Fatalf("after 40 decisions applied: %d tokens left, want 0", n)
	}
	if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}

	decideLosingAfterStep(t, st, id, storage.Decision{Status: tips.StatusDismissed})
	if n := decisionTokens(t, srv, st, id); n != 1 {
		t.Fatalf("a dismissal whose after-step was lost: %d tokens, want 1", n)
	}
	clk.Add(storage.VetoLease + time.Second)
	if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Dismissed {
		t.Fatalf("approval of the dismissed warning %+v %v: want refused", a, err)
	}
	if n := decisionTokens(t, srv, st, id); n != 1 {
		t.Fatalf("its mark settled: %d tokens left, want 1 (kept for a late retry)", n)
	}
	for i := range 20 {
		if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Fatal(i, err)
		}
		decideLosingAfterStep(t, st, id, storage.Decision{Status: tips.StatusDismissed})
		clk.Add(storage.VetoLease + time.Second)
		if a, err := st.ApprovePublication(ctx, id, approval("inv-a", 1)); err != nil || !a.Dismissed {
			t.Fatalf("%d: approval of the dismissed warning %+v %v: want refused", i, a, err)
		}
	}
	if _, n := tokenKinds(t, srv, st, id); n != storage.MaxSettledTokens {
		t.Fatalf("21 recorded decisions settled: %d tokens kept, want %d", n, storage.MaxSettledTokens)
	}

	if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := st.MarkDismissal(ctx, id); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Second)
	}
	clk.Add(storage.VetoLease)
	if r, err := st.ApprovePublication(ctx, id, approval("inv-a", 2)); err != nil || r.Dismissed || r.Approvals != 1 {
		t.Fatalf("approval once 20 marks lapsed %+v %v: want 1 of 2", r, err)
	}
	if n, _ := tokenKinds(t, srv, st, id); n != storage.MaxSettledTokens {
		t.Fatalf("20 dismissals refused as lapsed: %d tokens kept, want %d", n, storage.MaxSettledTokens)
	}
	storage.BeforeDecide(t, func() {
		clk.Add(storage.VetoLease + time.Second)
		if r, err := st.ApprovePublication(ctx, id, approval("inv-c", 3)); err != nil || r.Dismissed {
			t.Errorf("approval as a dismissal stalled %+v %v", r, err)
		}
	})
	if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusDismissed}); !errors.Is(err, storage.ErrDecisionLapsed) {
		t.Fatalf("a dismissal stalled past its lease: %v, want refused", err)
	}
	if n, _ := tokenKinds(t, srv, st, id); n != storage.MaxSettledTokens {
		t.Fatalf("one more refused: %d tokens kept, want %d", n, storage.MaxSettledTokens)
	}
}

// An approval refused (its revision is gone) of a warning whose
// publication went between its read and its script (lapsed, or erased
// with the tip) leaves no publication behind: the approve script's
// stand-in for a lost after-step writes to a publication that exists
// only, as afterDecision does; a hash it made holds no expiry and would
// outlive the warning.
// Mutation: the stand-in without its EXISTS check → the key is left
// with no expiry.
func TestRefusedApprovalLeavesNoPublicationBehind(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	id := warningToApprove(t, st)
	if err := st.Decide(ctx, id, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	ana := shown(t, st, id, "inv-a")
	ana.Needed, ana.Text = 2, "retén falso en el km 24"
	if a, err := st.ApprovePublication(ctx, id, ana); err != nil || a.Approvals != 1 {
		t.Fatalf("first approval %+v %v", a, err)
	}
	cy := shown(t, st, id, "inv-c")
	cy.Needed, cy.Revision = 2, 1
	key := st.PublicationKey(id)
	storage.BeforeApprove(t, func() { srv.Client().Del(ctx, key) })
	if a, err := st.ApprovePublication(ctx, id, cy); err != nil || !a.Changed {
		t.Fatalf("approval of a revision gone: %+v %v, want refused as changed", a, err)
	}
	if n := srv.Client().Exists(ctx, key).Val(); n != 0 {
		t.Fatalf("a refused approval left the publication (expiry %v)", srv.Client().PTTL(ctx, key).Val())
	}
}
