package discord

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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
// Mutation: reconnect's look after a failed Open seeing stop only, not
// ctx (a.ending(context.Background())) -> "address, context ended" fails.
// Mutation: libraryLevel always WARN -> "a clean stop logged: discordgo
// level=0 message=error connecting to gateway %s, %s" (upgrade, upgrade
// at start): discordgo logs the dial open cut.
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
	t.Run("upgrade", func(t *testing.T) { // a reconnection's
		apiURL, accepted := upgradeNeverAnswered(t)
		w := &warnings{}
		a, err := New(Options{Token: "x", APIURL: apiURL, Logger: slog.New(w)})
		if err != nil {
			t.Fatal(err)
		}
		a.handshakeTime = time.Hour
		a.startReconnector(context.Background())
		a.onDisconnect(nil, nil)
		<-accepted
		w.armed.Store(true)
		a.stop()
		w.none(t)
	})
	t.Run("upgrade at start", func(t *testing.T) {
		apiURL, accepted := upgradeNeverAnswered(t)
		w := &warnings{}
		_, stop := run(t, apiURL, w)
		<-accepted
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
	t.Run("address, context ended", func(t *testing.T) { // no stop yet: the reconnector's ctx alone
		srv, asked := silentREST(t)
		w := &warnings{}
		a, err := New(Options{Token: "x", APIURL: srv.URL, Logger: slog.New(w)})
		if err != nil {
			t.Fatal(err)
		}
		a.gatewayAskTime = time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		a.startReconnector(ctx)
		defer a.stop()
		a.onDisconnect(nil, nil)
		<-asked
		w.armed.Store(true)
		cancel()
		within(t, "the reconnector", a.reconnectorDone)
		w.none(t)
	})
}

// upgradeNeverAnswered is Discord's REST API giving the address of a
// gateway that takes the TCP connection and never answers the websocket's
// upgrade: accepted tells of each connection taken.
func upgradeNeverAnswered(t *testing.T) (apiURL string, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	took := make(chan struct{}, 10)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case took <- struct{}{}:
			default:
			}
		}
	}()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"url":"ws://%s/ws"}`, ln.Addr())
	}))
	t.Cleanup(func() {
		srv.Close()
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return srv.URL, took
}

// A dial that fails on its own (the gateway's port closed), not cut by
// stop, is still a warning: the line discordgo logs for it stays at WARN.
// Mutation: libraryLevel always INFO -> "timed out waiting for a warning
// of the failed dial".
func TestDiscordFailedDialStillWarns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // refused from now on
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"url":"ws://%s/ws"}`, closed)
	}))
	defer srv.Close()
	w := &warnings{}
	w.armed.Store(true)
	a, err := New(Options{Token: "x", APIURL: srv.URL, Logger: slog.New(w)})
	if err != nil {
		t.Fatal(err)
	}
	a.startReconnector(context.Background())
	defer a.stop()
	a.onDisconnect(nil, nil)
	waitFor(t, "a warning of the failed dial", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return slices.ContainsFunc(w.got, func(line string) bool {
			return strings.Contains(line, "message="+dialFailed)
		})
	})
}

// A dial that fails on its own is a warning even while another adapter
// of the process, dialing the same host, stops: discordgo's logger is one
// for the process, and its line names the gateway, not the adapter. The
// line's own error tells a dial open cut (dialCutError) from one that
// failed; libraryLevel looked at every adapter dialing the line's host,
// and one with its handshake cancelled made any such line INFO.
// Mutation: libraryLevel as before (INFO if an adapter opening on the
// line's host has its handshake cancelled) -> "a refused dial logged at
// INFO while another adapter stops".
func TestDiscordFailedDialWarnsWhileAnotherAdapterStops_discord(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // refused from now on
	gateway := "ws://" + addr + "/ws"
	// One adapter stopping: an Open under way on that host, its handshake
	// cancelled.
	other, err := New(Options{Token: "x"})
	if err != nil {
		t.Fatal(err)
	}
	hs, cancel := context.WithCancel(context.Background())
	cancel()
	other.hmu.Lock()
	other.handshake = hs
	other.hmu.Unlock()
	opening.put(other, true)
	defer opening.put(other, false)
	// Another's dial, refused on its own.
	a, err := New(Options{Token: "x"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = a.newDialer().Dial(gateway, nil)
	if err == nil {
		t.Fatal("the dial to a closed port succeeded")
	}
	if level := libraryLevel(dialFailed, []any{gateway, err}); level != slog.LevelWarn {
		t.Errorf("a refused dial logged at %v while another adapter stops, want WARN", level)
	}
	// The dial open cuts as the adapter stops is INFO, whoever else dials.
	c, s := net.Pipe()
	defer s.Close()
	gc := &gatewayConn{Conn: c}
	gc.cutOff(hs)
	if _, err := gc.Read(make([]byte, 1)); libraryLevel(dialFailed, []any{gateway, err}) != slog.LevelInfo {
		t.Errorf("a dial cut as its adapter stops logged at WARN (%v)", err)
	}
}
