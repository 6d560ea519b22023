package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// cloudflarePage is Cloudflare's ban page: a 429 in HTML, not Discord's JSON.
const cloudflarePage = `<!DOCTYPE html><html><head><title>Access denied | discord.com used Cloudflare to restrict access</title></head><body>error code: 1015</body></html>`

// A 429 whose body is not Discord's JSON (Cloudflare's ban page) is a rate
// limit all the same: retried after its Retry-After header's wait, and,
// when it never ends, a *commands.RateLimitError with that wait, or a
// minute when none is named, so the broadcaster holds the chat back and
// sends again instead of taking the outcome as unknown.
// Mutation: the client's transport without plainRateLimit → the first
// send fails (not retried) and the others are not rate limits.
func TestDiscordHTMLRateLimitIsARateLimit(t *testing.T) {
	var mu sync.Mutex
	banned, header := 1, "0.05"
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if banned > 0 {
			banned--
			if header != "" {
				w.Header().Set("Retry-After", header)
			}
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, cloudflarePage)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"1","channel_id":"123","content":""}`)
	})
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	if _, err := a.Send(context.Background(), "123", commands.Reply{Text: "aviso"}); err != nil {
		t.Fatalf("send after a short ban: %v", err)
	}
	for _, c := range []struct {
		header string
		want   time.Duration
	}{{"", banWait}, {"120", 2 * time.Minute}} {
		mu.Lock()
		banned, header = 100, c.header
		mu.Unlock()
		// A bot of its own: the previous case's ban still holds the
		// other one back, with what is left of that ban's wait.
		a := newTestAdapter(t, api, slowHandler{}, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // under the wait: given up at once (500 ms was too short for a loaded run)
		_, err := a.Send(ctx, "123", commands.Reply{Text: "aviso"})
		cancel()
		var rl *commands.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != c.want {
			t.Errorf("Retry-After %q: %v, want a rate limit of %v", c.header, err, c.want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"30": 30 * time.Second, "1.5": 1500 * time.Millisecond,
		"Fri, 04 Dec 2026 18:02:00 GMT": 2 * time.Minute, "Fri, 04 Dec 2026 17:00:00 GMT": 0,
	} {
		if got, ok := retryAfter(h, now); !ok || got != want {
			t.Errorf("%q: %v %v, want %v", h, got, ok, want)
		}
	}
	for _, h := range []string{"", "soon", "-1"} {
		if _, ok := retryAfter(h, now); ok {
			t.Errorf("%q read as a wait", h)
		}
	}
}

// Discord's Cloudflare answers a blocked client with a 403 (its JSON code
// 40333, "internal network error", or an HTML page): the channel is not
// gone for the bot, the bot is held off Discord for a while. Taken as a
// destination gone, every community broadcast to during the block was
// unsubscribed (Store.Gone deactivates the subscription). It is a rate
// limit, waited out (Retry-After, or banWait); Discord's own 403 (Missing
// Access) still means the channel is gone for the bot.
// Mutation: plainRateLimit rewriting 429s only → the blocked sends are
// commands.ErrDestinationGone.
func TestDiscordCloudflareBlockIsNotADestinationGone(t *testing.T) {
	for _, c := range []struct {
		name, contentType, body string
		gone                    bool
	}{
		{"40333", "application/json", `{"message":"internal network error","code":40333}`, false},
		{"html", "text/html; charset=UTF-8", `<!DOCTYPE html><html><body>error code: 1020</body></html>`, false},
		{"missing access", "application/json", `{"message":"Missing Access","code":50001}`, true},
	} {
		api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", c.contentType)
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, c.body)
		})
		a := newTestAdapter(t, api, slowHandler{}, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // under the wait: given up at once (500 ms was too short for a loaded run)
		_, err := a.Send(ctx, "123", commands.Reply{Text: "aviso"})
		cancel()
		var rl *commands.RateLimitError
		switch {
		case c.gone && !errors.Is(err, commands.ErrDestinationGone):
			t.Errorf("%s: %v, want the destination gone", c.name, err)
		case !c.gone && (errors.Is(err, commands.ErrDestinationGone) || !errors.As(err, &rl) || rl.RetryAfter != banWait):
			t.Errorf("%s: %v, want a rate limit of %v", c.name, err, banWait)
		}
	}
}

// Cloudflare's ban is the bot's, on every route: once one request is
// banned, the others wait it out too instead of drawing more 429s (each
// counts toward the invalid requests that make Discord's bans longer).
// Mutation: the rewritten answer without X-RateLimit-Global → the send
// to the other channel reaches Discord during the ban.
func TestDiscordCloudflareBanHoldsEveryRoute(t *testing.T) {
	var mu sync.Mutex
	other := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v9/channels/2/messages" {
			mu.Lock()
			other++
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"id":"1","channel_id":"2","content":""}`)
			return
		}
		w.Header().Set("Retry-After", "120")
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, cloudflarePage)
	})
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	for _, chat := range []string{"1", "2"} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // under the wait: given up at once (500 ms was too short for a loaded run)
		_, err := a.Send(ctx, chat, commands.Reply{Text: "aviso"})
		cancel()
		if !errors.Is(err, commands.ErrRateLimited) {
			t.Errorf("send to %s during the ban: %v, want a rate limit", chat, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if other != 0 {
		t.Errorf("%d requests sent during the ban", other)
	}
}

// The janitor's sweep of the rate limiter keeps a global limit in force:
// after a Cloudflare ban on one route, swapping in a fresh limiter does
// not let the others go out before the ban is over.
// Mutation: sweepLimiter swapping in a bare discordgo.NewRatelimiter() →
// the send to the other channel reaches Discord during the ban.
func TestDiscordLimiterSweepKeepsABan(t *testing.T) {
	var mu sync.Mutex
	other := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v9/channels/2/messages" {
			mu.Lock()
			other++
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"id":"1","channel_id":"2","content":""}`)
			return
		}
		w.Header().Set("Retry-After", "120")
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, cloudflarePage)
	})
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	// (Deadlines of a second: a loaded machine is slow to answer.)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	_, err := a.Send(ctx, "1", commands.Reply{Text: "aviso"})
	cancel()
	if !errors.Is(err, commands.ErrRateLimited) {
		t.Fatalf("send during the ban: %v, want a rate limit", err)
	}
	if !a.sweepLimiter() {
		t.Fatal("the sweep was skipped with nothing in flight")
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	_, err = a.Send(ctx, "2", commands.Reply{Text: "aviso"})
	cancel()
	var rl *commands.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter < 110*time.Second {
		t.Errorf("send to another channel after the sweep: %v, want the ban's wait", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if other != 0 {
		t.Errorf("%d requests sent during the ban", other)
	}
}

// A 429 whose retry_after outlasts the caller's deadline is not waited
// out: the caller hears at once that nothing was sent, with the wait (a
// broadcast holds the chat back for so long), and keeps the rest of its
// time (a handler, to answer the member; a user's queue, to go on). Each
// route is checked: a send, a delete, an interaction's answer.
// Mutation: retry without its deadline check → each call returns only
// when its context ends.
func TestDiscordLongRateLimitGivesUpAtOnce(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":600,"global":false}`)
	})
	for _, c := range []struct {
		name string
		call func(ctx context.Context, a *Adapter) error
	}{
		{"send", func(ctx context.Context, a *Adapter) error {
			_, err := a.Send(ctx, "123", commands.Reply{Text: "aviso"})
			return err
		}},
		{"delete", func(ctx context.Context, a *Adapter) error { return a.DeleteMessage(ctx, "123", "77") }},
		{"answer", func(ctx context.Context, a *Adapter) error {
			return (&interactionReplier{a: a, i: commandInteraction().Interaction}).Reply(ctx, commands.Reply{Text: "hola"})
		}},
	} {
		mu.Lock()
		calls = 0
		mu.Unlock()
		a := newTestAdapter(t, api, slowHandler{}, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := c.call(ctx, a)
		if ctx.Err() != nil {
			t.Errorf("%s: waited until its deadline", c.name)
		}
		cancel()
		if err == nil {
			t.Errorf("%s: went through under a 600 s rate limit", c.name)
		}
		var rl *commands.RateLimitError
		if c.name != "answer" && (!errors.As(err, &rl) || rl.RetryAfter != 600*time.Second) {
			t.Errorf("%s: %v, want a rate limit of 600 s", c.name, err)
		}
		mu.Lock()
		if calls != 1 {
			t.Errorf("%s: %d requests, want 1", c.name, calls)
		}
		mu.Unlock()
	}
}

// The broadcaster sends with SendNoWait (commands.NoWaitSender), on a
// context with no deadline: a 429 on its first message, or a bucket
// Discord reported exhausted, comes back at once as a
// *commands.RateLimitError with the wait, so the broadcaster holds Discord
// back and goes on with the other platforms, rather than waiting it out
// (three times over) while every destination on every platform waits.
// Its 429 is counted (OnRateLimit), as every 429 is.
// Mutations: the adapter without SendNoWait → not a NoWaitSender (the
// broadcaster's Send waits out the 429); SendNoWait waiting out a 429 or
// an exhausted bucket → it is still waiting when the test gives up on it;
// retryUpTo returning a 429 it does not wait out before counting it → no
// 429 counted.
func TestDiscordSendNoWaitReturnsTheRateLimitAtOnce(t *testing.T) {
	for _, c := range []struct {
		name  string
		first int // the status of the first request; 200 leaves the bucket exhausted
		want  int // requests sent in all
	}{
		{"429", http.StatusTooManyRequests, 1},
		{"bucket exhausted", http.StatusOK, 1},
	} {
		var mu sync.Mutex
		calls := 0
		api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls++
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if c.first == http.StatusOK {
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset-After", "60")
				fmt.Fprint(w, `{"id":"1","channel_id":"123","content":""}`)
				return
			}
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":60,"global":false}`)
		})
		a := newTestAdapter(t, api, slowHandler{}, time.Hour)
		limited := 0 // (called on the sender's goroutine: read after done)
		a.o.OnRateLimit = func() { limited++ }
		nw, ok := any(a).(commands.NoWaitSender)
		if !ok {
			t.Fatal("the Discord adapter is no commands.NoWaitSender: the broadcaster waits out its 429s")
		}
		if c.first == http.StatusOK {
			if _, err := a.Send(context.Background(), "123", commands.Reply{Text: "uno"}); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan error, 1)
		go func() {
			_, err := nw.SendNoWait(context.Background(), "123", commands.Reply{Text: "aviso"})
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: SendNoWait is waiting out the rate limit", c.name)
		}
		var rl *commands.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter < 50*time.Second {
			t.Errorf("%s: %v, want a rate limit of about 60 s", c.name, err)
		}
		mu.Lock()
		if calls != c.want {
			t.Errorf("%s: %d requests, want %d", c.name, calls, c.want)
		}
		mu.Unlock()
		if c.first != http.StatusOK && limited != 1 {
			t.Errorf("%s: %d 429s counted, want 1", c.name, limited)
		}
	}
}
