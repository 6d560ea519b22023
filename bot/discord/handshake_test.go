package discord

import (
	"context"
	"errors"
	"testing"
	"time"
)

// startOn starts an adapter on the gateway, its handshake bounded by
// handshake. end cancels Run and returns its error, failing the test if
// Run has not returned within 10 s; done gives Run's error.
func (g *flakyGateway) startOn(t *testing.T, handshake time.Duration) (a *Adapter, end func() error, done <-chan error) {
	t.Helper()
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	a.handshakeTime = handshake
	ctx, cancel := context.WithCancel(context.Background())
	errc, finished := make(chan error, 1), make(chan struct{})
	go func() {
		errc <- a.Run(ctx, silentHandler{})
		close(finished)
	}()
	end = func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Run still running 10 s after its context ended: stop waits on a handshake never answered")
			return nil
		}
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
		}
	})
	return a, end, errc
}

// waitOpened waits for the gateway to have taken n connections.
func (g *flakyGateway) waitOpened(t *testing.T, n int) {
	t.Helper()
	waitFor(t, "the gateway's connections", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.opened >= n
	})
}

// waitAllClosed waits for every gateway connection to be closed.
func (g *flakyGateway) waitAllClosed(t *testing.T) {
	t.Helper()
	waitFor(t, "every connection closed", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.live == 0
	})
}

// A gateway that takes the websocket and never sends HELLO (discordgo's
// Open then reads with no deadline, holding the session's lock) does not
// hold the shutdown: Run, stopped while it connects, returns (with no
// error: it was stopped), and the connection is closed. The handshake's
// own bound (an hour here) plays no part.
// Mutation: open not cutting the connection when ctx ends (the
// AfterFunc's Close removed) -> Run still running 10 s on.
func TestDiscordStopDuringASilentStart(t *testing.T) {
	g := newFlakyGateway(t, "")
	g.silentFrom = 1
	_, end, _ := g.startOn(t, time.Hour)
	g.waitOpened(t, 1)
	if err := end(); err != nil {
		t.Errorf("Run: %v", err)
	}
	g.waitAllClosed(t)
}

// The same on a reconnection: stop, which waits for the reconnector,
// cuts its Open on a gateway that never answers and returns, even with
// the reconnector's context still alive (Run returning an error of its
// own). Run stopped while it reconnects returns too.
// Mutations: open not watching a.halt -> stop still running 10 s on
// ("stop"); open's AfterFunc closing nothing -> Run still running 10 s on
// ("run").
func TestDiscordStopDuringASilentReconnection(t *testing.T) {
	t.Run("stop", func(t *testing.T) {
		g := newFlakyGateway(t, "")
		g.silentFrom = 1
		a, err := New(Options{Token: "x", APIURL: g.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		a.startReconnector(context.Background())
		a.onDisconnect(nil, nil)
		g.waitOpened(t, 1)
		stopped := make(chan struct{})
		go func() {
			a.stop()
			close(stopped)
		}()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Fatal("stop still running 10 s on: it waits on a handshake never answered")
		}
		g.waitAllClosed(t)
	})
	t.Run("run", func(t *testing.T) {
		g := newFlakyGateway(t, "noack")
		g.silentFrom = 2
		_, end, _ := g.startOn(t, time.Hour)
		g.waitOpened(t, 2)
		if err := end(); err != nil {
			t.Errorf("Run: %v", err)
		}
		g.waitAllClosed(t)
	})
}

// A handshake not answered within its bound is given up: at start Run
// returns errHandshakeOver (serve exits, rather than hang); on a
// reconnection the reconnector tries again.
// Mutation: open with no timeout (context.WithCancel(ctx)) -> Run does
// not return at start, and no third connection is tried (timed out).
func TestDiscordSilentHandshakeIsGivenUp(t *testing.T) {
	t.Run("start", func(t *testing.T) {
		g := newFlakyGateway(t, "")
		g.silentFrom = 1
		_, _, done := g.startOn(t, 200*time.Millisecond)
		select {
		case err := <-done:
			if !errors.Is(err, errHandshakeOver) {
				t.Errorf("Run: %v, want errHandshakeOver", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run still waiting on a gateway that never answers")
		}
	})
	t.Run("reconnection", func(t *testing.T) {
		g := newFlakyGateway(t, "noack")
		g.silentFrom = 2
		_, end, _ := g.startOn(t, 200*time.Millisecond)
		g.waitOpened(t, 3) // the second given up, a third tried 1 s on
		if err := end(); err != nil {
			t.Errorf("Run: %v", err)
		}
		g.waitAllClosed(t)
	})
}
