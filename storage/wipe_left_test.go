package storage_test

import (
	"context"
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
