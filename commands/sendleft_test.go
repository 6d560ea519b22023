package commands_test

import (
	"context"
	"net"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
)

// failOnce fails the first pipeline that tidies a sent draft (the one that
// drops its deadline), as a dropped connection would.
type failOnce struct{ done atomic.Bool }

func (h *failOnce) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *failOnce) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *failOnce) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			if c.Name() == "zrem" && h.done.CompareAndSwap(false, true) {
				err := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
				for _, c := range cmds {
					c.SetErr(err)
				}
				return err
			}
		}
		return next(ctx, cmds)
	}
}

// A message added after a Send whose tidying failed is not swallowed by
// the old receipt: the next Send gives that receipt again and tells the
// reporter the later message waits as a new tip, with its own Send.
func TestMessageAfterUntidiedSendIsKept(t *testing.T) {
	hook := &failOnce{}
	e := newHookedEnv(t, nil, hook)
	first := e.do(reporterID, commands.Request{Text: "cobran piso en el mercado"})
	sent := e.do(reporterID, commands.Request{Callback: press(first, "send:")})
	receipt := receiptRE.FindString(sent[0].Text)
	if receipt == "" || !hook.done.Load() {
		t.Fatalf("first send: %+v (tidying failed: %v)", sent, hook.done.Load())
	}
	second := e.do(reporterID, commands.Request{Text: "SEGUNDO: venden armas en la bodega"})
	again := e.do(reporterID, commands.Request{Callback: press(second, "send:")})
	if len(again) != 3 || receiptRE.FindString(again[0].Text) != receipt {
		t.Fatalf("second send: %+v; want the first receipt, the advice, and the part left", again)
	}
	if want := e.text("es", "draft_left", nil, 1); again[2].Text != want {
		t.Fatalf("reporter told %q, want %q", again[2].Text, want)
	}
	last := e.do(reporterID, commands.Request{Callback: press(again[2:], "send:")})
	other := receiptRE.FindString(last[0].Text)
	if other == "" || other == receipt {
		t.Fatalf("third send: %+v", last)
	}
	for code, want := range map[string]string{receipt: "cobran piso en el mercado", other: "SEGUNDO: venden armas en la bodega"} {
		tip, err := e.store.TipByReceipt(context.Background(), code)
		if err != nil || tip.Content.Text() != want {
			t.Fatalf("tip %s: %q %v, want %q", code, tip.Content.Text(), err, want)
		}
	}
}
