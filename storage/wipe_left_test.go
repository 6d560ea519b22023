package storage_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// The draft left after a Send (its parts came after Send was pressed) is
// a new tip: it is not taken as told of the wipe still to come because
// the draft it was left from was (its "ww"), so its next part's answer
// warns that the wipe will delete it unless it is sent. Before, the mark
// stayed on the draft left, and nothing ever warned of it.
// Mutation: finishDraft keeping "ww" on the draft left → fails.
func TestDraftLeftAfterASendIsToldOfTheWipe(t *testing.T) {
	ctx := context.Background()
	var failed atomic.Bool
	st, clk := hookedStore(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		for _, c := range cmds {
			if c.Name() == "evalsha" && len(c.Args()) > 3 && strings.Contains(c.Args()[3].(string), ":tip:") {
				return failed.CompareAndSwap(false, true)
			}
		}
		return false
	}})
	p := st.Pseudonym("telegram", "31")
	if err := st.ScheduleWipe(ctx, storage.Wipe{Route: "telegram:31", MessageID: "1", Chat: true, Pseudonym: p}, clk.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Part: tips.Part{Text: "uno"}})
	if err != nil || !d.WipeUntold {
		t.Fatalf("the draft begun: %+v %v, want the wipe untold", d, err)
	}
	if err := st.DraftWipeTold(ctx, p, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err == nil || !failed.Load() {
		t.Fatalf("the failed send: %v", err)
	}
	if d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 101, Part: tips.Part{Text: "dos"}}); err != nil || d.WipeUntold {
		t.Fatalf("a part of the draft told: %+v %v, want told", d, err)
	}
	if sub, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil || sub.Left != 1 {
		t.Fatalf("the send: %+v %v, want one part left", sub, err)
	}
	left, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 102, Part: tips.Part{Text: "tres"}})
	if err != nil || left.ID == d.ID || left.Parts != 2 || !left.WipeUntold {
		t.Fatalf("a part of the draft left: %+v %v, want a new draft, the wipe untold", left, err)
	}
}

// The draft left after a Send began with its own first part, not with
// the draft sent: a wipe's discard owed (Wipe.DiscardOwed, done by
// DropDraftBefore with the wipe's time) spares it where all its parts
// came after the wipe, and drops it where its first part came before.
// Before, it kept the sent draft's "born", and a retried wipe dropped a
// tip begun after it (the reporter told, the tip lost).
// Mutation: finishDraft not setting "born" from "lb" → fails.
func TestDraftLeftAfterASendIsBornWithItsOwnFirstPart(t *testing.T) {
	ctx := context.Background()
	var fail atomic.Bool
	st, clk := hookedStore(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		for _, c := range cmds {
			if c.Name() == "evalsha" && len(c.Args()) > 3 && strings.Contains(c.Args()[3].(string), ":tip:") {
				return fail.CompareAndSwap(true, false)
			}
		}
		return false
	}})
	for _, c := range []struct {
		user     string
		leftFrom time.Duration // when the left part comes, from the wipe
		dropped  bool
	}{
		{"41", time.Second, false}, // after the wipe: a tip begun since
		{"42", -time.Second, true}, // before it: what the wipe was to discard
	} {
		p := st.Pseudonym("telegram", c.user)
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Part: tips.Part{Text: "uno"}})
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
		fail.Store(true)
		if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err == nil || fail.Load() {
			t.Fatalf("%s: the failed send: %v", c.user, err) // claimed, not stored
		}
		clk.Add(time.Minute)
		wipe := clk.Now() // its discard failed: owed
		clk.Add(c.leftFrom)
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 101, Part: tips.Part{Text: "dos"}}); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
		if sub, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil || sub.Left != 1 {
			t.Fatalf("%s: the send: %+v %v, want one part left", c.user, sub, err)
		}
		clk.Add(time.Minute)
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 102, Part: tips.Part{Text: "tres"}}); err != nil {
			t.Fatal(err)
		}
		dropped, err := st.DropDraftBefore(ctx, p, wipe)
		if err != nil || dropped != c.dropped {
			t.Fatalf("%s: the draft left, its first part %v from the wipe: dropped %v (%v), want %v", c.user, c.leftFrom, dropped, err, c.dropped)
		}
		if left, err := st.Draft(ctx, p); c.dropped != errors.Is(err, storage.ErrNotFound) || (!c.dropped && left.Parts != 2) {
			t.Fatalf("%s: the draft after the discard: %+v %v", c.user, left, err)
		}
	}
}

// A part added during a Send by an earlier version (which noted no "lb")
// came before the first part this version adds: the draft left is born
// no later than it. Before, the later part's time became its "born", and
// a wipe's discard owed, between the two, spared a part that came before
// the wipe (the reporter asked for it to go; it was kept, and sent).
// Mutation: addPart noting "lb" as the part's time though a part came
// before it unnoted → fails (dropped false, want true).
func TestDraftLeftAfterASendWithAnEarlierVersionsPartIsNotBornLater(t *testing.T) {
	ctx := context.Background()
	var fail atomic.Bool
	st, clk, rdb := hookedStoreClient(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		for _, c := range cmds {
			if c.Name() == "evalsha" && len(c.Args()) > 3 && strings.Contains(c.Args()[3].(string), ":tip:") {
				return fail.CompareAndSwap(true, false)
			}
		}
		return false
	}})
	p := st.Pseudonym("telegram", "43")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Part: tips.Part{Text: "uno"}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	fail.Store(true)
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err == nil || fail.Load() {
		t.Fatalf("the failed send: %v", err)
	}
	clk.Add(time.Minute)
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 101, Part: tips.Part{Text: "dos"}}); err != nil {
		t.Fatal(err)
	}
	rdb.HDel(ctx, st.DraftKey(p), "lb") // added by an earlier version: no "lb"
	clk.Add(time.Second)
	wipe := clk.Now() // its discard failed: owed
	clk.Add(time.Second)
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 102, Part: tips.Part{Text: "tres"}}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	if sub, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil || sub.Left != 2 {
		t.Fatalf("the send: %+v %v, want two parts left", sub, err)
	}
	if dropped, err := st.DropDraftBefore(ctx, p, wipe); err != nil || !dropped {
		t.Fatalf("the draft left, a part of it from before the wipe: dropped %v (%v), want true", dropped, err)
	}
}

// An "lb" left on a draft by an earlier version's finishDraft (which did
// not drop it) is not taken, at the next Send, for when the draft that
// one leaves began: its parts came after the wipe, and it is spared.
// Mutation: claimDraft not dropping "lb" → fails (dropped true, want false).
func TestDraftLeftAfterASendIsNotBornWithAStaleMark(t *testing.T) {
	ctx := context.Background()
	var fail atomic.Bool
	st, clk, rdb := hookedStoreClient(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		for _, c := range cmds {
			if c.Name() == "evalsha" && len(c.Args()) > 3 && strings.Contains(c.Args()[3].(string), ":tip:") {
				return fail.CompareAndSwap(true, false)
			}
		}
		return false
	}})
	p := st.Pseudonym("telegram", "44")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Part: tips.Part{Text: "uno"}})
	if err != nil {
		t.Fatal(err)
	}
	rdb.HSet(ctx, st.DraftKey(p), "lb", clk.Now().UnixMilli()) // left by an earlier version's finishDraft
	clk.Add(time.Minute)
	wipe := clk.Now() // its discard failed: owed
	clk.Add(time.Minute)
	fail.Store(true)
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err == nil || fail.Load() {
		t.Fatalf("the failed send: %v", err) // claimed, not stored
	}
	clk.Add(time.Second)
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 101, Part: tips.Part{Text: "dos"}}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	if sub, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil || sub.Left != 1 {
		t.Fatalf("the send: %+v %v, want one part left", sub, err)
	}
	if dropped, err := st.DropDraftBefore(ctx, p, wipe); err != nil || dropped {
		t.Fatalf("the draft left, begun after the wipe: dropped %v (%v), want false", dropped, err)
	}
}
