package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// runUntilReturn starts an adapter on the gateway and returns Run's
// error, failing the test if Run has not returned within 10 s.
func (g *flakyGateway) runUntilReturn(t *testing.T) error {
	t.Helper()
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, silentHandler{}) }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		cancel()
		<-done
		t.Fatal("Run still running 10 s on: the refused gateway is retried")
		return nil
	}
}

// wantRefusal checks Run's error for a gateway closed with code.
func wantRefusal(t *testing.T, err error, code int) {
	t.Helper()
	if code == 4004 {
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("Run: %v, want ErrUnauthorized", err)
		}
		return
	}
	var re *RefusedError
	if !errors.As(err, &re) || re.Code != code {
		t.Fatalf("Run: %v, want a RefusedError with code %d", err, code)
	}
}

// Discord closing the gateway with a code it documents as not to be
// retried (4004 authentication failed, 4010 invalid shard, 4011 sharding
// required, 4012 invalid API version, 4013 invalid intents, 4014
// disallowed intents) on a reconnection (the token reset, the intents
// refused while the bot ran) ends the reconnection: Run returns the
// refusal (serve exits with it), and no other connection is tried.
// Mutation: reconnect not checking refusal (retrying every close, as
// before) -> Run never returns (timed out, every code).
func TestDiscordRefusedReconnectionStopsRun(t *testing.T) {
	for _, code := range []int{4004, 4010, 4011, 4012, 4013, 4014} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			// The first connection's heartbeats go unacknowledged: it
			// is dropped, and the second is refused.
			g := newFlakyGateway(t, "noack")
			g.closeCode, g.closeFrom = code, 2
			wantRefusal(t, g.runUntilReturn(t), code)
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.opened != 2 {
				t.Errorf("%d connections, want 2 (the refused one not tried again)", g.opened)
			}
		})
	}
}

// The same refusals at start-up end Run as well, each with its own
// error (4010 to 4013 ended it with the gateway's close code alone).
// Mutation: refusal without 4012 -> "discord gateway: discord gateway
// closed with code 4012", not a RefusedError.
func TestDiscordRefusedAtStart(t *testing.T) {
	for _, code := range []int{4004, 4010, 4011, 4012, 4013, 4014} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			g := newFlakyGateway(t, "")
			g.closeCode, g.closeFrom = code, 1
			wantRefusal(t, g.runUntilReturn(t), code)
		})
	}
}

// A close Discord allows to retry (4000, unknown error; 4009, session
// timed out) is retried, as before.
// Mutation: refusal taking every 4xxx code -> Run returns (the control
// fails).
func TestDiscordRetriableCloseIsRetried(t *testing.T) {
	for _, code := range []int{4000, 4009} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			g := newFlakyGateway(t, "noack")
			g.closeCode, g.closeFrom = code, 2
			_, stop := g.run(t, silentHandler{}, nil)
			waitFor(t, "a third connection", func() bool {
				g.mu.Lock()
				defer g.mu.Unlock()
				return g.opened >= 3
			})
			stop()
		})
	}
}

// A refusal's text names the cause and the fix, and each code has its
// own.
func TestDiscordRefusalsSayWhatToDo(t *testing.T) {
	seen := map[string]bool{}
	for _, code := range []int{4010, 4011, 4012, 4013, 4014} {
		msg := (&RefusedError{Code: code}).Error()
		if seen[msg] || !strings.Contains(msg, fmt.Sprint(code)) || !strings.Contains(msg, "; ") {
			t.Errorf("%d: %q", code, msg)
		}
		seen[msg] = true
	}
}

// The same refusals on a connection that is up (READY read: discordgo's
// own goroutine reads the close, and only logs it) end Run as well, and
// no other connection is tried, even though the gateway would take it.
// Mutations: the reconnector not looking at liveRefusal, or onConnect
// not registered (no close handler of the adapter's) -> Run never
// returns (timed out, every code: the second connection resumes).
func TestDiscordRefusedOnALiveConnectionStopsRun(t *testing.T) {
	for _, code := range []int{4004, 4010, 4011, 4012, 4013, 4014} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			g := newFlakyGateway(t, "")
			g.liveClose = code
			wantRefusal(t, g.runUntilReturn(t), code)
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.opened != 1 {
				t.Errorf("%d connections, want 1 (none after the refusal)", g.opened)
			}
		})
	}
}

// A close Discord allows to retry, on a connection that is up, is
// retried as before.
// Mutation: onConnect's close handler taking any close code (refusal not
// asked) -> Run returns (the control fails).
func TestDiscordRetriableLiveCloseIsRetried(t *testing.T) {
	g := newFlakyGateway(t, "")
	g.liveClose = 4000
	_, stop := g.run(t, silentHandler{}, nil)
	g.waitOpened(t, 2)
	stop()
}

// A refusal read on one gateway is that adapter's alone: another adapter
// of the process (the library's log is shared), on another gateway, keeps
// running.
// Mutation (before the close handler, liveclose.go): the refusal read
// from discordgo's log line given to every adapter running -> "the other
// adapter took the refusal".
func TestDiscordLiveRefusalIsItsGatewaysOwn(t *testing.T) {
	other := newFlakyGateway(t, "")
	b, _ := other.run(t, silentHandler{}, nil)
	waitFor(t, "the other adapter connected", b.Connected)
	g := newFlakyGateway(t, "")
	g.liveClose = 4004
	wantRefusal(t, g.runUntilReturn(t), 4004)
	if err := b.liveRefusal(); err != nil {
		t.Errorf("the other adapter took the refusal: %v", err)
	}
}

// Two adapters of the process on the same gateway (both dial Discord's
// one gateway host): a refusal read on one's connection that was up ends
// that adapter's Run only; the other keeps its connection and runs on.
// Mutation (the code before this test): refusals read from discordgo's
// log line given to every adapter dialing the line's gateway host ->
// "the other adapter took the refusal".
func TestDiscordLiveRefusalIsItsConnectionsOwn(t *testing.T) {
	g := newFlakyGateway(t, "")
	g.liveClose, g.liveCloseAt = 4004, 2
	b, _ := g.run(t, silentHandler{}, nil)
	waitFor(t, "the other adapter connected", b.Connected)
	wantRefusal(t, g.runUntilReturn(t), 4004)
	if err := b.liveRefusal(); err != nil {
		t.Errorf("the other adapter took the refusal: %v", err)
	}
	if !b.Connected() {
		t.Error("the other adapter lost its connection")
	}
}

// The adapter reads two of discordgo's unexported Session fields; a
// discordgo without them, or with another type for them, is refused by
// New rather than read wrongly.
// Mutation: sessionField not comparing the field's type -> "a wsConn
// taken for an int".
func TestDiscordSessionFieldsAreChecked(t *testing.T) {
	s, err := discordgo.New("Bot x")
	if err != nil {
		t.Fatal(err)
	}
	if sessionField[*websocket.Conn](s, "wsConn") == nil || sessionField[string](s, "gateway") == nil {
		t.Fatal("this discordgo's Session has no wsConn or gateway field: New refuses it")
	}
	if sessionField[int](s, "wsConn") != nil {
		t.Error("a wsConn taken for an int")
	}
	if sessionField[string](s, "noSuchField") != nil {
		t.Error("a field the Session does not have taken")
	}
}
