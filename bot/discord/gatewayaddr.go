package discord

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/bwmarrin/discordgo"
)

// discordgo's Open asks Discord for the gateway's address (GET /gateway)
// when it has none (its first Open, and every Open after a failed dial)
// with no context: only the HTTP client's 30 s bounded it, and neither
// stop nor Run's context could cut it, so stopping serve could wait that
// long. The adapter's transport (gatewayAsker) gives that request the
// context of the Open under way (open's handshake: cut as Run's context
// ends, stop begins or the handshake is over), bounded by gatewayAsk.

// Before that request discordgo's rate limiter sleeps the wait it holds
// for it (a global limit in force: Discord's, or Cloudflare's ban made one
// by plainRateLimit; or the route's own), under the session's lock, with
// nothing to cut it: a stop during it waited it out (a minute, or the
// hours of a Retry-After). The adapter waits it out first
// (awaitGatewayLimit), cut as Run's context ends or stop begins, so
// discordgo's finds no wait left. An Open with the address (a
// reconnection after a connection that was up) sends no request and is
// not held back: the gateway's websocket is not the REST API.

// gatewayAsk bounds the request for the gateway's address: a small GET
// Discord answers at once when it answers at all.
const gatewayAsk = 10 * time.Second

// errGatewayAsk is Open's error when the gateway's address did not come
// within gatewayAsk.
var errGatewayAsk = errors.New("discord: no answer to the request for the gateway's address within 10 s")

// gatewayPath is the path of discordgo's request for the gateway's address.
var gatewayPath = func() string {
	u, err := url.Parse(discordgo.EndpointGateway)
	if err != nil {
		panic(err)
	}
	return u.Path
}()

// gatewayAsker is the adapter's transport: it cuts the request for the
// gateway's address of an Open under way (see above); every other request
// passes as it is.
type gatewayAsker struct {
	a    *Adapter
	next http.RoundTripper
}

func (g gatewayAsker) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.Path != gatewayPath {
		return g.next.RoundTrip(req)
	}
	g.a.hmu.Lock()
	hs := g.a.handshake
	g.a.hmu.Unlock()
	if hs == nil { // not an Open's
		return g.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), g.a.gatewayAskTime)
	unlink := context.AfterFunc(hs, cancel)
	done := func() {
		unlink()
		cancel()
	}
	resp, err := g.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && hs.Err() == nil {
			err = errGatewayAsk
		}
		done()
		return nil, err
	}
	resp.Body = closeThen{ReadCloser: resp.Body, then: done} // discordgo reads it after RoundTrip
	return resp, nil
}

// closeThen is a body that calls then once closed.
type closeThen struct {
	io.ReadCloser
	then func()
}

func (c closeThen) Close() error {
	err := c.ReadCloser.Close()
	c.then()
	return err
}

// awaitGatewayLimit waits, before an Open that will ask for the gateway's
// address (discordgo has none: its first Open, or one after a failed
// dial), until the rate limiter holds that request back no longer, or ctx
// ends or stop begins (context.Canceled). The limiter is read again after
// each wait: a 429 meanwhile may have lengthened it.
func (a *Adapter) awaitGatewayLimit(ctx context.Context) error {
	for logged := false; *a.gatewayURL == ""; logged = true {
		b := a.s.Ratelimiter.GetBucket(discordgo.EndpointGateway)
		b.Lock()
		wait := a.s.Ratelimiter.GetWaitTime(b, 1)
		b.Unlock()
		if wait <= 0 {
			return nil
		}
		if !logged {
			a.log.Info("discord gateway: the request for its address waits for the rate limit", "wait_s", wait.Seconds())
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Canceled
		case <-a.halt:
			t.Stop()
			return context.Canceled
		case <-t.C:
		}
	}
	return nil
}
