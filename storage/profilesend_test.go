package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A Send press takes its first step (the draft claimed, its tip limit
// counted, a number drawn) in the round trip that reads its sender's
// profile, once the chat's limit allows it: the tip it stores is the one
// SubmitDraftWithin would store, with the same receipt. Over the chat's
// limit it claims nothing and draws no number for good: the Send that
// goes through all the same (past the limit, a Send still does) numbers
// its tip with no gap; a claim the request did not use gives its number
// back too.
// Mutation: ProfileSend not giving back the number over the chat's limit
// -> the tip sent past it is #3, not #2.
func TestProfileSendClaimsWithinTheChatLimit(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	p := st.Pseudonym("telegram", "91")
	chat := &storage.Limit{Subject: p, Kind: "chat", Max: 2, Window: time.Hour}
	tipLimit := &storage.Limit{Kind: "tip", Max: 5, Window: time.Hour}
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:91", Part: tips.Part{Text: "cobran piso en el mercado"}})
	if err != nil {
		t.Fatal(err)
	}
	prof, cl, err := st.ProfileSend(ctx, p, chat, false, d.ID, tipLimit)
	if err != nil || !prof.Allowed || cl == nil {
		t.Fatalf("first Send: %+v %v %v", prof, cl, err)
	}
	sub, err := st.SubmitClaimed(ctx, cl, "es")
	if err != nil || sub.TipID != "1" || sub.Repeat {
		t.Fatalf("stored: %+v %v", sub, err)
	}
	cl.Release(ctx) // used: nothing to give back
	// The same Send pressed again, the long way: the same tip and receipt.
	if again, err := st.SubmitDraftWithin(ctx, p, d.ID, "es", tipLimit); err != nil || !again.Repeat || again.Receipt != sub.Receipt || again.TipID != "1" {
		t.Fatalf("pressed again: %+v %v, want receipt %s", again, err, sub.Receipt)
	}
	if tip, err := st.Tip(ctx, "1"); err != nil || tip.Content.Text() != "cobran piso en el mercado" || tip.Content.Language != "es" {
		t.Fatalf("tip #1: %+v %v", tip, err)
	}

	// A claim the request did not use gives its number back.
	d2, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 3, Route: "telegram:91", Part: tips.Part{Text: "venden armas en la bodega"}})
	if _, cl, err = st.ProfileSend(ctx, p, chat, false, d2.ID, tipLimit); err != nil || cl == nil {
		t.Fatalf("second Send: %v %v", cl, err)
	}
	cl.Release(ctx)
	// Over the chat's limit (its third request): nothing claimed.
	prof, cl, err = st.ProfileSend(ctx, p, chat, false, d2.ID, tipLimit)
	if err != nil || prof.Allowed || !prof.FirstOver || cl != nil {
		t.Fatalf("over the chat's limit: %+v %v %v", prof, cl, err)
	}
	if prof, cl, err = st.ProfileSend(ctx, p, chat, false, d2.ID, tipLimit); err != nil || prof.Allowed || prof.FirstOver || cl != nil {
		t.Fatalf("over the chat's limit again: %+v %v %v", prof, cl, err)
	}
	sub, err = st.SubmitDraftWithin(ctx, p, d2.ID, "es", tipLimit)
	if err != nil || sub.TipID != "2" {
		t.Fatalf("the Send past the chat's limit: %+v %v, want tip #2", sub, err)
	}
	// The tip limit was counted once for each Send that claimed (the
	// press again too), none for those over the chat's limit: four of five.
	d3, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 5, Route: "telegram:91", Part: tips.Part{Text: "halcones en la plaza"}})
	if sub, err := st.SubmitDraftWithin(ctx, p, d3.ID, "es", tipLimit); err != nil || sub.TipID != "3" {
		t.Fatalf("the fifth Send: %+v %v, want tip #3", sub, err)
	}
	d4, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 7, Route: "telegram:91", Part: tips.Part{Text: "una camioneta gris"}})
	var le *storage.LimitError
	if _, err := st.SubmitDraftWithin(ctx, p, d4.ID, "es", tipLimit); !errors.As(err, &le) {
		t.Fatalf("the sixth Send: %v, want over the tip limit", err)
	}
}
