package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/vigia-project/vigia/commands"
)

// flakyGateway is Discord's gateway and REST API, whose connections fail
// as told: fail is "op7" (the first connection is sent op 7, Reconnect),
// "noack" (the first connection's heartbeats are never acknowledged) or
// "noack-all" (no connection's are), or "refuse" (as noack, and every
// connection after the first is refused). Heartbeats not acknowledged are due
// every 20 ms, so discordgo gives the connection up after 100 ms. It
// answers IDENTIFY with READY and RESUME with RESUMED; on every
// connection after the first it sends a direct message. Other REST calls
// go to api.
type flakyGateway struct {
	srv  *httptest.Server
	api  *recordingAPI
	fail string
	// closeCode, if set, closes every connection from the closeFrom-th
	// (counted from 1) with that close code, after the client's first op.
	closeCode, closeFrom int
	// silentFrom, if set, makes every connection from the silentFrom-th
	// one that is taken and never answered: no HELLO, no READY.
	silentFrom int
	// liveClose, if set, closes the liveCloseAt-th connection (the first
	// if 0) with that code once it is up (on its first heartbeat, READY
	// sent); the others are taken as usual.
	liveClose, liveCloseAt int
	// panicReadyAt, if set, answers the panicReadyAt-th connection's
	// IDENTIFY or RESUME with a READY whose guilds hold a null: discordgo
	// panics on it within Open, its connection dialed.
	panicReadyAt int

	mu       sync.Mutex
	opened   int      // connections taken
	live     int      // connections still open on the gateway's side
	ops      []string // each connection's first op from the client: "identify" or "resume"
	closures []int    // the close codes the client sent
	asked    int      // requests for the gateway's URL
}

func newFlakyGateway(t *testing.T, fail string) *flakyGateway {
	g := &flakyGateway{api: &recordingAPI{}, fail: fail}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(func() {
		g.srv.CloseClientConnections()
		g.srv.Close()
	})
	return g
}

func (g *flakyGateway) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/gateway") || strings.HasSuffix(r.URL.Path, "/gateway/bot"):
		g.record(func() { g.asked++ })
		fmt.Fprintf(w, `{"url":"ws://%s/ws"}`, r.Host)
	case strings.HasPrefix(r.URL.Path, "/ws"):
		g.mu.Lock()
		refused := g.fail == "refuse" && g.opened > 0
		g.mu.Unlock()
		if refused {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		g.mu.Lock()
		g.opened++
		g.live++
		n := g.opened
		g.mu.Unlock()
		defer func() {
			g.mu.Lock()
			g.live--
			g.mu.Unlock()
		}()
		g.session(c, n)
	case r.Method == http.MethodPut:
		fmt.Fprint(w, `[]`) // the commands registered
	default:
		g.api.ServeHTTP(w, r)
	}
}

func (g *flakyGateway) session(c *websocket.Conn, n int) {
	if g.silentFrom != 0 && n >= g.silentFrom {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return // the client closed it
			}
		}
	}
	noack := g.fail == "noack-all" || (g.fail == "noack" || g.fail == "refuse") && n == 1
	interval := 45000
	if noack {
		interval = 20
	}
	var wmu sync.Mutex
	send := func(v any) {
		wmu.Lock()
		defer wmu.Unlock()
		_ = c.WriteJSON(v)
	}
	send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": interval}})
	var first struct {
		Op int `json:"op"`
	}
	if c.ReadJSON(&first) != nil {
		return
	}
	if g.closeCode != 0 && n >= g.closeFrom {
		wmu.Lock()
		_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(g.closeCode, ""))
		wmu.Unlock()
		return
	}
	switch {
	case g.panicReadyAt != 0 && n == g.panicReadyAt:
		send(map[string]any{"op": 0, "t": "READY", "s": 1, "d": map[string]any{
			"v": 9, "session_id": "s", "guilds": []any{nil},
			"user": map[string]any{"id": "11", "username": "Vigia", "bot": true}, "application": map[string]any{"id": "11"}}})
	case first.Op == 2:
		g.record(func() { g.ops = append(g.ops, "identify") })
		send(map[string]any{"op": 0, "t": "READY", "s": 1, "d": map[string]any{
			"v": 9, "session_id": "s", "guilds": []any{},
			"user": map[string]any{"id": "11", "username": "Vigia", "bot": true}, "application": map[string]any{"id": "11"}}})
	case first.Op == 6:
		g.record(func() { g.ops = append(g.ops, "resume") })
		send(map[string]any{"op": 0, "t": "RESUMED", "s": 2, "d": map[string]any{}})
	default:
		return
	}
	if g.fail == "op7" && n == 1 {
		send(map[string]any{"op": 7, "d": nil})
	}
	if n > 1 {
		send(map[string]any{"op": 0, "t": "MESSAGE_CREATE", "s": 3, "d": map[string]any{
			"id": "1000", "channel_id": "77", "content": "hay halcones en la plaza",
			"author": map[string]any{"id": "50", "username": "r"}}})
	}
	for {
		var m struct {
			Op int `json:"op"`
		}
		if err := c.ReadJSON(&m); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				g.record(func() { g.closures = append(g.closures, ce.Code) })
			}
			return
		}
		if m.Op == 1 && g.liveClose != 0 && n == max(g.liveCloseAt, 1) {
			wmu.Lock()
			_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(g.liveClose, ""))
			wmu.Unlock()
			continue // read on, to the client's own close
		}
		if m.Op == 1 && !noack {
			send(map[string]any{"op": 11})
		}
	}
}

func (g *flakyGateway) record(f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f()
}

// run starts an adapter on the gateway; the returned stop cancels Run and
// waits for it to return.
func (g *flakyGateway) run(t *testing.T, h Handler, beforeReopen func(*Adapter)) (*Adapter, func()) {
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if beforeReopen != nil {
		a.beforeReopen = func() { beforeReopen(a) }
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return a, stop
}

// A gateway connection lost (its heartbeats not acknowledged, or Discord
// asking for a reconnection with op 7) is opened again by the adapter,
// which resumes the session (discordgo's Open decides, as its own
// reconnection did) and keeps answering: a direct message sent on the new
// connection is handled and answered.
// Mutations: the Disconnect handler not registered (onDisconnect) -> no
// second connection (timed out); reconnect returning without Open -> the
// same.
func TestDiscordReconnectsAndKeepsAnswering(t *testing.T) {
	for _, fail := range []string{"noack", "op7"} {
		t.Run(fail, func(t *testing.T) {
			g := newFlakyGateway(t, fail)
			h := &recordingHandler{}
			a, _ := g.run(t, h, nil)
			waitFor(t, "a second connection", func() bool {
				g.mu.Lock()
				defer g.mu.Unlock()
				return len(g.ops) >= 2
			})
			waitFor(t, "the direct message answered", func() bool {
				calls, _ := g.api.snapshot()
				return slices.Contains(calls, "POST /api/v9/channels/77/messages")
			})
			waitFor(t, "connected", a.Connected)
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.ops[0] != "identify" || g.ops[1] != "resume" {
				t.Errorf("connections began with %v, want identify then resume", g.ops)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			// The fake sends the message on every connection after the
			// first: where discordgo's dead heartbeat closes the new
			// connection (rare; its Close acts on whichever connection is
			// current), a third one gets it again, which is no failure here.
			if len(h.got) == 0 || slices.ContainsFunc(h.got, func(m commands.Request) bool { return m.Text != "hay halcones en la plaza" }) {
				t.Errorf("the engine got %+v", h.got)
			}
		})
	}
}

// Stopping the adapter while discordgo's heartbeat is closing a connection
// whose heartbeats went unacknowledged (it then calls its reconnect,
// which reads ShouldReconnectOnError without a lock) is no data race (run
// with -race), and leaves no connection open: none is opened after the
// shutdown's close.
// Mutation: stop setting ShouldReconnectOnError (as before) -> DATA RACE
// with discordgo's reconnect (wsapi.go:884).
func TestDiscordStopDuringHeartbeatReconnect(t *testing.T) {
	g := newFlakyGateway(t, "noack-all")
	a, stop := g.run(t, silentHandler{}, nil)
	// The client's close frame: discordgo's heartbeat is in Close (which
	// sleeps 1 s before it closes the socket), its reconnect next.
	waitFor(t, "the heartbeat's close", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.closures) > 0
	})
	stop()
	waitFor(t, "every connection closed", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.live == 0
	})
	if a.Connected() {
		t.Error("connected after Run returned")
	}
}

// A reconnection under way as the adapter stops (past its last look at
// whether the adapter stops, about to Open) is waited for, its Open cut
// (handshake.go) or, had it connected, closed: no Open of the
// reconnector's runs once Run has returned, and no connection is left
// open. The reconnector, let go once stop has begun, holds its Open back
// a while longer, noting whether Run returned meanwhile: Run must not
// have, since stop waits for it. (Since open cuts an Open once stop has
// begun, that Open mostly never connects: what the gateway sees cannot
// tell a stop that waited from one that did not.)
// Mutation: stop not waiting for the reconnector (<-reconnecting removed)
// -> "the reconnector's Open began after Run returned", every run.
func TestDiscordStopWaitsForAReconnection(t *testing.T) {
	g := newFlakyGateway(t, "noack")
	reopening := make(chan struct{}, 1)
	returned := make(chan struct{})   // closed once Run has returned
	afterReturn := make(chan bool, 1) // whether the Open let go began after Run returned
	_, stop := g.run(t, silentHandler{}, func(a *Adapter) {
		select {
		case reopening <- struct{}{}:
		default:
		}
		<-a.halt // held until stop begins
		late := false
		select {
		case <-returned:
			late = true
		case <-time.After(time.Second): // Run has had ample time to return, had stop not waited
		}
		select {
		case afterReturn <- late:
		default:
		}
	})
	<-reopening
	stop()
	close(returned)
	if <-afterReturn {
		t.Error("the reconnector's Open began after Run returned: stop did not wait for it")
	}
	waitFor(t, "every connection closed", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.live == 0
	})
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.opened > 2 {
		t.Errorf("%d connections, want at most 2 (the first, and the reconnection let go)", g.opened)
	}
}

// A reconnection that asks Discord for the gateway's URL again (a REST
// call: the last attempt could not connect) does so holding the rate
// limiter for reading, so the janitor's sweepLimiter, which swaps
// s.Ratelimiter, never does it meanwhile (run with -race).
// Mutation: reconnect calling Open without a.rl.RLock -> DATA RACE
// between sweepLimiter's write of s.Ratelimiter and discordgo's read of
// it in the request for the gateway's URL.
func TestDiscordReconnectionAsksForTheGatewayUnderTheLimiter(t *testing.T) {
	g := newFlakyGateway(t, "refuse")
	a, _ := g.run(t, silentHandler{}, nil)
	waitFor(t, "connected", a.Connected)
	sweeping, swept := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(swept)
		for {
			select {
			case <-sweeping:
				return
			default:
			}
			a.sweepLimiter()
			time.Sleep(time.Millisecond) // pace: the janitor's sweeps, many times over
		}
	}()
	// The first attempt reuses the gateway's URL and is refused; the
	// second asks for it again.
	waitFor(t, "the gateway's URL asked for again", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.asked >= 2
	})
	close(sweeping)
	<-swept
}

// A new adapter does not write discordgo's global logger while another
// adapter's discordgo goroutines log through it (its reconnections
// failing here; run with -race): it is set once.
// Mutation: New setting discordgo.Logger each time (as before) -> DATA
// RACE between New's write and msglog's read (logging.go).
func TestDiscordNewLeavesTheLibraryLoggerOfARunningAdapter(t *testing.T) {
	g := newFlakyGateway(t, "refuse")
	_, _ = g.run(t, silentHandler{}, nil)
	waitFor(t, "a reconnection refused", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.asked >= 2 // asked again after a refused attempt, logged
	})
	for range 3 {
		if _, err := New(Options{Token: "y"}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "another reconnection refused", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.asked >= 3
	})
}

// A Disconnect discordgo emits after the next connection is up leaves the
// adapter connected once the reconnector finds that connection open (its
// Open: ErrWSAlreadyOpen), and opens no other. After op 7, the dead
// connection's heartbeat, its first write failing on the closed socket,
// closes it again: that close finds no connection, but its Disconnect,
// emitted once discordgo's lock is let go, may come after the reconnector's
// Open has connected (seen in TestDiscordReconnectsAndKeepsAnswering/op7:
// Connected false for good, 1 run in 10-20 under load). Here it comes
// while the one connection is up, delivered as discordgo delivers it
// (SyncEvents): to the interface handlers (onGateway), then to the
// Disconnect's (onDisconnect).
// Mutation: reconnect not storing gatewayUp on ErrWSAlreadyOpen (as
// before) -> "connected again" timed out.
func TestDiscordLateDisconnectLeavesTheGatewayUp(t *testing.T) {
	g := newFlakyGateway(t, "")
	a, _ := g.run(t, silentHandler{}, nil)
	waitFor(t, "connected", a.Connected)
	late := &discordgo.Disconnect{}
	a.onGateway(a.s, late)
	a.onDisconnect(a.s, late)
	waitFor(t, "connected again", a.Connected)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.opened != 1 {
		t.Errorf("%d connections, want 1 (the live one kept)", g.opened)
	}
}

// An Open that fails leaves the adapter disconnected, whatever it said
// before: a true stored from an Open that found a connection open, should
// that connection close before the store (its Disconnect's false
// overwritten), is undone by the next attempt, which that Disconnect
// calls for. The test stores that true itself, before the first attempt.
// Mutation: reconnect not storing false after a failed Open -> "connected
// after a refused attempt".
func TestDiscordFailedReconnectionIsDisconnected(t *testing.T) {
	g := newFlakyGateway(t, "refuse")
	second := make(chan bool, 1)
	attempt := 0 // the reconnector's goroutine only
	_, _ = g.run(t, silentHandler{}, func(a *Adapter) {
		attempt++
		switch attempt {
		case 1:
			a.gatewayUp.Store(true) // the stale true
		case 2:
			second <- a.gatewayUp.Load()
		}
	})
	select {
	case up := <-second:
		if up {
			t.Error("connected after a refused attempt")
		}
	case <-time.After(time.Minute):
		t.Fatal("timed out waiting for a second attempt")
	}
}
