package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// ctxHandler records, for each request, whether its context was already
// over when the engine got it, and whether its reply could be sent.
type ctxHandler struct {
	mu      sync.Mutex
	dead    []bool
	replyOK []bool
	reqs    []commands.Request
	w       []commands.Replier
}

func (h *ctxHandler) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	dead := ctx.Err() != nil
	err := w.Reply(ctx, commands.Reply{Text: "received"})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dead = append(h.dead, dead)
	h.replyOK = append(h.replyOK, err == nil)
	h.reqs = append(h.reqs, req)
	h.w = append(h.w, w)
}

func (h *ctxHandler) Commands() []*commands.Command { return nil }

// A stalled download costs its own file only: the engine gets every part
// (the text with the first) with time left to keep it and answer, each
// stalled file as lost. A file Discord says is over the size limit is not
// fetched at all.
func TestDiscordSlowDownloadCostsOnlyItsFile(t *testing.T) {
	var fetched atomic.Int32
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		<-r.Context().Done() // a CDN that stalls until the client gives up
	}))
	defer cdn.Close()
	h := &ctxHandler{}
	api := &recordingAPI{}
	a := newTestAdapter(t, api, h, time.Hour)
	a.o.HandlerTimeout, a.o.DownloadTimeout = 300*time.Millisecond, 200*time.Millisecond
	a.onMessage(a.s, dm("los halcones cobran piso en la calle 5",
		&discordgo.MessageAttachment{ID: "1001", URL: cdn.URL + "/a.jpg", ContentType: "image/jpeg"},
		&discordgo.MessageAttachment{ID: "1002", URL: cdn.URL + "/b.jpg", ContentType: "image/jpeg"},
		&discordgo.MessageAttachment{ID: "1003", URL: cdn.URL + "/c.mp4", ContentType: "video/mp4", Size: storage.MaxFileSize + 1}))
	if len(h.reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(h.reqs))
	}
	for i := range h.reqs {
		if h.dead[i] || !h.replyOK[i] || !h.reqs[i].FileLost {
			t.Fatalf("request %d: dead=%v replyOK=%v lost=%v", i, h.dead[i], h.replyOK[i], h.reqs[i].FileLost)
		}
	}
	if h.reqs[0].Text == "" {
		t.Fatal("the text was not passed on")
	}
	// Only the oversized one is said to be too large (sending it again
	// would not help); a stalled one may be sent again.
	for i, want := range []bool{false, false, true} {
		if h.reqs[i].FileTooLarge != want {
			t.Fatalf("request %d: too large = %v", i, h.reqs[i].FileTooLarge)
		}
	}
	if n := fetched.Load(); n != 2 {
		t.Fatalf("%d downloads, want 2 (the oversized file is not fetched)", n)
	}
	if calls, _ := api.snapshot(); len(calls) != 3 {
		t.Fatalf("replies: %v", calls)
	}
}

// lateHandler answers only once its deadline is over (Redis was slow).
type lateHandler struct{}

func (lateHandler) Handle(ctx context.Context, _ commands.Request, w commands.Replier) {
	<-ctx.Done()
	_ = w.Reply(ctx, commands.Reply{Text: "error_storage"})
}

func (lateHandler) Commands() []*commands.Command { return nil }

// A reply after the event's deadline still goes out, under a short fresh
// deadline: the reporter hears what became of the message.
func TestDiscordReplyAfterDeadlineStillGoes(t *testing.T) {
	api := &recordingAPI{}
	a := newTestAdapter(t, api, lateHandler{}, time.Hour)
	a.o.HandlerTimeout = 50 * time.Millisecond
	a.onMessage(a.s, dm("hola"))
	if calls, _ := api.snapshot(); len(calls) != 1 || calls[0] != "POST /api/v9/channels/77/messages" {
		t.Fatalf("DM reply: %v", calls)
	}
	api = &recordingAPI{}
	a = newTestAdapter(t, api, lateHandler{}, time.Hour)
	a.o.HandlerTimeout = 50 * time.Millisecond
	a.onInteraction(a.s, commandInteraction())
	if calls, _ := api.snapshot(); len(calls) != 1 || !strings.HasSuffix(calls[0], "/callback") {
		t.Fatalf("interaction reply: %v", calls)
	}
}

// A wipe whose deletes are slow stops before its caller's deadline, so
// the caller still has the time to tell the reporter it failed.
func TestDiscordWipeLeavesTimeForItsResult(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodGet:
			var msgs []string
			for i := range 50 {
				msgs = append(msgs, fmt.Sprintf(`{"id":"%d","channel_id":"77","author":{"id":"11"}}`, 5000-i))
			}
			fmt.Fprint(w, "["+strings.Join(msgs, ",")+"]")
		case http.MethodDelete:
			time.Sleep(80 * time.Millisecond) // about Discord's pace for deletes
			w.WriteHeader(http.StatusNoContent)
		}
	})
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	a.botID = "11"
	// 2 s, a reserve of 500 ms: room enough for a loaded, race-built run
	// to see the wipe stop (400 ms, a reserve of 100, was not).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := a.WipeChat(ctx, "77", ""); err == nil {
		t.Fatal("50 slow deletes fitted in 2 s")
	}
	if ctx.Err() != nil {
		t.Fatal("the wipe used up its caller's deadline: no time is left to tell the reporter")
	}
}

// A bucket Discord reports exhausted makes discordgo sleep until its reset
// before the next request on it, whatever the request's context: the
// caller stops waiting when its context ends, nothing goes out late, and
// once the bucket has reset, requests go out again. Each route is checked
// under the key discordgo files it by (a wrong key would not wait at all).
func TestRateLimitWaitEndsWithTheContext(t *testing.T) {
	routes := []struct {
		name   string
		method string
		call   func(ctx context.Context, a *Adapter) error
	}{
		{"send", http.MethodPost, func(ctx context.Context, a *Adapter) error {
			_, err := a.Send(ctx, "123", commands.Reply{Text: "one"})
			return err
		}},
		{"delete", http.MethodDelete, func(ctx context.Context, a *Adapter) error {
			return a.DeleteMessage(ctx, "123", "77")
		}},
	}
	for _, rt := range routes {
		t.Run(rt.name, func(t *testing.T) { // not parallel: New sets discordgo's global logger
			var calls atomic.Int32
			api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == rt.method {
					calls.Add(1)
				}
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset-After", "5") // (2 s was within a loaded run's stall: the second call found the bucket reset)
				if r.Method == http.MethodDelete {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				fmt.Fprint(w, `{"id":"1","channel_id":"123","content":""}`)
			})
			a := newTestAdapter(t, api, slowHandler{}, time.Hour)
			if err := rt.call(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := rt.call(ctx, a)
			if took := time.Since(start); err == nil || took > 3*time.Second {
				t.Fatalf("second call: %v after %v (the bucket resets in 5 s)", err, took)
			}
			// Not sent, and said so, with the wait (a broadcast holds the chat).
			if rl := (*commands.RateLimitError)(nil); !errors.As(err, &rl) || rl.RetryAfter <= 0 {
				t.Errorf("second call: %v, want a rate limit with its wait", err)
			}
			time.Sleep(5500 * time.Millisecond) // past the reset: the abandoned request must not go out
			if n := calls.Load(); n != 1 {
				t.Fatalf("%d requests went out, want 1", n)
			}
			if err := rt.call(context.Background(), a); err != nil {
				t.Fatalf("after the reset: %v", err)
			}
			if n := calls.Load(); n != 2 {
				t.Errorf("%d requests went out, want 2", n)
			}
		})
	}
}

// A form Discord refuses comes back to the engine, which logs it, without
// the interaction's token (discordgo's rate-limit error quotes the URL).
func TestRefusedFormErrorHasNoToken(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":0.01,"global":false}`)
	})
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	i := commandInteraction()
	i.Token = "secret-interaction-token"
	r := &interactionReplier{a: a, i: i.Interaction}
	err := r.Reply(context.Background(), commands.Reply{Form: &commands.Form{ID: "report", Title: "Report"}})
	if err == nil || strings.Contains(err.Error(), i.Token) {
		t.Fatalf("refused form: %v", err)
	}
}
