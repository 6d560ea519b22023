package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// limitingAPI is a Discord REST API that enforces a route's limit as
// Discord does: limit requests per window on each method and path, each
// answered with X-RateLimit-Remaining and X-RateLimit-Reset-After, and one
// past the limit answered 429 (and counted: Discord counts them too). Each
// answer takes delay, as a real round trip does.
type limitingAPI struct {
	limit  int
	window time.Duration
	delay  time.Duration

	mu      sync.Mutex
	routes  map[string]*route
	sent    int // requests taken
	limited int // requests answered 429
}

type route struct {
	used  int
	reset time.Time
}

func (l *limitingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(l.delay)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	rt := l.routes[r.Method+" "+r.URL.Path]
	if rt == nil || !now.Before(rt.reset) {
		rt = &route{reset: now.Add(l.window)}
		l.routes[r.Method+" "+r.URL.Path] = rt
	}
	after := strconv.FormatFloat(rt.reset.Sub(now).Seconds(), 'f', 3, 64)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
	w.Header().Set("X-RateLimit-Reset-After", after)
	if rt.used >= l.limit {
		l.limited++
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"message":"You are being rate limited.","retry_after":%s,"global":false}`, after)
		return
	}
	rt.used++
	l.sent++
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(l.limit-rt.used))
	fmt.Fprint(w, `{"id":"1","channel_id":"123","content":""}`)
}

// Messages to one channel sent at once, more than its limit allows, each
// with a deadline well short of the limit's reset: those that fit go,
// and each other one comes back by its deadline, told it was rate
// limited (nothing sent: a broadcast holds the chat back, a member's
// answer is told to try again). None is held to the reset, deaf to its
// context: discordgo sleeps until a bucket's reset, under its lock,
// when it finds the bucket exhausted, and the adapter's look at the
// bucket and discordgo's were two (waitBucket, then the request): a
// send that looked while another on the same channel had not yet taken
// the bucket's last request was slept to the reset, then failed with its
// context (an outcome unknown, not a rate limit).
// Mutation: retryUpTo without its turn on the bucket (bucketTurns) ->
// sends held about 10 s, ending in "context deadline exceeded".
func TestDiscordSendsOnOneBucketAtOnceKeepTheirDeadlines(t *testing.T) {
	for round := range 4 { // (the window is a race: each round may miss it)
		api := &limitingAPI{limit: 2, window: 10 * time.Second, delay: 50 * time.Millisecond, routes: map[string]*route{}}
		a := newTestAdapter(t, api, slowHandler{}, time.Hour)
		const senders = 8
		gate := make(chan struct{})
		type result struct {
			err  error
			took time.Duration
		}
		results := make(chan result, senders)
		for n := range senders {
			rep := commands.Reply{Text: "aviso"}
			if n == 0 { // a photo: its upload takes a while to encode
				rep = commands.Reply{Files: []commands.File{{Attachment: tips.Attachment{Kind: tips.Photo}, Data: make([]byte, 8<<20)}}}
			}
			go func() {
				<-gate
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				start := time.Now()
				_, err := a.Send(ctx, "123", rep)
				results <- result{err, time.Since(start)}
			}()
		}
		close(gate)
		ok := 0
		for range senders {
			r := <-results
			var rl *commands.RateLimitError
			switch {
			case r.took > 6*time.Second:
				t.Errorf("round %d: a send returned after %v (deadline 2 s, reset 10 s): %v", round, r.took.Round(time.Millisecond), r.err)
			case r.err == nil:
				ok++
			case !errors.As(r.err, &rl):
				t.Errorf("round %d: %v, want sent or a rate limit", round, r.err)
			}
		}
		api.mu.Lock()
		if ok != api.sent || api.sent != api.limit || api.limited != 0 {
			t.Errorf("round %d: %d sends told sent, %d taken by Discord, %d answered 429; want %d, %d, 0", round, ok, api.sent, api.limited, api.limit, api.limit)
		}
		api.mu.Unlock()
	}
}
