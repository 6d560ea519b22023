package telegram

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// The dispatcher (dispatch.go) calls the inbox, Redis's client, from
// goroutines of its own: its reader (run), its keeper (keep), one per busy
// chat (chat) and one per update handled at once and held meanwhile. A
// panic in the client (a nil from the library, a bug) would end serve,
// and with it every update held in memory, and print a traceback with
// argument values (a chat id, a token). It is that call's failure instead
// (guardedInbox), logged as the engine's panics are (its type and
// commands.Stack: functions and lines only, no text, id or token), which
// the dispatcher repairs as it does an outage's: a read is tried again,
// its updates read anew; a fetch leaves the backlog waiting; a keep or a
// removal is warned of (the update let go, its chat's next handled).

// survive, deferred, stops a panic of the goroutine it is deferred in,
// logs it as a panic in where, and runs repair (if not nil), itself
// guarded. It must be deferred itself: recover works only there.
func (a *Adapter) survive(where string, repair func()) {
	p := recover()
	if p == nil {
		return
	}
	a.log.Error("telegram panic recovered", "in", where, "panic", fmt.Sprintf("%T", p), "stack", commands.Stack(3))
	if repair != nil {
		a.guard(where+" repair", repair)
	}
}

// guard runs f, a panic in it stopped and logged as in where.
func (a *Adapter) guard(where string, f func()) {
	defer a.survive(where, nil)
	f()
}

// errPanicked is the error of a call that panicked (guarded).
var errPanicked = errors.New("telegram: panicked")

// guarded runs call, a panic in it logged (as in where) and returned as
// errPanicked.
func (a *Adapter) guarded(where string, call func() error) (err error) {
	defer a.survive(where, func() { err = fmt.Errorf("%s: %w", where, errPanicked) })
	return call()
}

// guardedInbox is an Inbox whose calls' panics (its client's: a nil from
// the library, a bug) are their failures (errPanicked), which the
// dispatcher repairs as it does an outage's.
type guardedInbox struct {
	a  *Adapter
	in Inbox
}

func (g guardedInbox) Add(ctx context.Context, raws ...[]byte) error {
	return g.a.guarded("inbox add", func() error { return g.in.Add(ctx, raws...) })
}

func (g guardedInbox) Pending(ctx context.Context, consumer, after string, count int) (es []InboxEntry, err error) {
	err = g.a.guarded("inbox read", func() (err error) {
		es, err = g.in.Pending(ctx, consumer, after, count)
		return err
	})
	return es, err
}

func (g guardedInbox) Read(ctx context.Context, consumer string, count int, block, stale time.Duration) (es []InboxEntry, err error) {
	err = g.a.guarded("inbox read", func() (err error) {
		es, err = g.in.Read(ctx, consumer, count, block, stale)
		return err
	})
	return es, err
}

func (g guardedInbox) Keep(ctx context.Context, consumer string, ids []string) (lost []string, err error) {
	err = g.a.guarded("inbox keep", func() (err error) {
		lost, err = g.in.Keep(ctx, consumer, ids)
		return err
	})
	return lost, err
}

func (g guardedInbox) Fetch(ctx context.Context, consumer string, ids []string) (es []InboxEntry, err error) {
	err = g.a.guarded("inbox fetch", func() (err error) {
		es, err = g.in.Fetch(ctx, consumer, ids)
		return err
	})
	return es, err
}

func (g guardedInbox) Done(ctx context.Context, id string) error {
	return g.a.guarded("inbox removal", func() error { return g.in.Done(ctx, id) })
}

func (g guardedInbox) Len(ctx context.Context) (n int64, err error) {
	err = g.a.guarded("inbox length", func() (err error) {
		n, err = g.in.Len(ctx)
		return err
	})
	return n, err
}
