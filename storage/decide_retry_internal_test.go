package storage

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/tips"
)

// A button under a tip handed out by /next (WhileClaimed) whose decide
// script go-redis runs again is not refused by its own first run: the
// investigator is not told the tip was decided since by someone (it was
// decided, by them, once). Mutation: Decide passing no token of its own
// for a decision that makes no mark (once := token, as before 5642249)
// -> this fails (DecidedError "verified").
func TestButtonDecisionRunTwiceIsNotDecidedSince(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	id := batchSubmit(t, s, "rep-button", 1, "llaman del 55 1234 5678 para cobrar piso")
	bob := Claimer{Key: "inv-b", Name: "Bob"}
	if err := s.Decide(ctx, id, bob, Decision{Status: tips.StatusClaimed}); err != nil {
		t.Fatal(err)
	}
	if err := decide.Load(ctx, s.rdb).Err(); err != nil {
		t.Fatal(err)
	}
	h := &scriptRunTwice{sha: decide.Hash()}
	s.rdb.AddHook(h)
	h.armed.Store(true)
	err := s.Decide(ctx, id, bob, Decision{Status: tips.StatusVerified, WhileClaimed: true})
	if h.armed.Load() {
		t.Fatal("the script never ran twice: the test proves nothing")
	}
	if err != nil {
		t.Fatalf("button decision run twice: %v, want it recorded", err)
	}
	if tip, err := s.Tip(ctx, id); err != nil || tip.Status != tips.StatusVerified {
		t.Fatalf("tip %v %v, want verified", tip.Status, err)
	}
}
