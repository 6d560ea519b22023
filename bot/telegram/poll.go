package telegram

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// In polling mode with an inbox (Options.Inbox), a polled batch goes into
// the inbox in one round trip, the next getUpdates confirms it, and the
// dispatcher (dispatch.go) handles it, as in webhook mode: a slow chat
// holds up neither the polling nor the other chats. If the inbox cannot
// take a batch (Redis down), the batch is handled at once, before the
// next getUpdates confirms it (the engine spools tips while Redis is
// down). Either way no update is confirmed to Telegram before it is
// durable or handled.

// inboxAddTimeout bounds the wait for a hung Redis before a polled batch
// is handled at once instead, or a webhook call is answered 503.
const inboxAddTimeout = 3 * time.Second

// startInbox starts the dispatcher of polled updates, if there is an
// inbox; the function it returns stops it (polling ended: ctx done, or
// the token refused) and waits until it has finished what it was
// handling.
func (a *Adapter) startInbox(ctx context.Context, h Handler) (stop func()) {
	if a.o.Inbox == nil {
		return func() {}
	}
	d := a.newDispatcher(h, a.o.Inbox)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// roomInInbox waits, before the next getUpdates, while the inbox holds
// maxBacklog updates or more (what Telegram would send goes on waiting
// there). Waiting, it first confirms the last batch (the updates before
// offset: stored or handled) without taking more, so that a crash while
// it waits does not have Telegram deliver that batch again. It returns
// false if ctx ended meanwhile.
func (a *Adapter) roomInInbox(ctx context.Context, offset int64) bool {
	if a.o.Inbox == nil {
		return true
	}
	confirmed := offset == 0 // (nothing polled yet)
	// Guarded (recovered.go): a panic in the client is a failed look,
	// as an outage's, not the end of the polling and of serve.
	for a.backlogFull(ctx, guardedInbox{a, a.o.Inbox}) {
		if !confirmed {
			// Tried again each second if Telegram does not answer;
			// the next getUpdates confirms them anyway.
			confirmed = a.confirm(ctx, offset) == nil
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Second):
		}
	}
	return ctx.Err() == nil
}

// deliver stores a polled batch in the inbox, or, if there is none or it
// cannot take the batch, handles the batch now (finished even if ctx ends
// meanwhile: these updates were received and must not be dropped
// half-way). When it returns, the batch may be confirmed to Telegram.
func (a *Adapter) deliver(ctx context.Context, h Handler, updates []*models.Update, raws []json.RawMessage) {
	ctx = context.WithoutCancel(ctx)
	if a.o.Inbox != nil && len(raws) > 0 {
		b := make([][]byte, len(raws))
		for i, r := range raws {
			b[i] = r
		}
		// The dispatcher may read them before Add returns (Redis wrote
		// them; its answer is on its way, or lost): it waits for the
		// outcome (atOnce.take).
		written := a.atOnce.writing(updates)
		actx, cancel := context.WithTimeout(ctx, inboxAddTimeout)
		// Guarded (recovered.go): a panic in the client is a failed
		// write, the batch handled at once, as in an outage.
		err := guardedInbox{a, a.o.Inbox}.Add(actx, b...)
		cancel()
		// The write may have landed all the same (a timeout): the
		// dispatcher then finds them in the inbox, being handled or
		// handled already. Those it answered already from a copy stored
		// before (delivered again after a restart) are not handled here.
		rest, handled := written(err != nil)
		if err == nil {
			return
		}
		a.log.Warn("telegram updates not stored in the inbox; handled at once", "error", err.Error())
		defer handled()
		updates = rest
	}
	a.handleBatch(ctx, h, updates)
}

// atOnce remembers, for a day, the polled updates handled at once
// because the inbox did not take them: one whose write timed out but
// landed is not handled a second time from the inbox. Polling is one
// process per bot token, so this process's dispatcher is the one that
// reads them. It remembers too the updates the dispatcher answers from
// the inbox: one stored before a restart that Telegram delivers again
// (its batch was not confirmed) is not handled at once as well if that
// delivery's write fails (a duplicate of the stored copy, it would have
// stored nothing).
type atOnce struct {
	mu    sync.Mutex
	ids   map[int64]atOnceUpdate
	order []atOnceAdded // as added, oldest first (some taken since)
	// pending are the polled updates being written to the inbox, each
	// with a channel closed once the write is over (and, if it failed,
	// they are in ids).
	pending map[int64]chan struct{}
}

type atOnceUpdate struct {
	at time.Time
	// handled is closed once its handling at once is over; nil for an
	// update answered from the inbox.
	handled chan struct{}
}

type atOnceAdded struct {
	id int64
	at time.Time
}

// atOnceFor is how long an update handled at once is remembered:
// Telegram keeps an update a day at most.
const atOnceFor = 24 * time.Hour

// atOnceMax bounds the updates remembered (a few MB): Redis down for
// hours under a flood must not grow the bot's memory without end. Past
// it the oldest are forgotten; should the write of one have landed after
// all, its stored copy is answered a second time, never dropped.
const atOnceMax = 1 << 17

// add remembers updates, about to be handled at once; the function it
// returns says their handling is over. o.mu is held.
func (o *atOnce) add(updates []*models.Update) (handled func()) {
	done := make(chan struct{})
	for _, u := range updates {
		o.remember(u.ID, done)
	}
	return sync.OnceFunc(func() { close(done) })
}

// remember remembers update id, handled at once (handled) or answered
// from the inbox (nil), forgetting the oldest past the bounds. o.mu is
// held.
func (o *atOnce) remember(id int64, handled chan struct{}) {
	now := time.Now()
	for len(o.order) > 0 && (len(o.order) >= atOnceMax || now.Sub(o.order[0].at) > atOnceFor) {
		if u, ok := o.ids[o.order[0].id]; ok && u.at.Equal(o.order[0].at) {
			delete(o.ids, o.order[0].id)
		}
		o.order = o.order[1:]
	}
	if o.ids == nil {
		o.ids = map[int64]atOnceUpdate{}
	}
	o.ids[id] = atOnceUpdate{at: now, handled: handled}
	o.order = append(o.order, atOnceAdded{id: id, at: now})
}

// writing marks updates as being written to the inbox, until the
// function it returns is called, once the write is over: if it failed,
// that function remembers them as handled at once (add) before a
// dispatcher waiting for them (take) goes on, and returns them, but for
// those the dispatcher answered already from a copy stored before, and a
// function that says their handling is over.
func (o *atOnce) writing(updates []*models.Update) (written func(failed bool) (atOnce []*models.Update, handled func())) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending == nil {
		o.pending = map[int64]chan struct{}{}
	}
	done := make(chan struct{})
	for _, u := range updates {
		o.pending[u.ID] = done
	}
	return func(failed bool) ([]*models.Update, func()) {
		o.mu.Lock()
		defer o.mu.Unlock()
		var rest []*models.Update
		handled := func() {}
		if failed {
			rest = slices.DeleteFunc(slices.Clone(updates), func(u *models.Update) bool {
				e, ok := o.ids[u.ID]
				return ok && e.handled == nil && time.Since(e.at) <= atOnceFor
			})
			handled = o.add(rest)
		}
		for _, u := range updates {
			if o.pending[u.ID] == done {
				delete(o.pending, u.ID)
			}
		}
		close(done)
		return rest, handled
	}
}

// take reports whether update id is handled at once, forgetting it, and
// returns a channel closed once that handling is over: its stored copy
// is removed from the inbox only then. Removed before, a crash meanwhile
// would lose it, Telegram's next delivery of it being taken for a
// duplicate of that copy (InboxAddOnce). An update not handled at once is
// the dispatcher's to answer: it is remembered as such, so that a
// delivery of it again whose write fails is not handled at once too
// (writing). An update still being written (read from the inbox before
// its write returned) is waited for: the write's outcome says whether it
// is handled at once (inboxAddTimeout bounds that wait). If ctx ends meanwhile (the dispatcher stopping) the
// outcome is still waited for, up to inboxAddTimeout: left pending, an
// update the poller handles at once would be handled again after a
// restart. Past that bound (a write that never told), take reports false
// and the update stays pending.
func (o *atOnce) take(ctx context.Context, id int64) (handled <-chan struct{}, ok bool) {
	o.mu.Lock()
	written := o.pending[id]
	o.mu.Unlock()
	if written != nil {
		select {
		case <-written:
		case <-ctx.Done():
			t := time.NewTimer(inboxAddTimeout)
			defer t.Stop()
			select {
			case <-written:
			case <-t.C:
				return nil, false
			}
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	u, ok := o.ids[id]
	if !ok || u.handled == nil || time.Since(u.at) > atOnceFor {
		o.remember(id, nil)
		return nil, false
	}
	delete(o.ids, id)
	return u.handled, true
}
