package discord

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// startChecking runs an adapter whose investigators' channel 555 Discord
// answers with describe (the rest as newFlakyGateway), and returns once
// it is asked about it.
func startChecking(t *testing.T, w *warnings, describe http.HandlerFunc) (a *Adapter, cancel func(), done <-chan error) {
	t.Helper()
	g := newFlakyGateway(t, "")
	asked := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/channels/555") {
			select {
			case asked <- struct{}{}:
			default:
			}
			describe(rw, r)
			return
		}
		g.serve(rw, r)
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	a, err := New(Options{Token: "x", APIURL: srv.URL, Logger: slog.New(w), InvestigatorChannels: []string{"555"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx, silentHandler{}) }()
	select {
	case <-asked:
	case <-time.After(time.Minute):
		t.Fatal("the investigators' channel never looked up")
	}
	return a, cancel, ran
}

// serve stopping while the adapter checks its investigators' channels at
// start (another platform failed: Telegram's token refused, and serve
// ends every adapter's context) is a clean stop for Discord: Run returns
// nil and nothing is logged at WARN. The check was cut, it did not fail:
// a warning that the channel "could not be checked" sends an operator
// after the wrong platform, beside the one ERROR saying why serve
// stopped. A check Discord fails (a 500) is still warned of, and the
// start goes on.
// Mutations: checkInvestigatorChannels warning whatever ended the check
// (as before) -> "a clean stop logged: discord could not check an
// investigators' channel error=discord request failed: context
// canceled"; Run returning register's error after its context ended (as
// before) -> "Run: discord did not take the bot's commands in time:
// discord rate limited" (or "discord command registration: ... context
// canceled");
// checkInvestigatorChannels never warning -> "no warning of the failed
// check".
func TestDiscordStopWhileCheckingChannelsLogsNoWarning(t *testing.T) {
	t.Run("stopped", func(t *testing.T) {
		w := &warnings{}
		_, cancel, done := startChecking(t, w, func(_ http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // Discord slow to describe it
		})
		w.armed.Store(true)
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v, want nil (stopped)", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Run still running 30 s after its context ended")
		}
		w.none(t)
	})
	t.Run("failed", func(t *testing.T) {
		w := &warnings{}
		w.armed.Store(true)
		a, _, _ := startChecking(t, w, func(rw http.ResponseWriter, _ *http.Request) {
			http.Error(rw, "oops", http.StatusInternalServerError)
		})
		waitFor(t, "connected", a.Connected)
		w.mu.Lock()
		defer w.mu.Unlock()
		if !slices.ContainsFunc(w.got, func(l string) bool { return strings.HasPrefix(l, "discord could not check an investigators' channel") }) {
			t.Errorf("no warning of the failed check: %q", w.got)
		}
	})
}
