package storage

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// twoReplicas is two stores on one Redis, as two bot processes sharing
// it: the wiping one and the one handling the reporter's next message.
func twoReplicas(t *testing.T) (a, b *Store) {
	t.Helper()
	a, srv := wipeStore(t)
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	b, err := New(srv.Client(), kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func textPart(event int64, text string) DraftPart {
	return DraftPart{EventID: event, Route: "telegram:71", Language: "es", Part: tips.Part{Text: text}}
}

// A reporter's message sent after their /wipe (event 102, the wipe 101)
// that another replica added to their draft before the wipe dropped it
// is their next message: the wipe drops only the parts up to its event,
// and the later one stays, as a new draft of its own (new id, its own
// characters, no category chosen for the draft wiped). Before, the
// wipe dropped the whole draft, and the message was lost with it.
// Mutation: DropDraft ignoring upTo (the whole draft dropped) → fails.
func TestWipeKeepsThePartOfALaterMessage(t *testing.T) {
	a, b := twoReplicas(t)
	ctx := context.Background()
	const p = "pw1"
	old, err := a.AddToDraft(ctx, p, textPart(100, "cobran piso"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetDraftCategory(ctx, p, old.ID, tips.Category("extortion")); err != nil {
		t.Fatal(err)
	}
	// Replica b, handling the message after the wipe, adds it first.
	if _, err := b.AddToDraft(ctx, p, textPart(102, "otra cosa")); err != nil {
		t.Fatal(err)
	}
	if err := a.MarkWiped(ctx, p, 101); err != nil {
		t.Fatal(err)
	}
	dropped, err := a.DropDraft(ctx, p, 101)
	if err != nil || !dropped {
		t.Fatalf("the wipe's drop: %v %v, want the draft discarded", dropped, err)
	}
	d, in, err := a.DraftWithPart(ctx, p, 102)
	if err != nil || !in {
		t.Fatalf("the message after the wipe: in the draft %v (%v)", in, err)
	}
	if d.ID == old.ID || d.Parts != 1 || d.Chars != len("otra cosa") || d.Category != "" {
		t.Fatalf("the draft left: %+v, want a new one of the later message alone", d)
	}
	if _, in, _ := a.DraftWithPart(ctx, p, 100); in {
		t.Fatal("the message from before the wipe is still in the draft")
	}
}

// A reporter's message from before their /wipe (event 99, the wipe 101)
// that another replica handles only after the wipe dropped their draft
// is discarded with it (ErrWipedEvent, an ErrDuplicateEvent), not the
// start of a new draft; so is a copy of it delivered again later. The
// next message after the wipe starts a new draft, its rate limit counted
// once though the draft script asked whether it came after the mark;
// from then on the state notes the first event found after it (already
// in clear as that part's field), so that a later part costs no
// question. The wipe's event is nowhere in clear. Mutation: addPart not
// reading the mark ("wu") → fails (the message from before the wipe
// starts a draft); the limit counted again on the script's second run →
// fails (the third message is over a limit of 3).
func TestPartFromBeforeAWipeHandledAfterItIsDiscarded(t *testing.T) {
	a, b := twoReplicas(t)
	ctx := context.Background()
	rdb := a.rdb
	const p = "pw2"
	if _, err := a.AddToDraft(ctx, p, textPart(100, "cobran piso")); err != nil {
		t.Fatal(err)
	}
	if err := a.MarkWiped(ctx, p, 101); err != nil {
		t.Fatal(err)
	}
	if dropped, err := a.DropDraft(ctx, p, 101); err != nil || !dropped {
		t.Fatalf("the wipe's drop: %v %v", dropped, err)
	}
	for range 2 { // handled late, then delivered again
		if _, err := b.AddToDraft(ctx, p, textPart(99, "antes")); !errors.Is(err, ErrWipedEvent) || !errors.Is(err, ErrDuplicateEvent) {
			t.Fatalf("a message from before the wipe, after it: %v, want ErrWipedEvent", err)
		}
		if _, err := b.Draft(ctx, p); !errors.Is(err, ErrNotFound) {
			t.Fatalf("it started a draft (%v)", err)
		}
	}
	limit := &Limit{Kind: "parts", Max: 3, Window: time.Hour}
	for i, e := range []int64{102, 103, 104} {
		part := textPart(e, "después "+strconv.Itoa(i))
		part.Limit = limit
		d, err := b.AddToDraft(ctx, p, part)
		if err != nil || d.Parts != i+1 {
			t.Fatalf("message %d after the wipe: %+v %v", e, d, err)
		}
		if i == 0 {
			if got := rdb.HGet(ctx, a.k.state(p), wipedAfterField).Val(); got != eventKey(102) {
				t.Fatalf("the first event after the mark is noted %q", got)
			}
		}
	}
	if _, err := b.AddToDraft(ctx, p, textPart(99, "antes")); !errors.Is(err, ErrWipedEvent) {
		t.Fatalf("the copy from before the wipe, once a draft is begun after it: %v", err)
	}
	for _, key := range []string{a.k.state(p), a.k.draft(p)} {
		for f, v := range rdb.HGetAll(ctx, key).Val() {
			if strings.Contains(f+v, "101") {
				t.Fatalf("the wipe's event in clear in %s: %q=%q", key, f, v)
			}
		}
	}
	// A later wipe's mark: the note of the first event after the last
	// one goes, and a part from before it is discarded again.
	if err := a.MarkWiped(ctx, p, 110); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DropDraft(ctx, p, 110); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddToDraft(ctx, p, textPart(105, "antes")); !errors.Is(err, ErrWipedEvent) {
		t.Fatalf("a message from before the second wipe: %v", err)
	}
}
