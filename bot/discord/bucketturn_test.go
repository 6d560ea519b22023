package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/vigia-project/vigia/commands"
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

// Two messages to one channel, one more than its limit allows, each with
// a deadline well short of the limit's reset: one goes, and the other
// comes back by its deadline, told it was rate limited (nothing sent: a
// broadcast holds the chat back, a member's answer is told to try
// again). Neither is held to the reset, deaf to its context: discordgo
// sleeps until a bucket's reset, under its lock, when it finds the
// bucket exhausted, and the adapter's look at the bucket (waitBucket)
// and the request were two: a send that looked while another on the
// same channel had not yet taken the bucket's last request was slept to
// the reset, then failed with its context (an outcome unknown, not a
// rate limit). The first send is held between its look and its request
// (a.looked) until the second waits for its turn on the bucket or was
// answered: the window is always hit, whatever the machine's load (the
// test sent 8 at once, an upload of 8 MB among them, within 2 s: on a
// loaded machine the sends that fit were answered past 2 s, and, since
// uploads are encoded before the look, the window was missed).
// Two guards keep a send out of it, either enough: the turns on the
// bucket (bucketTurns) and the adapter's own take of the bucket
// (lockedRequest); the turns alone are tested through discordgo's own
// methods by TestDiscordLookupsOnOneBucketAtOnceKeepTheirDeadlines.
// Mutation: retryUpTo without its turn on the bucket, and lockedRequest
// sending through s.RequestRaw -> the first send held about 30 s, ending
// in "context deadline exceeded".
func TestDiscordSendsOnOneBucketAtOnceKeepTheirDeadlines(t *testing.T) {
	twoOnOneBucket(t, func(ctx context.Context, a *Adapter) error {
		_, err := a.Send(ctx, "123", commands.Reply{Text: "aviso"})
		return err
	})
}

// Two channels looked up through discordgo's own method (describe), one
// more than the route's limit allows: one is answered, the other told it
// was rate limited by its deadline, neither held to the reset. Through
// discordgo's methods only the turns on the bucket keep the adapter's
// look at it and discordgo's together: without them, a lookup that
// looked while another had not yet taken the bucket's last request was
// slept to the reset in discordgo, deaf to its context.
// Mutation: retryUpTo without its turn on the bucket (bucketTurns) ->
// the first lookup held about 30 s, ending in "context deadline
// exceeded".
func TestDiscordLookupsOnOneBucketAtOnceKeepTheirDeadlines(t *testing.T) {
	twoOnOneBucket(t, func(ctx context.Context, a *Adapter) error {
		_, err := a.describe(ctx, "123")
		return err
	})
}

// twoOnOneBucket runs two requests (call) on one bucket whose limit
// allows one, the first held between its look at the bucket and its
// request until the second waits for its turn or was answered; it checks
// that one was sent and the other told a rate limit, both by their
// deadline (10 s), none held to the bucket's reset (30 s).
func twoOnOneBucket(t *testing.T, call func(context.Context, *Adapter) error) {
	t.Helper()
	const window, deadline = 30 * time.Second, 10 * time.Second
	api := &limitingAPI{limit: 1, window: window, delay: 50 * time.Millisecond, routes: map[string]*route{}}
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	second := make(chan struct{})
	var looks atomic.Int32
	a.looked = func() {
		if looks.Add(1) != 1 {
			return
		}
		close(second) // the second request starts as the first looked
		for end := time.Now().Add(deadline / 2); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			a.turns.mu.Lock()
			waiting := false
			for _, turn := range a.turns.turns {
				waiting = waiting || turn.users > 1
			}
			a.turns.mu.Unlock()
			api.mu.Lock()
			answered := api.sent > 0
			api.mu.Unlock()
			if waiting || answered {
				return
			}
		}
		t.Errorf("the second request neither waited for its turn nor was answered within %v", deadline/2)
	}
	type result struct {
		err  error
		took time.Duration
	}
	results := make(chan result, 2)
	run := func() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		start := time.Now()
		err := call(ctx, a)
		results <- result{err, time.Since(start)}
	}
	go run()
	go func() {
		<-second
		run()
	}()
	ok := 0
	for range 2 {
		r := <-results
		var rl *commands.RateLimitError
		var drl *discordgo.RateLimitError
		switch {
		case r.took > deadline+(window-deadline)/2:
			t.Errorf("a request returned after %v (deadline %v, reset %v): %v", r.took.Round(time.Millisecond), deadline, window, r.err)
		case r.err == nil:
			ok++
		case !errors.As(r.err, &rl) && !errors.As(r.err, &drl):
			t.Errorf("%v, want sent or a rate limit", r.err)
		}
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if ok != 1 || api.sent != 1 || api.limited != 0 {
		t.Errorf("%d requests told sent, %d taken by Discord, %d answered 429; want 1, 1, 0", ok, api.sent, api.limited)
	}
}
