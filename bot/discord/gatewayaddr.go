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
