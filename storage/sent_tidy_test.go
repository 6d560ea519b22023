package storage_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A reporter who sent many messages and comes back after sentMemory has
// thousands of expired events and marks on their state: the next tip's
// tidy drops them all (finishDraft deletes them in calls of at most 1,000
// fields: Lua's unpack fails past about 8,000), stores the tip, and
// leaves no draft behind. Its own sent parts, as many as 501 (two calls'
// worth of marks), are remembered, each: delivered again, none starts a
// draft.
func TestSentDraftTidiedPastThousandsOfExpiredEvents(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	p := st.Pseudonym("telegram", "4242")
	stateKey := "t:{" + p + "}:st"
	// 300 messages an hour (the default limit) for 30 hours, two days
	// ago: each remembered by its event and its mark.
	expired := strconv.FormatInt(clk.Now().Add(-49*time.Hour).Unix()/3600, 10)
	var fields []any
	old := map[string]bool{}
	for i := 0; i < 9000; i++ {
		ev, mark := "x:"+strconv.Itoa(1000000+i), "x:t"+strconv.Itoa(i)
		fields = append(fields, ev, expired, mark, expired)
		old[ev], old[mark] = true, true
	}
	if err := srv.Client().HSet(ctx, stateKey, fields...).Err(); err != nil {
		t.Fatal(err)
	}
	const parts = 501
	var d storage.Draft
	for ev := int64(1); ev <= parts; ev++ {
		var err error
		if d, err = st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Part: tips.Part{Text: "parte " + strconv.FormatInt(ev, 10)}}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || sub.Left != 0 {
		t.Fatalf("send: %+v %v", sub, err)
	}
	if tip, err := st.Tip(ctx, sub.TipID); err != nil || len(tip.Content.Parts) != parts {
		t.Fatalf("tip: %d parts, %v; want %d", len(tip.Content.Parts), err, parts)
	}
	if _, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a draft is left after the send: %v", err)
	}
	events, marks := 0, 0
	for _, f := range srv.Client().HKeys(ctx, stateKey).Val() {
		switch {
		case old[f]:
			t.Fatalf("expired field %s still remembered", f)
		case strings.HasPrefix(f, "x:t"):
			marks++
		case strings.HasPrefix(f, "x:"):
			events++
		}
	}
	if events != parts || marks != parts {
		t.Fatalf("the state remembers %d events and %d marks, want %d of each", events, marks, parts)
	}
	for _, ev := range []int64{1, 250, 251, 500, 501} {
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Part: tips.Part{Text: "otra vez"}}); !errors.Is(err, storage.ErrDuplicateEvent) {
			t.Fatalf("sent event %d delivered again: %v, want ErrDuplicateEvent", ev, err)
		}
	}
}
