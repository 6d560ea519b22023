package discord

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// silentREST is Discord's REST API never answering the request for the
// gateway's address: asked tells of each request as it comes.
func silentREST(t *testing.T) (srv *httptest.Server, asked <-chan struct{}) {
	t.Helper()
	release, ask := make(chan struct{}), make(chan struct{}, 10)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != gatewayPath {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		select {
		case ask <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done(): // the client gave up
		case <-release:
		}
	}))
	t.Cleanup(func() {
		close(release)
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv, ask
}

// within fails the test unless done is closed within 10 s (the HTTP
// client's own bound, which stop waited out before, is 30 s).
func within(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still running 10 s on: it waits on the request for the gateway's address", what)
	}
}

// Discord's REST API not answering the request for the gateway's address
// (which discordgo's Open makes with no context) does not hold the
// shutdown: Run, its context ended while it asks at start, returns with
// no error; stop, while a reconnection asks, returns. The address's own
// bound (an hour here) plays no part.
// Mutation: gatewayAsker not linking the request to the handshake (the
// AfterFunc removed) -> "Run"/"stop" still running 10 s on.
func TestDiscordStopWhileAskingForTheGatewayAddress(t *testing.T) {
	t.Run("start", func(t *testing.T) {
		srv, asked := silentREST(t)
		a, err := New(Options{Token: "x", APIURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		a.gatewayAskTime = time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan struct{})
		var runErr error
		go func() {
			runErr = a.Run(ctx, silentHandler{})
			close(done)
		}()
		<-asked
		cancel()
		within(t, "Run", done)
		if runErr != nil {
			t.Errorf("Run: %v, want none (it was stopped)", runErr)
		}
	})
	t.Run("reconnection", func(t *testing.T) {
		srv, asked := silentREST(t)
		a, err := New(Options{Token: "x", APIURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		a.gatewayAskTime = time.Hour
		a.startReconnector(context.Background())
		a.onDisconnect(nil, nil)
		<-asked
		done := make(chan struct{})
		go func() {
			a.stop()
			close(done)
		}()
		within(t, "stop", done)
	})
}

// A request for the gateway's address not answered within its bound is
// given up: at start Run returns errGatewayAsk, whose text names what was
// not answered (serve exits, rather than wait on the client's 30 s).
// Mutation: gatewayAsker with no timeout of its own
// (context.WithCancel(req.Context())) -> Run still running 10 s on.
func TestDiscordGatewayAddressNotGivenIsGivenUp(t *testing.T) {
	srv, _ := silentREST(t)
	a, err := New(Options{Token: "x", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	a.gatewayAskTime = 200 * time.Millisecond
	a.handshakeTime = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var runErr error
	go func() {
		runErr = a.Run(ctx, silentHandler{})
		close(done)
	}()
	within(t, "Run", done)
	if !errors.Is(runErr, errGatewayAsk) {
		t.Errorf("Run: %v, want errGatewayAsk", runErr)
	}
}
