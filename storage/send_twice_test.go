package storage_test

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// Two Sends of one draft at once (a double press, two devices): the
// other stored the tip while this one's claim was on its way, and this
// one's reply was lost. Its look found the draft gone (sent by the
// other) and took the claim for one that never ran: an error, and the
// reporter, given the receipt by the other, was told their Send could
// not be done. The tip is under the draft's receipt (the same for both):
// found there, this Send returns it as sent before, with the same code.
// Mutation: look not reading the receipt it looks up (as before) fails
// this (claim draft: EOF).
func TestSendWhoseClaimIsLostWhileAnotherSendStoresIsSentBefore(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	p.match = func(b []byte) bool { return bytes.Contains(b, []byte("\r\nincr\r\n")) } // the claim's pipeline
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	other, _ := storeOn(t, srv.Client()) // the other Send, straight to Redis
	submit(t, st, "611", 61, "", false)  // claimDraft cached in Redis
	ps := st.Pseudonym("telegram", "611")
	d, err := st.AddToDraft(ctx, ps, storage.DraftPart{EventID: 62, Part: tips.Part{Text: "Cobran piso en la farmacia"}})
	if err != nil {
		t.Fatal(err)
	}
	var first storage.Submission
	var firstErr error
	h := &beforeClaim{run: func() { first, firstErr = other.SubmitDraft(ctx, ps, d.ID, "es") }}
	h.armed.Store(true)
	rdb.AddHook(h)
	p.armed.Store(true)
	sub, err := st.SubmitDraft(ctx, ps, d.ID, "es")
	if h.armed.Load() || p.armed.Load() {
		t.Fatal("the claim did not go through the hook and the proxy")
	}
	p.loading.Store(false)
	if firstErr != nil || first.TipID == "" || first.Repeat {
		t.Fatalf("the other Send: %+v %v; want the tip stored", first, firstErr)
	}
	if err != nil || sub.TipID != first.TipID || sub.Receipt != first.Receipt || !sub.Repeat {
		t.Fatalf("this Send, its claim's reply lost: tip %q repeat %v %v; want tip %s sent before, its receipt", sub.TipID, sub.Repeat, err, first.TipID)
	}
	if tip, err := st.Tip(ctx, first.TipID); err != nil || tip.Content.Text() != "Cobran piso en la farmacia" {
		t.Fatalf("tip %s: %v", first.TipID, err)
	}
}

// beforeClaim, armed, runs run before the next Send's claim (a pipeline
// with the tip number's INCR) is sent.
type beforeClaim struct {
	armed atomic.Bool
	run   func()
}

func (h *beforeClaim) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *beforeClaim) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}
func (h *beforeClaim) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			if strings.EqualFold(c.Name(), "incr") && h.armed.CompareAndSwap(true, false) {
				h.run()
				break
			}
		}
		return next(ctx, cmds)
	}
}

// The same double press, Redis having lost its scripts (a restart): this
// Send's claim, refused by EVALSHA (NOSCRIPT), goes again by EVAL; the
// other Send stores the tip just before that EVAL, whose reply is lost.
// Its look finds the tip under the draft's receipt: sent before, its code
// the same, not an error.
// Mutations: submitClaimed, after that look, not returning the tip it
// found fails this (claim draft: NOSCRIPT, the refused EVALSHA taken for
// the claim); look not reading the receipt fails it (claim draft: EOF).
func TestSendWhoseClaimByEvalIsLostWhileAnotherSendStoresIsSentBefore(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	// The claim's EVAL, sent alone once its EVALSHA was refused.
	p.match = func(b []byte) bool {
		return bytes.Contains(b, []byte("\r\neval\r\n")) && !bytes.Contains(b, []byte("\r\nincr\r\n"))
	}
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	other, _ := storeOn(t, srv.Client()) // the other Send, straight to Redis
	ps := st.Pseudonym("telegram", "612")
	d, err := st.AddToDraft(ctx, ps, storage.DraftPart{EventID: 63, Part: tips.Part{Text: "Cobran piso en la panadería"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Client().ScriptFlush(ctx).Err(); err != nil { // claimDraft not cached
		t.Fatal(err)
	}
	var first storage.Submission
	var firstErr error
	h := &beforeEval{run: func() { first, firstErr = other.SubmitDraft(ctx, ps, d.ID, "es") }}
	h.armed.Store(true)
	rdb.AddHook(h)
	p.armed.Store(true)
	sub, err := st.SubmitDraft(ctx, ps, d.ID, "es")
	if h.armed.Load() || p.armed.Load() {
		t.Fatal("the claim's EVAL did not go through the hook and the proxy")
	}
	p.loading.Store(false)
	if firstErr != nil || first.TipID == "" || first.Repeat {
		t.Fatalf("the other Send: %+v %v; want the tip stored", first, firstErr)
	}
	if err != nil || sub.TipID != first.TipID || sub.Receipt != first.Receipt || !sub.Repeat {
		t.Fatalf("this Send, its claim's reply lost: tip %q repeat %v %v; want tip %s sent before, its receipt", sub.TipID, sub.Repeat, err, first.TipID)
	}
}

// beforeEval, armed, runs run before the next EVAL (a script sent whole)
// is sent.
type beforeEval struct {
	armed atomic.Bool
	run   func()
}

func (h *beforeEval) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *beforeEval) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if strings.EqualFold(cmd.Name(), "eval") && h.armed.CompareAndSwap(true, false) {
			h.run()
		}
		return next(ctx, cmd)
	}
}
func (h *beforeEval) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
