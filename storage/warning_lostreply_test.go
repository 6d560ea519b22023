package storage_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
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

// A warning whose mark (kind "warning", high priority) ran in Redis, its
// reply lost, and whose retries by go-redis were told LOADING: go-redis
// returned the last one's error, and the reporter heard their warning
// was NOT saved though it was in triage, marked (sent again, it would
// be a second one). The mark is looked for: there, the warning is stored.
// Mutation: no look after the mark's error → fails: mark warning:
// LOADING.
func TestWarningWhoseMarkRetryIsRefusedIsLookedFor(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	p.match = func(b []byte) bool { // markWarning: evalsha, its sha, 1, the tip, "warning", "high"
		return bytes.HasPrefix(b, []byte("*6\r\n$7\r\nevalsha\r\n")) && bytes.Contains(b, []byte("\r\nwarning\r\n"))
	}
	rdb := redis.NewClient(&redis.Options{Addr: p.addr, Protocol: 2, ContextTimeoutEnabled: true, DialerRetries: 1})
	t.Cleanup(func() { rdb.Close() })
	st, _ := storeOn(t, rdb)
	ps := st.Pseudonym("telegram", "32")
	if _, err := st.SubmitWarning(ctx, ps, "retén falso en el km 23", "es", 3200, "telegram:32"); err != nil { // markWarning cached
		t.Fatal(err)
	}
	p.armed.Store(true)
	sub, err := st.SubmitWarning(ctx, ps, "retén falso en el km 40", "es", 3201, "telegram:32")
	if p.armed.Load() {
		t.Fatal("the mark did not go through the proxy")
	}
	p.loading.Store(false)
	if err != nil || sub.TipID == "" || sub.Receipt == "" {
		t.Fatalf("its mark's reply lost, its retries refused: tip %q %v; want it stored", sub.TipID, err)
	}
	tip, err := st.Tip(ctx, sub.TipID)
	if err != nil || tip.Content.Text() != "retén falso en el km 40" || !tip.Warning || tip.Priority != tips.High {
		t.Fatalf("tip %s: warning %v priority %q %v", sub.TipID, tip.Warning, tip.Priority, err)
	}
}
