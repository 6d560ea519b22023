package storage_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A part whose write ran in Redis but whose reply was lost (the client
// saw the connection reset) is found in the draft by one read, with the
// draft it is in; a part never written is not, and a reporter without a
// draft has none.
// Mutation: DraftWithPart always says "not in it" → this test fails.
func TestDraftWithPartFindsAPartWhoseReplyWasLost(t *testing.T) {
	ctx := context.Background()
	var lose atomic.Bool
	st, _ := hookedStore(t, pipeHook{after: func(cmds []redis.Cmder) {
		for _, c := range cmds {
			if c.Name() == "evalsha" && c.Err() == nil && lose.CompareAndSwap(true, false) {
				for _, c := range cmds {
					c.SetErr(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
				}
				return
			}
		}
	}})
	other := st.Pseudonym("telegram", "40")
	if _, err := st.AddToDraft(ctx, other, storage.DraftPart{EventID: 1, Part: tips.Part{Text: "el script, cargado"}}); err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "41")
	if _, _, err := st.DraftWithPart(ctx, p, 4101); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("no draft: %v, want ErrNotFound", err)
	}
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 4100, Part: tips.Part{Text: "Cobran piso en la farmacia"}}); err != nil {
		t.Fatal(err)
	}
	lose.Store(true)
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 4101, Part: tips.Part{Text: "El lunes"}}); err == nil {
		t.Fatal("the part's reply was not lost")
	}
	d, in, err := st.DraftWithPart(ctx, p, 4101)
	if err != nil || !in || d.Parts != 2 || d.ID == "" {
		t.Fatalf("the part whose reply was lost: %+v %v %v, want it in the draft of 2 parts", d, in, err)
	}
	if d2, in, err := st.DraftWithPart(ctx, p, 4102); err != nil || in || d2 != d {
		t.Fatalf("a part never written: %+v %v %v", d2, in, err)
	}
}
