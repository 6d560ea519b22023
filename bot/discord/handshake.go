package discord

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// discordgo's Open holds the session's lock from the dial to READY (or
// RESUMED) and reads the gateway with no deadline: a gateway that takes
// the websocket and never sends HELLO or READY (a proxy gone half dead,
// a stalled Discord) holds Open forever, and with it the reconnector,
// stop (which waits for the reconnector, and whose Close waits for that
// lock) and Run's start. The adapter dials the gateway itself
// (dialGateway) and keeps the connection being set up: when the
// handshake is over time (gatewayHandshake), or Run's context ends, or
// stop begins, it closes it under discordgo, whose read then fails and
// Open returns. A connection Open has handed over (READY read) is no
// longer the adapter's to close: Close closes it.

// gatewayHandshake bounds one Open: the gateway's URL asked for if need
// be (a REST call, itself bounded by gatewayAsk: gatewayaddr.go), the websocket's
// dial, HELLO, IDENTIFY or RESUME, and READY or RESUMED.
const gatewayHandshake = time.Minute

// errHandshakeOver is Open's error when its handshake was cut for time.
var errHandshakeOver = errors.New("discord gateway: no HELLO and READY within the handshake's time")

// newDialer is discordgo's default websocket dialer (the proxy from the
// environment, 45 s for the websocket's upgrade) dialing through
// dialGateway. A copy: websocket.DefaultDialer is shared.
func (a *Adapter) newDialer() *websocket.Dialer {
	d := *websocket.DefaultDialer
	d.NetDialContext = a.dialGateway
	return &d
}

// dialCutError is the error of a dial that open cut as stop began or
// Run's context ended (its handshake cancelled, not over time): the TCP
// dial's, or, on the connection it gave (gatewayConn), the websocket's
// upgrade's (its TLS handshake, its HTTP request and answer). discordgo
// logs it as any failed dial (dialFailed): libraryLevel tells it by this
// type, so that line alone is INFO.
type dialCutError struct{ err error }

func (e *dialCutError) Error() string { return e.err.Error() }
func (e *dialCutError) Unwrap() error { return e.err }

// gatewayConn is a gateway connection dialed by dialGateway: once open
// cuts its handshake on a cancel (cutOff), what fails on it is a
// *dialCutError.
type gatewayConn struct {
	net.Conn
	cut atomic.Bool
}

// cutError is err, a *dialCutError once the connection was cut by a
// cancel: every call the upgrade makes on it, its deadlines' too (the
// websocket dialer sets its handshake's deadline first thing, and a cut
// just before fails that call, not a read).
func (c *gatewayConn) cutError(err error) error {
	if err != nil && c.cut.Load() {
		return &dialCutError{err}
	}
	return err
}

func (c *gatewayConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	return n, c.cutError(err)
}

func (c *gatewayConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	return n, c.cutError(err)
}

func (c *gatewayConn) SetDeadline(t time.Time) error {
	return c.cutError(c.Conn.SetDeadline(t))
}

func (c *gatewayConn) SetReadDeadline(t time.Time) error {
	return c.cutError(c.Conn.SetReadDeadline(t))
}

func (c *gatewayConn) SetWriteDeadline(t time.Time) error {
	return c.cutError(c.Conn.SetWriteDeadline(t))
}

// cutOff closes the connection to cut its handshake, noting whether
// the cut is a cancel (hs's error), not a handshake over time.
func (c *gatewayConn) cutOff(hs context.Context) {
	if errors.Is(hs.Err(), context.Canceled) {
		c.cut.Store(true)
	}
	_ = c.Conn.Close()
}

// cutErr is err as a dial cut by hs returns it: a *dialCutError if hs
// was cancelled.
func cutErr(hs context.Context, err error) error {
	if hs != nil && errors.Is(hs.Err(), context.Canceled) {
		return &dialCutError{err}
	}
	return err
}

// dialGateway dials for Open, within the handshake under way (open),
// and keeps the connection to be closed should the handshake be cut.
func (a *Adapter) dialGateway(ctx context.Context, network, addr string) (net.Conn, error) {
	a.hmu.Lock()
	hs := a.handshake
	a.hmu.Unlock()
	if hs != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(hs, cancel)()
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, cutErr(hs, err)
	}
	if hs == nil {
		return c, nil
	}
	a.hmu.Lock()
	defer a.hmu.Unlock()
	if hs.Err() != nil { // cut while dialing
		c.Close()
		return nil, cutErr(hs, hs.Err())
	}
	gc := &gatewayConn{Conn: c}
	a.dialed = gc
	return gc, nil
}

// open is discordgo's Open, cut (see above) when ctx ends, stop begins
// or gatewayHandshake is over. Opens run one at a time: Run's first, then
// the reconnector's.
func (a *Adapter) open(ctx context.Context) error {
	opening.put(a, true)
	defer opening.put(a, false)
	if err := a.awaitGatewayLimit(ctx); err != nil { // (not within the handshake's time)
		return err
	}
	hs, cut := context.WithTimeout(ctx, a.handshakeTime)
	defer cut()
	go func() {
		select {
		case <-a.halt:
			cut()
		case <-hs.Done():
		}
	}()
	a.hmu.Lock()
	a.handshake, a.dialed = hs, nil
	a.hmu.Unlock()
	stopCutting := context.AfterFunc(hs, func() {
		a.hmu.Lock()
		defer a.hmu.Unlock()
		if a.dialed != nil {
			a.dialed.cutOff(hs) // Open's read fails: it returns
		}
	})
	err := a.openSession()
	stopCutting()
	a.hmu.Lock()
	a.handshake, a.dialed = nil, nil
	a.hmu.Unlock()
	if err != nil && errors.Is(hs.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		return errHandshakeOver
	}
	if errors.Is(err, errGatewayAsk) {
		return errGatewayAsk // (not the *url.Error around it, which names the URL)
	}
	return err
}

// openSession is discordgo's Open. Should it panic past its dial (its
// own handling of what Discord sent), discordgo keeps the connection it
// dialed (it closes it on an error only), and every Open after would find
// it "already open": the reconnector would take the bot for connected,
// deaf for good. That connection is closed before the panic goes on (to
// guarded: a failed attempt, the next one dialing again), as a lost one
// is, the session kept to resume; the Disconnect the close emits is
// dropped, no connection being left to reconnect.
//
// Should it panic in its request for the gateway's address (discordgo's
// own, through the adapter's transport, unguarded: see lockedRequest),
// the rate limiter's bucket of that request stays locked, and the next
// Open's awaitGatewayLimit would wait for it forever, the reconnector and
// stop with it. It is released here: no one else holds it now (Opens run
// one at a time, awaitGatewayLimit within them, and the Disconnect that
// wakes the reconnector comes after), so it is either free or the
// panicked request's.
func (a *Adapter) openSession() error {
	defer func() {
		if p := recover(); p != nil {
			b := a.s.Ratelimiter.GetBucket(discordgo.EndpointGateway)
			_ = b.TryLock() // held or not, it is ours now
			b.Unlock()
			a.s.RLock()
			dialed := *a.wsConn != nil
			a.s.RUnlock()
			if dialed {
				_ = a.s.CloseWithCode(websocket.CloseServiceRestart)
				select {
				case <-a.dropped:
				default:
				}
			}
			panic(p)
		}
	}()
	return a.s.Open()
}

// dialFailed is the format of discordgo's (v0.29) log line for an Open
// whose dial failed (the TCP dial or the websocket's upgrade), with the
// gateway's URL and the error.
const dialFailed = "error connecting to gateway %s, %s"

// opening lists the adapters with an Open under way (open): Run's own,
// or the reconnector's.
var opening = adapterSet{adapters: map[*Adapter]bool{}}

// libraryLevel is the level a line of discordgo's is logged at: WARN,
// but INFO for a dial failed because open cut it as stop began or Run's
// context ended (the line's error is a *dialCutError): a clean stop logs
// no warning. The line's own error tells it, not the state of whichever
// adapter dials the same host: discordgo's logger is one for the process,
// and another adapter's dial failing on its own while one stops is a
// warning.
func libraryLevel(format string, args []any) slog.Level {
	if format != dialFailed || len(args) != 2 {
		return slog.LevelWarn
	}
	err, _ := args[1].(error)
	if cut := (*dialCutError)(nil); errors.As(err, &cut) {
		return slog.LevelInfo
	}
	return slog.LevelWarn
}
