package storage_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// A warning whose draft write ran in Redis, its reply lost (the
// connection cut as it came back), is stored all the same: AddToDraft's
// write is sent once (go-redis no longer retries it), and a warning has
// no look of its own, so the reporter heard it was NOT saved, and its
// own draft was left to expire, though sent again it runs as the same
// part (idempotent per event, no limit counted in it).
// Mutation: SubmitWarning's second AddToDraft removed → the warning
// fails with the lost reply's error.
func TestWarningWhoseDraftWriteReplyIsLostIsStored(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	h := &loseDraftReply{}
	rdb.AddHook(h)
	st, _ := storeOn(t, rdb)
	h.armed.Store(true)
	sub, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "31"), "retén falso en el km 23", "es", 3100, "telegram:31")
	if h.armed.Load() {
		t.Fatal("the draft write was not seen")
	}
	if err != nil || sub.TipID == "" || sub.Receipt == "" {
		t.Fatalf("warning whose draft write's reply was lost: %+v, %v; want it stored", sub, err)
	}
	again, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "31"), "retén falso en el km 23", "es", 3100, "telegram:31")
	if err == nil && again.TipID != sub.TipID {
		t.Fatalf("delivered again: tip %s, want %s (or ErrDuplicateEvent)", again.TipID, sub.TipID)
	}
}

// loseDraftReply runs the next draft write (AddToDraft's pipeline) and,
// armed, loses its reply: its commands are told io.EOF.
type loseDraftReply struct{ armed atomic.Bool }

func (h *loseDraftReply) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *loseDraftReply) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}
func (h *loseDraftReply) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		draft := false
		for _, c := range cmds {
			draft = draft || strings.EqualFold(c.Name(), "evalsha")
		}
		if draft && len(cmds) == 2 && h.armed.CompareAndSwap(true, false) {
			for _, c := range cmds {
				c.SetErr(io.EOF)
			}
			return io.EOF
		}
		return err
	}
}
