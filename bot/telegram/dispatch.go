package telegram

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// The dispatcher consumes the inbox without head-of-line blocking: it
// keeps reading while chats are busy, hands each update to its chat's
// queue (one goroutine per busy chat, a chat's updates strictly in order),
// handles at most Workers updates at once, and removes each update from
// the inbox as soon as it is handled. A chat whose replies Telegram holds
// back (its per-chat rate limit) or whose file downloads slowly delays
// its own updates only, not the other chats'.
//
// A chat holds perChat updates queued at most: the rest of its backlog (a
// chat flooding the bot) stays in the inbox, only its ids remembered, and
// is fetched back, in order, as the chat's queue empties. Reading goes on
// meanwhile, so the other chats' updates are not held up behind it.
//
// Updates it holds (queued or running) are kept from the stale takeover
// (inbox.Keep, every keepEvery): handled late is not handled twice. Those
// another replica took over all the same (this one cut off from Redis, or
// frozen, past the stale time) are its: Keep and Fetch claim only what is
// still this one's, and the queued or waiting ones Keep reports lost are
// dropped.
//
// On shutdown the running updates are finished; the queued ones stay
// pending in the inbox, for a restart under the same name (inbox.Pending)
// or, a minute later, another replica. So are those a chat left in the
// inbox.

const (
	// inboxStale is how long an update may sit unacknowledged before
	// another replica takes it over (its holder presumed dead).
	inboxStale = time.Minute
	// inboxBlock bounds one wait for new updates.
	inboxBlock = 2 * time.Second
	// inboxBatch is the most updates asked for at once.
	inboxBatch = 16
	// chatQueue is the most updates one chat has queued in memory; it
	// holds a private album (ten items at most) whole.
	chatQueue = 16
)

type dispatcher struct {
	a        *Adapter
	h        Handler
	inbox    Inbox
	consumer string
	// atOnce are the polled updates handled at once (poll.go), and those
	// answered from the inbox; nil with the webhook (RunWebhook), which
	// handles none at once.
	atOnce *atOnce
	stale  time.Duration // another replica takes over what was idle this long
	// keepEvery is how often held updates are kept from the takeover.
	keepEvery time.Duration
	// limit bounds the updates held (queued or running): reading stops
	// while it is reached.
	limit int
	// perChat bounds the updates one chat has queued: past it, its
	// backlog waits in the inbox (waiting).
	perChat int
	workers chan struct{} // a slot per update being handled
	space   chan struct{} // signalled when an update is let go
	wg      sync.WaitGroup

	mu    sync.Mutex
	held  map[string]bool         // ids queued or running
	chats map[int64][]inboxUpdate // busy chats: their queued updates
	// waiting are the ids, in order, of chats' updates read past perChat
	// and left in the inbox until their chat's queue empties; waitingIDs
	// the same ids, each with the private album it is an item of ("" if
	// none), so that a fetch does not split an album.
	waiting    map[int64][]string
	waitingIDs map[string]string
	// fetching is how many waiting updates chats are fetching back:
	// counted as held, so that chats fetching at once do not each take
	// the room left.
	fetching int
	// arrived is closed (and replaced) when dispatch has queued updates
	// or left them waiting: a chat waiting for the next item of an album
	// looks again (albumFollows).
	arrived chan struct{}
	// unacked are the updates handled whose removal from the inbox
	// failed (Redis gone just after the answer): still pending, a read
	// hands them back (Pending, after a read failed), and handled again
	// they would be answered twice; while Redis still fails, a message
	// already in a draft would be spooled as a tip of its own, its
	// reporter given a second receipt. Their removal is tried again
	// instead (dispatchOne, keep). At most maxUnacked: past it, one
	// handed back is handled again, and the engine's own record of what
	// it handled (commands: replayed) answers it once Redis does.
	unacked map[string]bool
}

// maxUnacked bounds dispatcher.unacked.
const maxUnacked = 4096

// albumWait is how long the item of a private album that nothing follows
// yet waits for the album's next item before it is answered as the
// album's last: Telegram sends an album one message per item, each its
// own webhook call (or, polling, sometimes in two batches), so the items
// may be read from the inbox in two goes; answered at once, the first
// run and the rest were answered apart, twice.
const albumWait = time.Second

type inboxUpdate struct {
	id string
	u  *models.Update
}

func (a *Adapter) newDispatcher(h Handler, inbox Inbox) *dispatcher {
	workers := max(a.o.Workers, 1) // (New sets 16 if unset)
	return &dispatcher{
		a: a, h: h, inbox: guardedInbox{a, inbox}, consumer: consumerName(), atOnce: &a.atOnce,
		stale: inboxStale, keepEvery: inboxStale / 4,
		limit:   16 * workers,
		perChat: chatQueue,
		workers: make(chan struct{}, workers),
		space:   make(chan struct{}, 1),
		held:    map[string]bool{}, chats: map[int64][]inboxUpdate{},
		waiting: map[int64][]string{}, waitingIDs: map[string]string{},
		unacked: map[string]bool{},
	}
}

// takeAtOnce is atOnce.take; with the webhook (no atOnce) an update is
// never handled at once.
func (d *dispatcher) takeAtOnce(ctx context.Context, id int64) (handled <-chan struct{}, ok bool) {
	if d.atOnce == nil {
		return nil, false
	}
	return d.atOnce.take(ctx, id)
}

// consumerName is this process's name in the inbox's consumer group, one
// per host (a pod, a container): a process restarted there takes up the
// updates its predecessor had not finished.
func consumerName() string {
	if h, _ := os.Hostname(); h != "" {
		return h
	}
	return "vigia"
}

// run handles the inbox until ctx ends, then waits for the updates being
// handled (finished even though ctx ended) and returns.
func (d *dispatcher) run(ctx context.Context) {
	hctx := context.WithoutCancel(ctx)
	kctx, stopKeeping := context.WithCancel(hctx)
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		d.keep(kctx)
	}()
	defer func() {
		d.wg.Wait()
		stopKeeping()
		<-kept
	}()
	// First what this consumer left when it last stopped (or died), then
	// the stale and the new.
	after, recovered := "0", false
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		n := d.room(ctx)
		if n == 0 {
			break
		}
		d.resume(ctx, hctx)
		var entries []InboxEntry
		var err error
		if !recovered {
			entries, err = d.inbox.Pending(ctx, d.consumer, after, n)
		} else {
			entries, err = d.inbox.Read(ctx, d.consumer, n, inboxBlock, d.stale)
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			// A read whose answer was lost (a timeout, a reset
			// connection, a panic in the client: guardedInbox) may
			// have left updates pending for this consumer: they are
			// read again first, before newer ones (Pending; those
			// held are skipped), not a minute later.
			after, recovered = "0", false
			backoff = min(max(2*backoff, time.Second), 10*time.Second)
			d.a.log.Warn("telegram inbox read failed", "error", err.Error(), "retry_in", backoff.String())
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		if !recovered {
			if len(entries) == 0 {
				recovered = true
				continue
			}
			after = entries[len(entries)-1].ID
		}
		d.dispatch(ctx, hctx, entries)
	}
}

// room waits until fewer than limit updates are held and returns how many
// to read (0 if ctx ended).
func (d *dispatcher) room(ctx context.Context) int {
	for {
		d.mu.Lock()
		n := d.limit - len(d.held) - d.fetching
		d.mu.Unlock()
		if n > 0 {
			return min(n, inboxBatch)
		}
		select {
		case <-d.space:
		case <-ctx.Done():
			return 0
		}
	}
}

// resume starts the idle chats that have updates waiting in the inbox
// (their fetch failed: Redis down).
func (d *dispatcher) resume(ctx, hctx context.Context) {
	d.mu.Lock()
	var start []int64
	for c := range d.waiting {
		if _, busy := d.chats[c]; !busy {
			d.chats[c] = nil
			d.wg.Add(1)
			start = append(start, c)
		}
	}
	d.mu.Unlock()
	for _, c := range start {
		go d.chat(ctx, hctx, c)
	}
}

// dispatch queues entries on their chats, then starts a goroutine for
// each chat that was idle (after queueing them all: a private album read
// at once is answered once, its last item seeing none follows). An entry
// already held or waiting (the stale takeover can hand back one of ours)
// is skipped. An entry of a chat with perChat updates queued, or with
// updates waiting, waits in the inbox after them; but not an item of the
// private album its chat's last queued update is in.
func (d *dispatcher) dispatch(ctx, hctx context.Context, entries []InboxEntry) {
	var start []int64
	for _, e := range entries {
		if c, idle := d.dispatchOne(ctx, hctx, e); idle {
			start = append(start, c)
		}
	}
	for _, c := range start {
		go d.chat(ctx, hctx, c)
	}
}

// dispatchOne queues entry e on its chat, or holds it while the poller
// handles it at once, and reports whether its chat c was idle (its
// goroutine to be started). A panic on the way (decoding what was sent)
// is survived: e's sender is told it went wrong (failed) and e is
// removed, as an update that cannot be decoded is; not left in the
// inbox, where it would be read again, and panic again, for good.
func (d *dispatcher) dispatchOne(ctx, hctx context.Context, e InboxEntry) (c int64, idle bool) {
	var u *models.Update
	defer d.a.survive("inbox dispatch", func() {
		d.done(hctx, e.ID)
		d.a.failed(hctx, d.h, u)
	})
	d.mu.Lock()
	_, waiting := d.waitingIDs[e.ID]
	held := d.held[e.ID] || waiting
	unacked := d.unacked[e.ID]
	d.mu.Unlock()
	if held {
		return 0, false
	}
	if unacked {
		// Handled already, its removal failed: removed now, not
		// handled again.
		d.done(hctx, e.ID)
		return 0, false
	}
	u, ok := decodeEntry(e.Raw)
	if !ok {
		d.a.log.Warn("telegram inbox update skipped: cannot decode it")
		d.done(hctx, e.ID)
		return 0, false
	}
	d.a.reach("dispatch", u)
	if handled, ok := d.takeAtOnce(ctx, u.ID); ok {
		// Stored though its write failed, and handled at once
		// (poll.go): removed once that is over, held meanwhile (kept
		// from the stale takeover).
		d.mu.Lock()
		d.held[e.ID] = true
		d.mu.Unlock()
		d.wg.Add(1)
		go func(id string) {
			defer d.wg.Done()
			<-handled
			d.done(hctx, id)
			d.letGo(id)
		}(e.ID)
		return 0, false
	}
	return d.queue(chatOf(u), e.ID, u)
}

// queue queues update u, entry id, on chat c, or leaves it waiting in the
// inbox, and reports whether c was idle (its goroutine to be started).
func (d *dispatcher) queue(c int64, id string, u *models.Update) (int64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	q, busy := d.chats[c]
	if len(d.waiting[c]) > 0 || (len(q) >= d.perChat && !continuesAlbum(q, u)) {
		d.waiting[c] = append(d.waiting[c], id)
		d.waitingIDs[id] = privateAlbum(u)
	} else {
		d.held[id] = true
		q = append(q, inboxUpdate{id: id, u: u})
	}
	d.chats[c] = q // busy (its goroutine started), even with none queued
	if !busy {
		d.wg.Add(1)
	}
	if d.arrived != nil {
		close(d.arrived)
	}
	d.arrived = make(chan struct{})
	return c, !busy
}

// albumFollows tells whether the next update of chat c, queued or waiting
// in the inbox, is an item of private album g, waiting up to albumWait
// for one to come if the chat has none (false if another update comes
// first, or none, or ctx ends).
func (d *dispatcher) albumFollows(ctx context.Context, c int64, g string) bool {
	t := time.NewTimer(albumWait)
	defer t.Stop()
	for {
		d.mu.Lock()
		next, known := "", true
		if q, w := d.chats[c], d.waiting[c]; len(q) > 0 {
			next = privateAlbum(q[0].u)
		} else if len(w) > 0 {
			next = d.waitingIDs[w[0]]
		} else {
			known = false
		}
		arrived := d.arrived
		d.mu.Unlock()
		if known {
			return next == g
		}
		select {
		case <-arrived:
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// albumItems is the most items of an album (Telegram's limit).
const albumItems = 10

// continuesAlbum reports whether u is an item of the private album the
// last of queued is in, and one that album can still have: queued past
// perChat, rather than left in the inbox, so that the album read at once
// is answered once (the last queued item would see none follow it).
func continuesAlbum(queued []inboxUpdate, u *models.Update) bool {
	g := privateAlbum(u)
	if g == "" {
		return false
	}
	n := 0
	for i := len(queued) - 1; i >= 0 && privateAlbum(queued[i].u) == g; i-- {
		n++
	}
	return n > 0 && n < albumItems
}

// albumEnd returns n, or more if the nth of waiting ids w (n > 0) is an
// item of a private album whose next items follow it: the end of that
// album (ten items at most), so that a fetch of w's first n does not
// split it, its last item fetched seeing none follow. d.mu is held.
func (d *dispatcher) albumEnd(w []string, n int) int {
	g := d.waitingIDs[w[n-1]]
	if g == "" {
		return n
	}
	items := 0
	for i := n - 1; i >= 0 && d.waitingIDs[w[i]] == g; i-- {
		items++
	}
	for n < len(w) && items < albumItems && d.waitingIDs[w[n]] == g {
		n++
		items++
	}
	return n
}

// chat handles chat c's queue in order until it is empty, or until ctx
// ends: what is queued then stays pending in the inbox.
func (d *dispatcher) chat(ctx, hctx context.Context, c int64) {
	defer d.wg.Done()
	var album albumPlace // where the last update stood in a private album
	for d.next(ctx, hctx, c, &album) {
	}
}

// next handles chat c's next update, or fetches back its updates waiting
// in the inbox, and reports whether the chat goes on (false: it left,
// idle, stopping or its fetch failed). A panic on the way is survived:
// the worker slot it held is freed, and the update it took from the
// queue, not handled, is answered as failed (its sender told) and
// removed; the chat goes on with its next update.
func (d *dispatcher) next(ctx, hctx context.Context, c int64, album *albumPlace) (more bool) {
	slot := false         // a worker slot held
	var took *inboxUpdate // taken from the queue, not yet handled
	defer d.a.survive("chat queue", func() {
		if slot {
			<-d.workers
		}
		if took != nil {
			d.done(hctx, took.id)
			d.letGo(took.id)
			d.a.failed(hctx, d.h, took.u)
		}
		more = true
	})
	select {
	case d.workers <- struct{}{}:
		slot = true
	case <-ctx.Done():
		d.mu.Lock()
		d.leave(c)
		d.mu.Unlock()
		d.signal()
		return false
	}
	d.mu.Lock()
	q := d.chats[c]
	if len(q) == 0 && len(d.waiting[c]) > 0 && ctx.Err() == nil {
		// One at least, past the bound if need be, so that the
		// chat goes on; and a private album whole.
		w := d.waiting[c]
		ids := slices.Clone(w[:d.albumEnd(w, min(len(w), d.perChat, max(d.limit-len(d.held)-d.fetching, 1)))])
		d.fetching += len(ids)
		d.mu.Unlock()
		slot = false
		<-d.workers
		if !d.fetch(ctx, c, ids) {
			d.mu.Lock()
			d.leave(c)
			d.mu.Unlock()
			d.signal()
			return false
		}
		return true
	}
	if len(q) == 0 || ctx.Err() != nil {
		// Idle under the same lock that found the queue empty: an
		// update dispatched after that starts the chat again, rather
		// than joining a queue about to be dropped.
		d.leave(c)
		d.mu.Unlock()
		slot = false
		<-d.workers
		d.signal()
		return false
	}
	next := q[0]
	d.chats[c] = q[1:]
	*album = album.next(next.u, q[1:])
	d.mu.Unlock()
	took = &next
	if album.group != "" && !album.more && album.items < albumItems && ctx.Err() == nil {
		// Its album may go on in the next read: its next item is
		// waited for, without holding a worker meanwhile.
		slot = false
		<-d.workers
		album.more = d.albumFollows(ctx, c, album.group)
		d.workers <- struct{}{}
		slot = true
	}
	d.a.reach("chat", next.u)
	took = nil // handle survives its own panics
	d.a.handle(hctx, d.h, next.u, *album)
	slot = false
	<-d.workers
	d.done(hctx, next.id)
	d.letGo(next.id)
	return true
}

// letGo lets go of update id, no longer held (handled, or handed back
// to the inbox).
func (d *dispatcher) letGo(id string) {
	d.mu.Lock()
	delete(d.held, id)
	d.mu.Unlock()
	d.signal()
}

// fetch takes back from the inbox chat c's first updates waiting there,
// ids (counted in d.fetching by the caller), and queues them. It returns
// false if it could not (they go on waiting: resume starts the chat
// again).
func (d *dispatcher) fetch(ctx context.Context, c int64, ids []string) bool {
	entries, err := d.inbox.Fetch(ctx, d.consumer, ids)
	if err != nil {
		d.mu.Lock()
		d.fetching -= len(ids)
		d.mu.Unlock()
		if ctx.Err() == nil {
			d.a.log.Warn("telegram inbox fetch failed", "error", err.Error())
		}
		return false
	}
	// Decoded before d.mu is taken: decoding reads what was sent
	// (salvage), and a panic under the lock would leave it taken, the
	// reader and every chat stopped for good.
	var queued []inboxUpdate
	var skipped []string
	for _, e := range entries {
		if u, ok := d.decode(e); ok {
			queued = append(queued, inboxUpdate{id: e.ID, u: u})
		} else {
			skipped = append(skipped, e.ID)
		}
	}
	d.mu.Lock()
	d.fetching -= len(ids) // held from now on, those still in the inbox
	// Only dispatch appends to waiting and drop only removes from it, so
	// what drop left of ids is still its first.
	fetched := make(map[string]bool, len(ids))
	for _, id := range ids {
		fetched[id] = true
		delete(d.waitingIDs, id)
	}
	w := d.waiting[c]
	for len(w) > 0 && fetched[w[0]] {
		w = w[1:]
	}
	d.waiting[c] = w
	if len(w) == 0 {
		delete(d.waiting, c)
	}
	// An id missing from entries is no longer this consumer's to handle
	// (handled, or taken over): it is dropped.
	for _, q := range queued {
		d.held[q.id] = true
	}
	if len(queued) > 0 {
		d.chats[c] = append(d.chats[c], queued...)
	}
	d.mu.Unlock()
	for _, id := range skipped {
		d.a.log.Warn("telegram inbox update skipped: cannot decode it")
		d.done(context.WithoutCancel(ctx), id)
	}
	return true
}

// decode decodes entry e, fetched back from the inbox. A panic on the way
// (salvaging what was sent) is logged (recovered.go) and e taken as an
// entry that cannot be decoded (removed), rather than fetched again, to
// panic again, for good.
func (d *dispatcher) decode(e InboxEntry) (u *models.Update, ok bool) {
	err := d.a.guarded("inbox decode", func() error {
		u, ok = decodeEntry(e.Raw)
		if ok {
			d.a.reach("fetch", u)
		}
		return nil
	})
	if err != nil {
		return nil, false
	}
	return u, ok
}

// leave marks chat c idle, letting go of what it still has queued (left
// pending in the inbox). d.mu is held.
func (d *dispatcher) leave(c int64) {
	for _, q := range d.chats[c] {
		delete(d.held, q.id)
	}
	delete(d.chats, c)
}

func (d *dispatcher) signal() {
	select {
	case d.space <- struct{}{}:
	default:
	}
}

// done removes handled update id from the inbox; if that fails, id is
// remembered as handled (unacked), its removal tried again later.
func (d *dispatcher) done(ctx context.Context, id string) {
	err := d.inbox.Done(ctx, id)
	d.mu.Lock()
	if err == nil {
		delete(d.unacked, id)
	} else if len(d.unacked) < maxUnacked {
		d.unacked[id] = true
	}
	d.mu.Unlock()
	if err != nil {
		d.a.log.Warn("telegram inbox ack failed", "error", err.Error())
	}
}

// retryDone tries again to remove the updates handled whose removal
// failed: pending in the inbox, they would be taken over as stale by
// another replica, or read back by this one after a restart.
func (d *dispatcher) retryDone(ctx context.Context) {
	d.mu.Lock()
	ids := make([]string, 0, len(d.unacked))
	for id := range d.unacked {
		ids = append(ids, id)
	}
	d.mu.Unlock()
	for _, id := range ids {
		if d.inbox.Done(ctx, id) != nil {
			return // (Redis still failing: the next keep tries again)
		}
		d.mu.Lock()
		delete(d.unacked, id)
		d.mu.Unlock()
	}
}

// keep resets, every keepEvery until ctx ends, the idle time of the
// updates held, so no other replica takes them over as stale.
func (d *dispatcher) keep(ctx context.Context) {
	t := time.NewTicker(d.keepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d.retryDone(ctx)
		d.mu.Lock()
		ids := make([]string, 0, len(d.held)+len(d.waitingIDs))
		for id := range d.held {
			ids = append(ids, id)
		}
		for id := range d.waitingIDs {
			ids = append(ids, id)
		}
		d.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		lost, err := d.inbox.Keep(ctx, d.consumer, ids)
		if err != nil && ctx.Err() == nil {
			d.a.log.Warn("telegram inbox keep failed", "error", err.Error())
		}
		if n := d.drop(lost); n > 0 {
			d.a.log.Warn("telegram inbox updates taken over by another replica: dropped", "updates", n)
		}
	}
}

// drop lets go of the updates of lost that are queued or waiting in the
// inbox: no longer this consumer's (another replica took them over while
// this one did not keep them, cut off from Redis or frozen; or they were
// handled), they are another's to handle, not handled twice. One being
// handled is finished. It returns how many it dropped.
func (d *dispatcher) drop(lost []string) int {
	if len(lost) == 0 {
		return 0
	}
	gone := make(map[string]bool, len(lost))
	for _, id := range lost {
		gone[id] = true
	}
	n := 0
	d.mu.Lock()
	for c, q := range d.chats {
		d.chats[c] = slices.DeleteFunc(q, func(u inboxUpdate) bool {
			if gone[u.id] {
				delete(d.held, u.id)
				n++
			}
			return gone[u.id]
		})
	}
	for c, w := range d.waiting {
		w = slices.DeleteFunc(w, func(id string) bool {
			if gone[id] {
				delete(d.waitingIDs, id)
				n++
			}
			return gone[id]
		})
		if len(w) == 0 {
			delete(d.waiting, c)
		} else {
			d.waiting[c] = w
		}
	}
	d.mu.Unlock()
	if n > 0 {
		d.signal()
	}
	return n
}

// decodeEntry decodes an inbox update, salvaging what the library refuses.
func decodeEntry(raw []byte) (*models.Update, bool) {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err == nil {
		return &u, true
	}
	return salvage(raw)
}

// next places u, the update after the one p placed, in its run of items
// of one private album, given the updates queued after it.
func (p albumPlace) next(u *models.Update, queued []inboxUpdate) albumPlace {
	g := privateAlbum(u)
	if g == "" {
		return albumPlace{}
	}
	if p.group != g || !p.more {
		// A new run; also after an item answered as the last (none was
		// queued then): it said so, and what follows is added to it.
		p = albumPlace{group: g}
	}
	p.items++
	p.more = len(queued) > 0 && privateAlbum(queued[0].u) == g
	return p
}
