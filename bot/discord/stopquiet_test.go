package discord

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// warnings is a log handler keeping what is logged at WARN or above
// once armed.
type warnings struct {
	armed atomic.Bool
	mu    sync.Mutex
	got   []string
}

func (w *warnings) Enabled(context.Context, slog.Level) bool { return true }

func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	if !w.armed.Load() || r.Level < slog.LevelWarn {
		return nil
	}
	line := r.Message
	r.Attrs(func(at slog.Attr) bool {
		line += fmt.Sprintf(" %s=%v", at.Key, at.Value)
		return true
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, line)
	return nil
}

func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

// none fails the test if anything was logged at WARN or above since armed.
func (w *warnings) none(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, line := range w.got {
		t.Errorf("a clean stop logged: %s", line)
	}
}

// A clean stop logs no warning: connected; a reconnection under way, cut
// by the stop in its handshake (a gateway that never answers) or while it
// asks for the gateway's address (a REST API that never answers). What
// the drop before it logged is not looked at.
// Mutation: reconnect logging a failed Open before looking at whether
// the adapter stops (as before) -> "a clean stop logged: discord gateway
// reconnection failed attempts=1 ..." (handshake, address).
func TestDiscordCleanStopLogsNoWarning(t *testing.T) {
	run := func(t *testing.T, apiURL string, w *warnings) (a *Adapter, stop func()) {
		t.Helper()
		a, err := New(Options{Token: "x", APIURL: apiURL, Logger: slog.New(w)})
		if err != nil {
			t.Fatal(err)
		}
		a.handshakeTime, a.gatewayAskTime = time.Hour, time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx, silentHandler{}) }()
		t.Cleanup(cancel)
		return a, func() {
			w.armed.Store(true)
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}
	t.Run("connected", func(t *testing.T) {
		g, w := newFlakyGateway(t, ""), &warnings{}
		a, stop := run(t, g.srv.URL, w)
		waitFor(t, "connected", a.Connected)
		stop()
		w.none(t)
	})
	t.Run("handshake", func(t *testing.T) {
		g, w := newFlakyGateway(t, "noack"), &warnings{}
		g.silentFrom = 2
		_, stop := run(t, g.srv.URL, w)
		g.waitOpened(t, 2) // the first dropped, the second never answered
		stop()
		w.none(t)
	})
	t.Run("address", func(t *testing.T) {
		srv, asked := silentREST(t)
		w := &warnings{}
		a, err := New(Options{Token: "x", APIURL: srv.URL, Logger: slog.New(w)})
		if err != nil {
			t.Fatal(err)
		}
		a.gatewayAskTime = time.Hour
		a.startReconnector(context.Background())
		a.onDisconnect(nil, nil)
		<-asked
		w.armed.Store(true)
		a.stop()
		w.none(t)
	})
}
