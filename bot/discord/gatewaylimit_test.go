package discord

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// banFor holds every request of a's rate limiter back for d, as a 429
// with X-RateLimit-Global does (Discord's global limit, or Cloudflare's
// ban: plainRateLimit).
func banFor(a *Adapter, d time.Duration) {
	b := a.s.Ratelimiter.LockBucket("test-ban")
	_ = b.Release(http.Header{"X-Ratelimit-Global": {"true"}, "X-Ratelimit-Reset-After": {strconv.FormatFloat(d.Seconds(), 'f', -1, 64)}})
}

// isOpening reports whether a has an Open under way (open).
func isOpening(a *Adapter) bool {
	opening.Lock()
	defer opening.Unlock()
	return opening.adapters[a]
}

// Run started while the rate limiter holds requests back (a Cloudflare
// ban: an hour here) waits to ask for the gateway's address; its context
// ending during that wait ends Run at once, and the request is never sent.
// Mutation: open without awaitGatewayLimit (discordgo's limiter sleeps
// the hour, under its lock) -> "Run still running 10 s on".
func TestDiscordStopDuringTheGatewayAddressRateLimitIsPrompt(t *testing.T) {
	g := newFlakyGateway(t, "")
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	banFor(a, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, silentHandler{}) }()
	waitFor(t, "Run opening the gateway", func() bool { return isOpening(a) })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run still running 10 s on: it waits out the rate limit before asking for the gateway's address")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.asked != 0 {
		t.Errorf("%d requests for the gateway's address during the ban, want 0", g.asked)
	}
}

// A reconnection that must ask for the gateway's address again (the
// previous attempt's dial failed: discordgo forgot it) during a ban waits
// for it, and Run's context ending during that wait ends Run at once.
// Mutation: open without awaitGatewayLimit -> "Run still running 10 s on".
func TestDiscordStopDuringAReconnectionsRateLimitIsPrompt(t *testing.T) {
	g := newFlakyGateway(t, "refuse") // the first connection dropped, every later one refused
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	banned := make(chan struct{})
	a.beforeReopen = func() {
		select {
		case <-banned:
		default:
			if *a.gatewayURL == "" { // the attempt after a failed dial
				banFor(a, time.Hour)
				close(banned)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, silentHandler{}) }()
	select {
	case <-banned:
	case <-time.After(time.Minute):
		t.Fatal("no reconnection after a failed dial")
	}
	waitFor(t, "the reconnection opening the gateway", func() bool { return isOpening(a) })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run still running 10 s on: the reconnection waits out the rate limit before asking for the gateway's address")
	}
}

// A reconnection with the gateway's address (a connection that was up,
// dropped) sends no request for it: the rate limiter's wait (an hour's
// ban) does not hold it back, and it connects at once.
// Mutation: awaitGatewayLimit not looking at gatewayURL (waiting before
// every Open) -> "timed out waiting for the reconnection".
func TestDiscordReconnectionWithTheGatewaysAddressIsNotRateLimited(t *testing.T) {
	g := newFlakyGateway(t, "noack") // the first connection dropped
	banned := false                  // (beforeReopen runs on the reconnector's goroutine only)
	g.run(t, silentHandler{}, func(a *Adapter) {
		if !banned {
			banFor(a, time.Hour)
			banned = true
		}
	})
	g.waitOpened(t, 2)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.asked != 1 {
		t.Errorf("%d requests for the gateway's address, want 1 (the first Open's)", g.asked)
	}
}
