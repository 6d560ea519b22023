package discord

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// testGateway is Discord's gateway and REST API: HELLO, IDENTIFY, READY,
// then the given events in order on each connection. REST calls get an
// empty answer. down makes it refuse connections and drop the open ones.
type testGateway struct {
	srv    *httptest.Server
	events []map[string]any
	// channels answers GET /channels/{id} (raw JSON by id), if set.
	channels map[string]string

	mu    sync.Mutex
	down  bool
	conns []*websocket.Conn
}

func newTestGateway(t *testing.T, events ...map[string]any) *testGateway {
	g := &testGateway{events: events}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(func() {
		g.srv.CloseClientConnections()
		g.srv.Close()
	})
	return g
}

func (g *testGateway) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/gateway") || strings.HasSuffix(r.URL.Path, "/gateway/bot"):
		fmt.Fprintf(w, `{"url":"ws://%s/ws"}`, r.Host)
	case strings.HasPrefix(r.URL.Path, "/ws"):
		g.mu.Lock()
		down := g.down
		g.mu.Unlock()
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		g.mu.Lock()
		g.conns = append(g.conns, c)
		g.mu.Unlock()
		g.session(c)
	default:
		w.Header().Set("Content-Type", "application/json")
		if ch, ok := g.channels[strings.TrimPrefix(r.URL.Path, "/api/v9/channels/")]; ok && r.Method == http.MethodGet {
			fmt.Fprint(w, ch)
			return
		}
		if r.Method == http.MethodPut {
			fmt.Fprint(w, `[]`) // the commands registered
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (g *testGateway) session(c *websocket.Conn) {
	_ = c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
	var ident map[string]any
	if c.ReadJSON(&ident) != nil {
		return
	}
	_ = c.WriteJSON(map[string]any{"op": 0, "t": "READY", "s": 1, "d": map[string]any{
		"v": 9, "session_id": "s", "guilds": []any{},
		"user": map[string]any{"id": "11", "username": "Vigia", "bot": true}, "application": map[string]any{"id": "11"}}})
	for _, ev := range g.events {
		_ = c.WriteJSON(ev) // in this order, on one connection
	}
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
	}
}

// lose drops the gateway connections and refuses new ones.
func (g *testGateway) lose() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = true
	for _, c := range g.conns {
		_ = c.Close()
	}
}

// run starts an adapter on the gateway; it stops at the test's end.
func (g *testGateway) run(t *testing.T, h Handler) *Adapter {
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return a
}

// waitFor waits for cond, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// Connected (which /readyz reports) follows the gateway: false once the
// connection is lost and reconnecting fails, true again once it is back.
func TestDiscordConnectedFollowsTheGateway(t *testing.T) {
	g := newTestGateway(t)
	a := g.run(t, silentHandler{})
	waitFor(t, "connected", a.Connected)
	g.lose()
	waitFor(t, "the loss noticed", func() bool { return !a.Connected() })
	g.mu.Lock()
	g.down = false
	g.mu.Unlock()
	waitFor(t, "reconnected", a.Connected) // the reconnector retries after 1 s, 2 s, 4 s
}

// A direct message the gateway hands on while it closes for shutdown (one
// discordgo had already read) is handled and answered: Discord does not
// send it again, so refused it would be lost without a word.
// Mutation: stop taking no new events before closing the gateway (as
// before) → the message never reaches the engine and is not answered.
func TestDiscordMessageDuringShutdownIsAnswered(t *testing.T) {
	api := &recordingAPI{}
	h := &recordingHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	a.o.ShutdownTimeout = 5 * time.Second
	// Close dispatches its Disconnect on the gateway's handlers: a DM
	// dispatched there is one that arrives while the gateway closes.
	a.s.AddHandler(func(s *discordgo.Session, _ *discordgo.Disconnect) {
		a.queueMessage(s, dm("hay halcones en la plaza"))
	})
	a.stop()
	h.mu.Lock()
	got := len(h.got)
	h.mu.Unlock()
	if got != 1 {
		t.Fatalf("the engine got %d messages, want 1", got)
	}
	if calls, _ := api.snapshot(); len(calls) != 1 || calls[0] != "POST /api/v9/channels/77/messages" {
		t.Fatalf("answers: %v", calls)
	}
	if _, _, ok := a.begin(); ok {
		t.Fatal("an event was taken after shutdown")
	}
}
