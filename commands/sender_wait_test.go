package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// callDeadlines records, for each Redis call (a command or a pipeline),
// how long its context had left when it began.
type callDeadlines struct {
	mu   sync.Mutex
	left []time.Duration
	// timedOut: a call ended past its deadline; after: calls begun since.
	timedOut bool
	after    int
}

func (h *callDeadlines) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *callDeadlines) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.note(ctx)
		return h.end(next(ctx, cmd))
	}
}

func (h *callDeadlines) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.note(ctx)
		return h.end(next(ctx, cmds))
	}
}

func (h *callDeadlines) note(ctx context.Context) {
	left := time.Duration(1 << 62)
	if dl, ok := ctx.Deadline(); ok {
		left = time.Until(dl)
	}
	h.mu.Lock()
	h.left = append(h.left, left)
	if h.timedOut {
		h.after++
	}
	h.mu.Unlock()
}

func (h *callDeadlines) end(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		h.mu.Lock()
		h.timedOut = true
		h.mu.Unlock()
	}
	return err
}

// sentAfterTimeout returns how many calls were sent to Redis after one
// ran out of its time, and forgets it.
func (h *callDeadlines) sentAfterTimeout() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.after
	h.timedOut, h.after = false, 0
	return n
}

func (h *callDeadlines) take() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.left
	h.left = nil
	return l
}

// With Redis hung (SIGSTOPped: connections open, no answers), a reporter's
// Send press, first message, /warn and /reply are answered within seconds: each
// Redis call of the request waits at most SenderCallWait (3 s), whatever
// is left of the event's 30 s. The Send was answered only when the 30 s
// ran out (go-redis's 5 s read timeout, then each new connection's
// handshake as long, retried), the first message after 14 s. The Send
// hears "try again" (its draft is in Redis alone: the spool cannot take
// it), the message is spooled and gets its receipt. Wall-clock timings are
// only checked against 15 s, far above the ~9 s expected; what is
// asserted exactly is each call's own deadline.
// Once one call of the request ran out its time, no other is sent to
// Redis (storage.WithHungLatch): each is answered in about one bound (3 s
// measured, where the Send took 9 s, the message 7, /warn and /reply 6).
// Mutation: Handle without WithHungLatch → every case fails (1 to 4
// calls sent after the first timed out).
// Mutation: Handle routing with ctx instead of storage.WithCallWait(ctx,
// senderCallWait) → every case fails (calls with ~27 s left; the Send
// answered after 30 s, the message after 14 s). writesForSender without
// "warn" → the warn case fails (calls with ~27 s left, answered after
// 30 s); without "reply" → the reply case fails (~27 s left); without
// reportWithWords → the "/report <words>" case fails (~27 s left,
// answered after 14 s).
func TestSenderAnsweredSoonByAhungRedis_hung(t *testing.T) {
	if commands.SenderCallWait > 3*time.Second {
		t.Fatalf("SenderCallWait %v: a hung Redis would keep a reporter waiting too long", commands.SenderCallWait)
	}
	msg, _ := loadMessages()
	for _, c := range []struct {
		name string
		req  func(send, receipt string) commands.Request
		want func(text string) bool
	}{
		{"send", func(send, _ string) commands.Request { return commands.Request{Callback: send} },
			func(text string) bool { return text == msg.Localize("en", "error_storage_retry", nil) }},
		{"first message", func(string, string) commands.Request {
			return commands.Request{Text: "Cobran piso en la tienda de la esquina", UserID: "84"}
		}, func(text string) bool {
			code := codeRE.FindString(text)
			return code != "" && text == msg.Localize("en", "spool_received", map[string]any{"Receipt": code})
		}},
		// "/report <words>" in a private chat: the words are a tip's
		// message (as the same words sent alone), spooled with a receipt.
		{"report with words", func(string, string) commands.Request {
			return commands.Request{Command: "report", CommandAtStart: true, Text: "/report Cobran piso en el mercado", Args: "Cobran piso en el mercado", UserID: "87"}
		}, func(text string) bool {
			code := codeRE.FindString(text)
			return code != "" && text == msg.Localize("en", "spool_received", map[string]any{"Receipt": code})
		}},
		// The warning in Args, where the handler reads it (in Text alone
		// it was an empty /warn: its usage, no Redis call after the
		// presteps, and the case passed without the bound). It cannot be
		// spooled: it hears it was NOT saved.
		{"warn", func(string, string) commands.Request {
			return commands.Request{Command: "warn", Args: "Retén falso en la carretera a Tepic", UserID: "85"}
		}, func(text string) bool { return text == msg.Localize("en", "error_storage", nil) }},
		// An answer to the reporter's own tip, by its receipt.
		{"reply", func(_, receipt string) commands.Request {
			return commands.Request{Command: "reply", Args: receipt + " Eran tres, en una camioneta blanca", UserID: "86"}
		}, func(text string) bool { return text == msg.Localize("en", "error_storage", nil) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			if !srv.Real {
				t.Skip("needs a real redis-server to pause")
			}
			// The client serve makes (redisClient): calls end with their context.
			opt, err := redis.ParseURL(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			opt.Protocol, opt.ContextTimeoutEnabled = 2, true
			rdb := redis.NewClient(opt)
			t.Cleanup(func() { rdb.Close() })
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
			st, _ := storage.New(rdb, kr, storage.Options{Prefix: "w"})
			if err := st.Init(ctx); err != nil {
				t.Fatal(err)
			}
			calls := &callDeadlines{}
			rdb.AddHook(calls) // after the store's: sees each call's own context
			sp, err := storage.OpenSpool(t.TempDir(), kr)
			if err != nil {
				t.Fatal(err)
			}
			mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Spool: sp, Logger: slog.New(slog.DiscardHandler)})
			sp.RouteWith(mux.RouteSpooled)
			send := press(sayAs(mux, "83", commands.Request{Text: "Venden armas en la bodega del puerto", EventID: 1}), "send:")
			if send == "" {
				t.Fatal("no Send button")
			}
			// A tip of the replying reporter's own, sent before the hang.
			tipSend := press(sayAs(mux, "86", commands.Request{Text: "Halcones en la entrada del mercado", EventID: 3}), "send:")
			receipt := codeRE.FindString(texts(sayAs(mux, "86", commands.Request{Callback: tipSend, EventID: 4}))[0])
			if receipt == "" {
				t.Fatal("no receipt")
			}
			calls.take()
			calls.sentAfterTimeout()
			srv.Pause()

			req := c.req(send, receipt)
			user := req.UserID
			if user == "" {
				user = "83"
			}
			req.Platform, req.UserID, req.ChatID, req.UserChat, req.EventID = "telegram", user, user, user, 2
			// An adapter's event deadline (HandlerTimeout's default).
			hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			rec := &recorder{}
			began := time.Now()
			mux.Handle(hctx, req, rec)
			took := time.Since(began)
			r := rec.take()
			if len(r) == 0 || !c.want(r[len(r)-1].Text) {
				t.Fatalf("answered %q", texts(r))
			}
			if testing.Verbose() {
				t.Logf("answered after %v: %q", took, texts(r))
			}
			left := calls.take()
			if len(left) == 0 {
				t.Fatal("no Redis call")
			}
			for _, l := range left {
				if l > commands.SenderCallWait {
					t.Fatalf("a Redis call of the request could wait %v (calls: %v), want at most %v", l, left, commands.SenderCallWait)
				}
			}
			// Once one call got no answer in its time, the request asks
			// Redis nothing more (storage.WithHungLatch): it heard about
			// one bound after it began, not one per call.
			if n := calls.sentAfterTimeout(); n != 0 {
				t.Fatalf("%d Redis calls sent after one got no answer in its time (calls: %v)", n, left)
			}
			if took > 15*time.Second {
				t.Fatalf("answered after %v (calls: %v)", took, left)
			}
		})
	}
}
