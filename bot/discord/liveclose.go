package discord

import (
	"errors"
	"reflect"
	"sync"
	"unsafe"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// discordgo reads a connection that is up (READY read) in a goroutine of
// its own (listen). A close Discord sends there reaches no caller: listen
// closes the session (a Disconnect) and returns. A close not to be retried
// (refusal: a token reset, intents refused while the bot runs) was then
// found only if the next Open met it again.
//
// The close frame is read by the connection's close handler. discordgo
// sets one (doing nothing) before the handshake and keeps the connection
// in the Session's unexported wsConn; the adapter reads that field as
// Open emits Connect (on Open's goroutine, under its lock, before listen
// starts) and sets its own handler, which keeps a refusal read there on
// the adapter whose connection it is (closedWith). The reconnector, woken
// by the Disconnect that follows on listen's goroutine, hands it to Run
// rather than open again. Nothing depends on the wording of discordgo's
// log lines, nor on the gateway's host: two adapters on one gateway each
// read their own closes.
//
// A discordgo whose Session has no such field (a field renamed by an
// upgrade) is refused by New (errLibrary), never used without the check.

// errLibrary is New's error for a discordgo without the Session fields the
// adapter reads (sessionField).
var errLibrary = errors.New("discord: github.com/bwmarrin/discordgo is not the version Vigía was built for (v0.29): its Session has no wsConn or gateway field")

// sessionField returns the address of s's field name (unexported), or nil
// if s has no such field of type T.
func sessionField[T any](s *discordgo.Session, name string) *T {
	f := reflect.ValueOf(s).Elem().FieldByName(name)
	if !f.IsValid() || f.Type() != reflect.TypeFor[T]() {
		return nil
	}
	return (*T)(unsafe.Pointer(f.UnsafeAddr()))
}

// onConnect sets the close handler of the connection Open has just set
// up: it runs on Open's goroutine (SyncEvents), which holds the session's
// lock, before listen reads the connection.
func (a *Adapter) onConnect(_ *discordgo.Session, _ *discordgo.Connect) {
	c := *a.wsConn
	if c == nil {
		return
	}
	c.SetCloseHandler(func(code int, _ string) error {
		if r := refusal(&websocket.CloseError{Code: code}); r != nil {
			a.mu.Lock()
			if a.closedWith == nil {
				a.closedWith = r
			}
			a.mu.Unlock()
		}
		return nil // as discordgo's: no close frame sent back (its Close sends one)
	})
}

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

// liveRefusal returns the refusal read on a connection that was up, or nil.
func (a *Adapter) liveRefusal() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closedWith
}
