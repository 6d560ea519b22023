package discord

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// panicOnGatewayAsk is a transport whose first request for the gateway's
// address panics.
type panicOnGatewayAsk struct {
	next  http.RoundTripper
	fired atomic.Bool
}

func (p *panicOnGatewayAsk) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == gatewayPath && p.fired.CompareAndSwap(false, true) {
		panic(errInjected)
	}
	return p.next.RoundTrip(req)
}

// An Open whose request for the gateway's address panics (discordgo's
// own request, its transport unguarded) left that request's bucket
// locked: the next Open (the reconnector's next attempt) waited for it in
// awaitGatewayLimit forever, and stop with it. openSession releases it:
// the next Open asks again and connects.
// Mutation: openSession without the bucket's release -> the second Open
// never returns (the test fails at its 20 s).
func TestDiscordGatewayAskPanicLeavesNoBucketLocked(t *testing.T) {
	g := newTestGateway(t)
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	capturePanics(a)
	a.http.Transport = &panicOnGatewayAsk{next: a.http.Transport}
	t.Cleanup(func() { _ = a.s.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := a.guarded("gateway reconnection", func() error { return a.open(ctx) }); !errors.Is(err, errPanicked) {
		t.Fatalf("the first Open: %v, want its panic", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.guarded("gateway reconnection", func() error { return a.open(ctx) }) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the Open after the panic: %v, want it connected", err)
		}
	case <-time.After(20 * time.Second):
		cancel()
		close(a.halt) // (the Open is stuck before its handshake: nothing cuts it)
		t.Fatal("the Open after the panic never returns: the gateway's bucket stays locked")
	}
}
