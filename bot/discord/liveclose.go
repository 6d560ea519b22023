package discord

import (
	"net/http"
	"net/url"
	"sync"
)

// discordgo reads a connection that is up (READY read) in a goroutine of
// its own (listen). A close Discord sends there reaches no caller: listen
// logs the read's error (a *websocket.CloseError, among the log line's
// arguments), closes the session (a Disconnect) and returns. A close not
// to be retried (refusal: a token reset, intents refused while the bot
// runs) was then found only if the next Open met it again.
//
// The library's log line is the one place that close passes, and its
// logger is the process's (discordgo has one). So each adapter whose
// reconnector runs is listed in running, with the host it dials for its
// gateway (the websocket dialer's Proxy hook sees the gateway's URL), and
// a refusal read from a gateway is kept (closedWith) by the adapters
// dialing its host. The reconnector, woken by the Disconnect that follows
// on the same goroutine, hands it to Run rather than open again.

// readFailed is the format of discordgo's (v0.29) log line for a read of
// the gateway that failed, with the gateway's URL and the error.
const readFailed = "error reading from gateway %s websocket, %s"

// running lists the adapters whose reconnector runs.
var running = adapterSet{adapters: map[*Adapter]bool{}}

// adapterSet is a list of the process's adapters.
type adapterSet struct {
	sync.Mutex
	adapters map[*Adapter]bool
}

// put lists a, or takes it off.
func (s *adapterSet) put(a *Adapter, on bool) {
	s.Lock()
	defer s.Unlock()
	if on {
		s.adapters[a] = true
	} else {
		delete(s.adapters, a)
	}
}

// noteLibraryLine looks at a line discordgo logs for a refusal read on a
// connection that was up, and gives it to the adapters dialing that
// gateway's host.
func noteLibraryLine(format string, args []any) {
	if format != readFailed || len(args) != 2 {
		return
	}
	gateway, _ := args[0].(string)
	err, _ := args[1].(error)
	r := refusal(err)
	if r == nil {
		return
	}
	for _, a := range running.onHost(gateway) {
		a.mu.Lock()
		if a.closedWith == nil {
			a.closedWith = r
		}
		a.mu.Unlock()
	}
}

// onHost returns the listed adapters whose gateway host is gateway's (a
// URL from one of discordgo's log lines).
func (s *adapterSet) onHost(gateway string) []*Adapter {
	u, err := url.Parse(gateway)
	if err != nil {
		return nil
	}
	s.Lock()
	adapters := make([]*Adapter, 0, len(s.adapters))
	for a := range s.adapters {
		adapters = append(adapters, a)
	}
	s.Unlock() // (startReconnector lists an adapter holding its mu)
	var on []*Adapter
	for _, a := range adapters {
		a.mu.Lock()
		if a.gatewayHost == u.Host {
			on = append(on, a)
		}
		a.mu.Unlock()
	}
	return on
}

// proxyNoting is the websocket dialer's Proxy: it notes the host dialed
// for the gateway, then asks proxy (the environment's), if any.
func (a *Adapter) proxyNoting(proxy func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	return func(req *http.Request) (*url.URL, error) {
		a.mu.Lock()
		a.gatewayHost = req.URL.Host
		a.mu.Unlock()
		if proxy == nil {
			return nil, nil
		}
		return proxy(req)
	}
}

// liveRefusal returns the refusal read on a connection that was up, or nil.
func (a *Adapter) liveRefusal() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closedWith
}

// listRunning lists the adapter in running, or takes it off.
func (a *Adapter) listRunning(on bool) {
	running.put(a, on)
}
