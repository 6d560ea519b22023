package telegram

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/commands"
)

// memInbox is an Inbox in memory: Read hands out what Add stored or the
// test queued, in order; what it hands out stays pending until Done.
type memInbox struct {
	mu        sync.Mutex
	wake      chan struct{} // closed and replaced when entries arrive
	ready     []InboxEntry  // not yet read
	pending   []InboxEntry  // Pending's answer (a restart's leftovers)
	next      int
	done      []string
	keeps     [][]string
	pendCalls []string // Pending's after arguments
	addErr    error
	length    int64                 // Len's answer
	addGate   chan struct{}         // if set, Add waits for it
	added     chan struct{}         // if set, signalled when Add is called
	byID      map[string]InboxEntry // every entry queued
	fetchFail int                   // how many Fetch calls fail (Redis down)
	fetchGate chan struct{}         // if set, Fetch waits for it
	doneFail  int                   // how many Done calls fail (Redis gone)
	takenOver map[string]bool       // ids another consumer took over
}

func newMemInbox() *memInbox { return &memInbox{wake: make(chan struct{})} }

// queue makes entries readable (one Read returns them all).
func (m *memInbox) queue(entries ...InboxEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ready = append(m.ready, entries...)
	if m.byID == nil {
		m.byID = map[string]InboxEntry{}
	}
	for _, e := range entries {
		m.byID[e.ID] = e
	}
	close(m.wake)
	m.wake = make(chan struct{})
}

func (m *memInbox) Add(ctx context.Context, raws ...[]byte) error {
	if m.added != nil {
		m.added <- struct{}{}
	}
	if m.addGate != nil {
		<-m.addGate
	}
	if m.addErr != nil {
		return m.addErr
	}
	var es []InboxEntry
	m.mu.Lock()
	for _, r := range raws {
		m.next++
		es = append(es, InboxEntry{ID: "a" + strconv.Itoa(m.next), Raw: r})
	}
	m.mu.Unlock()
	m.queue(es...)
	return nil
}

func (m *memInbox) Pending(ctx context.Context, consumer, after string, count int) ([]InboxEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pendCalls = append(m.pendCalls, after)
	var out []InboxEntry
	for _, e := range m.pending {
		if (after == "0" || e.ID > after) && len(out) < count {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memInbox) Read(ctx context.Context, consumer string, count int, block, stale time.Duration) ([]InboxEntry, error) {
	for {
		m.mu.Lock()
		if len(m.ready) > 0 {
			n := min(count, len(m.ready))
			out := slices.Clone(m.ready[:n])
			m.ready = m.ready[n:]
			m.mu.Unlock()
			return out, nil
		}
		wake := m.wake
		m.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (m *memInbox) Keep(ctx context.Context, consumer string, ids []string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keeps = append(m.keeps, slices.Sorted(slices.Values(ids)))
	var lost []string
	for _, id := range ids {
		if m.takenOver[id] {
			lost = append(lost, id)
		}
	}
	return lost, nil
}

func (m *memInbox) Fetch(ctx context.Context, consumer string, ids []string) ([]InboxEntry, error) {
	m.mu.Lock()
	gate := m.fetchGate
	m.mu.Unlock()
	if gate != nil {
		<-gate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fetchFail > 0 {
		m.fetchFail--
		return nil, errors.New("redis down")
	}
	var out []InboxEntry
	for _, id := range ids {
		if e, ok := m.byID[id]; ok && !slices.Contains(m.done, id) && !m.takenOver[id] {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memInbox) Len(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.length, nil
}

func (m *memInbox) Done(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.doneFail > 0 {
		m.doneFail--
		return errors.New("connection reset by peer")
	}
	m.done = append(m.done, id)
	return nil
}

func (m *memInbox) doneIDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.done)
}

// gateHandler records the updates it handles (by event id); a chat's
// updates wait while the chat has a gate, until it is closed.
type gateHandler struct {
	mu       sync.Mutex
	gates    map[string]chan struct{}
	started  []int64
	finished []int64
	ctxErrs  []error
}

func (g *gateHandler) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	g.mu.Lock()
	g.started = append(g.started, req.EventID)
	gate := g.gates[req.ChatID]
	g.mu.Unlock()
	if gate != nil {
		<-gate
	}
	g.mu.Lock()
	g.finished = append(g.finished, req.EventID)
	g.ctxErrs = append(g.ctxErrs, ctx.Err())
	g.mu.Unlock()
}

func (g *gateHandler) Commands() []*commands.Command { return nil }

func (g *gateHandler) got() (started, finished []int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.started), slices.Clone(g.finished)
}

// text is a private message update of chat, with id n (its entry id "e<n>").
func text(n int, chat int64) InboxEntry {
	return InboxEntry{ID: fmt.Sprintf("e%02d", n), Raw: []byte(fmt.Sprintf(
		`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"x"},"text":"hola"}}`, n, n, chat, chat))}
}

func startDispatcher(t *testing.T, h Handler, inbox Inbox) (stop func()) {
	a := testAdapter()
	a.o.Workers, a.o.HandlerTimeout = 4, time.Hour
	d := a.newDispatcher(h, inbox)
	ctx, cancel := context.WithCancel(context.Background())
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

// A chat whose update is slow (Telegram holding back its replies) holds
// up neither the reading of the inbox nor other chats' updates, and its
// own updates stay in order, each removed from the inbox once handled.
func TestSlowChatDoesNotHoldUpOtherChats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
		in := newMemInbox()
		stop := startDispatcher(t, h, in)
		in.queue(text(1, 1))
		synctest.Wait()
		in.queue(text(2, 1), text(3, 2))
		in.queue(text(4, 1), text(5, 3))
		synctest.Wait()
		started, finished := h.got()
		if started, finished := slices.Sorted(slices.Values(started)), slices.Sorted(slices.Values(finished)); !slices.Equal(started, []int64{1, 3, 5}) || !slices.Equal(finished, []int64{3, 5}) {
			t.Fatalf("with chat 1 slow: started %v, finished %v; want chats 2 and 3 handled, chat 1's next waiting", started, finished)
		}
		if done := in.doneIDs(); !slices.Equal(slices.Sorted(slices.Values(done)), []string{"e03", "e05"}) {
			t.Fatalf("removed from the inbox: %v", done)
		}
		close(slow)
		synctest.Wait()
		started, _ = h.got()
		if !slices.Equal(started[3:], []int64{2, 4}) {
			t.Fatalf("handled %v: chat 1's updates out of order", started)
		}
		stop()
		if done := in.doneIDs(); !slices.Equal(slices.Sorted(slices.Values(done)), []string{"e01", "e02", "e03", "e04", "e05"}) {
			t.Fatalf("removed from the inbox: %v, want each once", done)
		}
	})
}

// Updates held (queued or being handled) are kept from the stale
// takeover for as long as they are held, and one handed back while held
// (XAUTOCLAIM can return the consumer's own) is not handled twice.
func TestHeldUpdatesAreKeptAndNotHandledTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
		in := newMemInbox()
		stop := startDispatcher(t, h, in)
		in.queue(text(1, 1), text(2, 1))
		synctest.Wait()
		time.Sleep(3 * inboxStale) // (a synctest bubble: no real wait)
		synctest.Wait()
		in.mu.Lock()
		keeps := slices.Clone(in.keeps)
		in.mu.Unlock()
		if len(keeps) < 3*4 {
			t.Fatalf("kept %d times in 3 stale times, want every quarter of one", len(keeps))
		}
		for _, k := range keeps {
			if !slices.Equal(k, []string{"e01", "e02"}) {
				t.Fatalf("kept %v, want the running and the queued update", k)
			}
		}
		in.queue(text(1, 1), text(3, 2)) // e01 handed back while held
		synctest.Wait()
		close(slow)
		in.queue(text(4, 1))
		synctest.Wait()
		stop()
		started, _ := h.got()
		if !slices.Equal(started, []int64{1, 3, 2, 4}) {
			t.Fatalf("handled %v, want e01 once", started)
		}
		n := len(in.keeps)
		time.Sleep(inboxStale)
		if len(in.keeps) != n {
			t.Fatal("still keeping after it stopped")
		}
	})
}

// A consumer's own pending updates (a restart's leftovers) are read, page
// by page, at start only: afterwards they are the ones it is handling.
func TestPendingUpdatesAreReadAtStartOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gateHandler{}
		in := newMemInbox()
		for n := range 20 {
			in.pending = append(in.pending, text(n+1, int64(n%3)))
		}
		stop := startDispatcher(t, h, in)
		synctest.Wait()
		in.queue(text(30, 1))
		synctest.Wait()
		in.queue(text(31, 2))
		synctest.Wait()
		stop()
		if started, _ := h.got(); len(started) != 22 {
			t.Fatalf("handled %v", started)
		}
		if !slices.Equal(in.pendCalls, []string{"0", "e16", "e20"}) {
			t.Fatalf("Pending called after %v, want its pages at start only", in.pendCalls)
		}
	})
}

// On shutdown the update being handled is finished (its context not
// cancelled) and removed; the queued one stays in the inbox.
func TestDispatcherShutdownFinishesRunningLeavesQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
		in := newMemInbox()
		a := testAdapter()
		a.o.Workers, a.o.HandlerTimeout = 4, time.Hour
		d := a.newDispatcher(h, in)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			d.run(ctx)
		}()
		in.queue(text(1, 1), text(2, 1))
		synctest.Wait()
		cancel()
		synctest.Wait()
		select {
		case <-stopped:
			t.Fatal("stopped before the running update was handled")
		default:
		}
		close(slow)
		<-stopped
		started, finished := h.got()
		if !slices.Equal(started, []int64{1}) || !slices.Equal(finished, []int64{1}) || h.ctxErrs[0] != nil {
			t.Fatalf("started %v finished %v ctx %v", started, finished, h.ctxErrs)
		}
		if done := in.doneIDs(); !slices.Equal(done, []string{"e01"}) {
			t.Fatalf("removed %v, want only the handled one", done)
		}
	})
}

// Reading stops while 16 updates per worker are held, and resumes as they
// are handled: a flood waits in the inbox, not in memory.
func TestDispatcherHoldsABoundedNumberOfUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{}}
		for c := range 5 {
			h.gates[strconv.Itoa(c+1)] = slow
		}
		in := newMemInbox()
		stop := startDispatcher(t, h, in) // 4 workers: 64 held at most
		for n := range 100 {              // 20 for each of 5 chats: within chatQueue
			in.queue(text(n+1, int64(n%5+1)))
		}
		synctest.Wait()
		in.mu.Lock()
		left := len(in.ready)
		in.mu.Unlock()
		if left != 100-64 {
			t.Fatalf("%d updates left unread while the first was stuck, want %d", left, 100-64)
		}
		close(slow)
		synctest.Wait()
		stop()
		if started, _ := h.got(); len(started) != 100 || len(in.ready) != 0 {
			t.Fatalf("handled %d, %d left", len(started), len(in.ready))
		}
	})
}

// One chat flooding the bot (more updates than the dispatcher holds in
// all) does not hold up the other chats: past chatQueue its backlog waits
// in the inbox, kept from the stale takeover, and is fetched back as its
// queue empties, each update handled once, in order.
func TestFloodingChatDoesNotHoldUpOtherChats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
		in := newMemInbox()
		a := testAdapter()
		a.o.Workers, a.o.HandlerTimeout = 4, time.Hour // 64 held at most
		d := a.newDispatcher(h, in)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			d.run(ctx)
		}()
		released := false
		defer func() { // (stopped on failure too: the bubble ends)
			if !released {
				close(slow)
			}
			cancel()
			<-stopped
		}()
		const flood = 200
		for n := range flood {
			in.queue(text(n+1, 1))
		}
		in.queue(text(flood+1, 2))
		synctest.Wait()
		if started, _ := h.got(); !slices.Contains(started, flood+1) {
			t.Fatalf("handled %v while chat 1 floods: chat 2's update is held up behind it", started)
		}
		d.mu.Lock()
		held := len(d.held)
		d.mu.Unlock()
		if held > chatQueue+1 {
			t.Fatalf("%d of the flooding chat's updates held in memory, want %d at most", held, chatQueue+1)
		}
		time.Sleep(inboxStale / 2)
		in.mu.Lock()
		kept := in.keeps[len(in.keeps)-1]
		in.mu.Unlock()
		if len(kept) != flood {
			t.Fatalf("kept %d updates from the stale takeover, want the flooding chat's %d", len(kept), flood)
		}
		close(slow)
		released = true
		synctest.Wait()
		cancel()
		<-stopped
		started, _ := h.got()
		var chat1 []int64
		for _, n := range started {
			if n != flood+1 {
				chat1 = append(chat1, n)
			}
		}
		if len(chat1) != flood || !slices.IsSorted(chat1) || len(slices.Compact(slices.Clone(chat1))) != flood {
			t.Fatalf("chat 1's updates handled %v, want each of its %d once, in order", chat1, flood)
		}
		if done := in.doneIDs(); len(done) != flood+1 || len(slices.Compact(slices.Sorted(slices.Values(done)))) != flood+1 {
			t.Fatalf("removed %d updates (%d distinct), want %d once each", len(done), len(slices.Compact(slices.Sorted(slices.Values(done)))), flood+1)
		}
	})
}

// A flooding chat's backlog that could not be fetched back from the inbox
// (Redis down) is fetched again later, not forgotten until the stale
// takeover.
func TestFloodingChatsBacklogIsFetchedAfterAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
		in := newMemInbox()
		in.fetchFail = 1
		stop := startDispatcher(t, h, in)
		defer stop()
		var flood []InboxEntry
		for n := range 40 {
			flood = append(flood, text(n+1, 1))
		}
		in.queue(flood...)
		synctest.Wait()
		close(slow) // its queue handled, its backlog's fetch fails
		synctest.Wait()
		if started, _ := h.got(); len(started) >= 40 {
			t.Fatalf("handled %d with the fetch failing", len(started))
		}
		in.queue(text(41, 2)) // the next read (every inboxBlock in production)
		synctest.Wait()
		started, _ := h.got()
		if len(started) != 41 {
			t.Fatalf("handled %d updates, want 41", len(started))
		}
	})
}

// Flooding chats whose backlogs are fetched back at once (started again
// together, after a failed fetch) do not take the dispatcher past its
// bound, each fetching as much as the others left room for: the flood
// waits in the inbox, not in memory.
func TestFetchedBacklogsStayWithinTheBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gateHandler{gates: map[string]chan struct{}{}}
		in := newMemInbox()
		in.fetchFail = 1 << 30
		a := testAdapter()
		a.o.Workers, a.o.HandlerTimeout = 4, time.Hour // 64 held at most
		d := a.newDispatcher(h, in)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			d.run(ctx)
		}()
		slow, fetched := make(chan struct{}), make(chan struct{})
		release := func(gate chan struct{}) {
			select {
			case <-gate:
			default:
				close(gate)
			}
		}
		defer func() { // (stopped on failure too: the bubble ends)
			release(slow)
			release(fetched)
			cancel()
			<-stopped
		}()
		const chats, each = 8, 40
		for c := range chats {
			for n := range each {
				in.queue(text((c+1)*100+n, int64(c+1)))
			}
		}
		synctest.Wait() // each chat's first 16 handled, the rest waiting, their fetch failing
		h.mu.Lock()
		for c := range chats {
			h.gates[strconv.Itoa(c+1)] = slow
		}
		h.mu.Unlock()
		in.mu.Lock()
		in.fetchFail, in.fetchGate = 0, fetched // Redis back, answering slowly
		in.mu.Unlock()
		in.queue(text(9999, 99)) // the next read starts the chats again
		synctest.Wait()
		release(fetched) // every chat asked for its backlog before any came
		synctest.Wait()
		d.mu.Lock()
		held := len(d.held)
		d.mu.Unlock()
		if held > d.limit+chats+1 {
			t.Fatalf("%d updates held after the chats fetched their backlogs, want %d at most (the bound, one per chat to go on, chat 99's)", held, d.limit+chats+1)
		}
		release(slow)
		synctest.Wait()
		if started, _ := h.got(); len(started) != chats*each+1 {
			t.Fatalf("handled %d updates, want %d", len(started), chats*each+1)
		}
	})
}

// albumHandler records where each request stood in its album.
type albumHandler struct {
	mu    sync.Mutex
	place []string      // "event:items:more"
	first chan struct{} // if set, the first request waits for it
}

func (h *albumHandler) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.place = append(h.place, fmt.Sprintf("%d:%d:%v", req.EventID, req.AlbumItems, req.AlbumMore))
	if len(h.place) == 1 && h.first != nil {
		h.mu.Unlock()
		<-h.first
		h.mu.Lock()
	}
}

func (h *albumHandler) Commands() []*commands.Command { return nil }

// A private album read from the inbox at once is answered once, as when
// polled and handled in one batch: every item but the last knows another
// follows, and the last how many came before it.
func TestDispatchedAlbumIsAnsweredOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		item := func(n int, album string) InboxEntry {
			return InboxEntry{ID: fmt.Sprintf("e%02d", n), Raw: []byte(fmt.Sprintf(
				`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"media_group_id":%q,"text":"foto"}}`, n, n, album))}
		}
		h := &albumHandler{}
		inbox := newMemInbox()
		inbox.queue(item(1, "A"), item(2, "A"), item(3, "A"), item(4, ""), item(5, "B"), item(6, "B"))
		stop := startDispatcher(t, h, inbox)
		synctest.Wait()
		stop()
		want := []string{"1:1:true", "2:2:true", "3:3:false", "4:0:false", "5:1:true", "6:2:false"}
		if !slices.Equal(h.place, want) {
			t.Errorf("album places %v, want %v", h.place, want)
		}
	})
}

// chainInbox queues a chat's next update as each is removed (Done), so
// the next one is read while the chat's goroutine is finding its queue
// empty and leaving. Chat c's n-th update has id c*100000+n.
type chainInbox struct {
	*memInbox
	last int
}

func (c *chainInbox) Done(ctx context.Context, id string) error {
	_ = c.memInbox.Done(ctx, id)
	n, _ := strconv.Atoi(id[1:])
	if n%100000 < c.last {
		c.queue(text(n+1, int64(n/100000)))
	}
	return nil
}

// An update of a chat read while that chat's goroutine finds its queue
// empty is handled, not dropped from memory and left pending in the inbox
// until the stale takeover (a minute late, after the chat's later updates).
func TestUpdateQueuedAsItsChatGoesIdleIsHandled(t *testing.T) {
	const chats, each = 8, 2000
	in := &chainInbox{memInbox: newMemInbox(), last: each}
	h := &gateHandler{}
	stop := startDispatcher(t, h, in)
	defer stop()
	for c := 1; c <= chats; c++ {
		in.queue(text(c*100000+1, int64(c)))
	}
	for seen := -1; ; {
		time.Sleep(500 * time.Millisecond)
		started, _ := h.got()
		if len(started) == chats*each {
			return
		}
		if len(started) == seen {
			t.Fatalf("%d of %d updates handled, then none for 0.5 s: an update read as its chat went idle was dropped", seen, chats*each)
		}
		seen = len(started)
	}
}

// pelInbox is a memInbox whose reads leave what they hand out pending
// for the consumer (as a consumer group does) and whose next read's
// answer can be lost after Redis delivered it (a timeout, a connection
// reset): Pending then returns what was not removed.
type pelInbox struct {
	*memInbox
	pel      []InboxEntry
	loseNext bool
}

func (p *pelInbox) Read(ctx context.Context, consumer string, count int, block, stale time.Duration) ([]InboxEntry, error) {
	out, err := p.memInbox.Read(ctx, consumer, count, block, stale)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pel = append(p.pel, out...)
	if p.loseNext && len(out) > 0 {
		p.loseNext = false
		return nil, errors.New("i/o timeout")
	}
	return out, err
}

func (p *pelInbox) Pending(ctx context.Context, consumer, after string, count int) ([]InboxEntry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []InboxEntry
	for _, e := range p.pel {
		if (after == "0" || e.ID > after) && !slices.Contains(p.done, e.ID) && len(out) < count {
			out = append(out, e)
		}
	}
	return out, nil
}

// Updates a read delivered whose answer was lost are handled at the next
// read, before newer ones, not a minute later (the stale takeover) after
// their chat's later updates.
func TestUpdatesOfALostReadAreHandledInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gateHandler{}
		in := &pelInbox{memInbox: newMemInbox()}
		stop := startDispatcher(t, h, in)
		in.queue(text(1, 1))
		synctest.Wait()
		in.mu.Lock()
		in.loseNext = true
		in.mu.Unlock()
		in.queue(text(2, 1))
		synctest.Wait()
		time.Sleep(time.Second) // the read's retry
		synctest.Wait()
		in.queue(text(3, 1))
		synctest.Wait()
		stop()
		if started, _ := h.got(); !slices.Equal(started, []int64{1, 2, 3}) {
			t.Fatalf("handled %v, want 1 2 3", started)
		}
	})
}

// An update handled whose removal from the inbox failed (Redis gone just
// after the answer) and that a read hands back (Pending, after a read
// failed) is removed, not handled again: the engine, Redis still failing,
// would spool a message already in its draft as a tip of its own and give
// its reporter a second receipt (seen in TestRedisStopsMidBurst). If its
// removal fails again, the keeper tries it later.
func TestHandledUpdateWhoseAckFailedIsNotHandledAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gateHandler{}
		in := &pelInbox{memInbox: newMemInbox()}
		in.doneFail = 1
		stop := startDispatcher(t, h, in)
		in.queue(text(1, 1))
		synctest.Wait()
		if done := in.doneIDs(); len(done) != 0 {
			t.Fatalf("removed %v, want the removal failed", done)
		}
		in.mu.Lock()
		in.loseNext, in.doneFail = true, 1 // the retry fails too
		in.mu.Unlock()
		in.queue(text(2, 2))
		synctest.Wait()
		time.Sleep(time.Second) // the read's retry: Pending hands e01 back
		synctest.Wait()
		if started, _ := h.got(); !slices.Equal(started, []int64{1, 2}) {
			t.Fatalf("handled %v, want e01 once", started)
		}
		time.Sleep(inboxStale / 4) // the keeper's next round
		synctest.Wait()
		stop()
		if started, _ := h.got(); !slices.Equal(started, []int64{1, 2}) {
			t.Fatalf("handled %v, want e01 once", started)
		}
		if done := in.doneIDs(); !slices.Contains(done, "e01") || !slices.Contains(done, "e02") {
			t.Fatalf("removed %v, want e01 and e02", done)
		}
	})
}

// An album item read after its run was answered (the album split across
// two reads while its chat was busy: the earlier item saw none queued and
// answered as the last) starts a run of its own, as when polled in two
// batches: counted from it, it is "added" to the draft its run started,
// not a second "draft started" with the category buttons again.
func TestAlbumItemAfterAnsweredRunStartsANewRun(t *testing.T) {
	item := func(n int) *models.Update {
		return &models.Update{ID: int64(n), Message: &models.Message{ID: n, Chat: models.Chat{ID: 5, Type: models.ChatTypePrivate}, MediaGroupID: "A"}}
	}
	var p albumPlace
	p = p.next(item(1), []inboxUpdate{{id: "2", u: item(2)}})
	p = p.next(item(2), nil) // answered: 2 items, none more
	if p.items != 2 || p.more {
		t.Fatalf("second item placed %+v, want 2 items, none more", p)
	}
	p = p.next(item(3), nil) // queued after the second was answered
	if p.items != 1 || p.more {
		t.Errorf("item after an answered run placed %+v, want a run of its own (1 item)", p)
	}
	if got := albumRun([]*models.Update{item(3)}, 0); got.items != p.items {
		t.Errorf("dispatched %d items, polled batch %d", p.items, got.items)
	}
}

// Updates another replica took over while this one did not keep them
// (cut off from Redis, or frozen, past the stale time) are that replica's
// to handle: once a keep reports them lost, those still queued and those
// waiting in the inbox are dropped, not handled a second time; the one
// being handled is finished.
func TestUpdatesTakenOverByAnotherReplicaAreNotHandled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
		in := newMemInbox()
		stop := startDispatcher(t, h, in)
		var flood []InboxEntry
		for n := range 20 { // e01 running, e02-e16 queued, e18-e20 waiting
			flood = append(flood, text(n+1, 1))
		}
		in.queue(flood...)
		synctest.Wait()
		in.mu.Lock()
		in.takenOver = map[string]bool{"e01": true, "e05": true, "e06": true, "e18": true}
		in.mu.Unlock()
		time.Sleep(inboxStale / 4) // the next keep
		synctest.Wait()
		time.Sleep(inboxStale / 4) // and the one after it
		synctest.Wait()
		in.mu.Lock()
		last := in.keeps[len(in.keeps)-1]
		in.mu.Unlock()
		if slices.Contains(last, "e05") || slices.Contains(last, "e18") {
			t.Errorf("still keeping %v after they were reported lost", last)
		}
		close(slow)
		synctest.Wait()
		stop()
		started, _ := h.got()
		var want []int64
		for n := 1; n <= 20; n++ {
			if n != 5 && n != 6 && n != 18 {
				want = append(want, int64(n))
			}
		}
		if !slices.Equal(started, want) {
			t.Fatalf("handled %v, want %v: none another replica took over but the one running", started, want)
		}
		if done := in.doneIDs(); slices.Contains(done, "e05") || slices.Contains(done, "e06") || slices.Contains(done, "e18") {
			t.Fatalf("removed %v: another replica's updates", done)
		}
	})
}

// Updates reported lost while their chat is fetching its backlog back
// from the inbox do not make it forget one it did not fetch: each update
// still this replica's is handled.
func TestUpdatesLostDuringAFetchLeaveTheRestOfTheBacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
		in := newMemInbox()
		fetched := make(chan struct{})
		in.fetchGate = fetched
		stop := startDispatcher(t, h, in)
		var flood []InboxEntry
		for n := range 40 { // e01 running, e02-e16 queued, e18-e40 waiting
			flood = append(flood, text(n+1, 1))
		}
		in.queue(flood...)
		synctest.Wait()
		close(slow)
		synctest.Wait() // the queue handled, the next 16 waiting being fetched
		in.mu.Lock()
		in.takenOver = map[string]bool{"e20": true, "e35": true}
		in.mu.Unlock()
		time.Sleep(inboxStale / 4) // a keep during the fetch
		synctest.Wait()
		close(fetched)
		synctest.Wait()
		stop()
		started, _ := h.got()
		var want []int64
		for n := 1; n <= 40; n++ {
			if n != 20 && n != 35 {
				want = append(want, int64(n))
			}
		}
		if !slices.Equal(started, want) {
			t.Fatalf("handled %v, want %v", started, want)
		}
	})
}

// A private album read while its chat has updates queued is answered
// once, even past the chat's queue bound: its items are not split between
// the queue and the inbox, the last one queued then seeing none follow.
func TestAlbumIsNotSplitByTheChatQueueBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		item := func(n int) InboxEntry {
			return InboxEntry{ID: fmt.Sprintf("e%02d", n), Raw: []byte(fmt.Sprintf(
				`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"media_group_id":"A","text":"foto"}}`, n, n))}
		}
		slow := make(chan struct{})
		h := &albumHandler{first: slow}
		in := newMemInbox()
		stop := startDispatcher(t, h, in)
		in.queue(text(1, 5))
		synctest.Wait() // e01 being handled
		var es []InboxEntry
		for n := 2; n <= 8; n++ { // 7 queued
			es = append(es, text(n, 5))
		}
		for n := 9; n <= 18; n++ { // then an album of 10
			es = append(es, item(n))
		}
		in.queue(es...)
		synctest.Wait()
		close(slow)
		synctest.Wait()
		stop()
		var want []string
		for n := 1; n <= 8; n++ {
			want = append(want, fmt.Sprintf("%d:0:false", n))
		}
		for n := 1; n <= 10; n++ {
			want = append(want, fmt.Sprintf("%d:%d:%v", n+8, n, n < 10))
		}
		if !slices.Equal(h.place, want) {
			t.Errorf("album places %v, want %v", h.place, want)
		}
	})
}

// An album goes past the queue bound by its own items at most: a
// media group with more items than an album can have is bounded.
func TestAlbumPastTheQueueBoundIsBounded(t *testing.T) {
	item := func(g string) *models.Update {
		return &models.Update{Message: &models.Message{Chat: models.Chat{ID: 5, Type: models.ChatTypePrivate}, MediaGroupID: g}}
	}
	var q []inboxUpdate
	for range albumItems - 1 {
		q = append(q, inboxUpdate{u: item("A")})
	}
	if !continuesAlbum(q, item("A")) || continuesAlbum(q, item("B")) || continuesAlbum(q, item("")) {
		t.Fatal("only the album's next item goes past the bound")
	}
	if continuesAlbum(append(q, inboxUpdate{u: item("A")}), item("A")) {
		t.Fatal("an eleventh item went past the bound")
	}
}

// A private album left waiting in the inbox behind a chat's backlog is
// answered once: the backlog is fetched back a queue's worth at a time,
// and a fetch does not stop in the middle of an album (its last item
// fetched would see none follow it and answer as the album's end, the
// rest, fetched next, a run of their own).
func TestAlbumWaitingInTheInboxIsNotSplitByAFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		item := func(n int) InboxEntry {
			return InboxEntry{ID: fmt.Sprintf("e%02d", n), Raw: []byte(fmt.Sprintf(
				`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"media_group_id":"A","text":"foto"}}`, n, n))}
		}
		slow := make(chan struct{})
		h := &albumHandler{first: slow}
		in := newMemInbox()
		stop := startDispatcher(t, h, in)
		in.queue(text(1, 5))
		synctest.Wait() // e01 being handled
		var es []InboxEntry
		for n := 2; n <= 24; n++ { // 16 queued, 7 waiting in the inbox
			es = append(es, text(n, 5))
		}
		for n := 25; n <= 34; n++ { // then an album of 10, waiting too
			es = append(es, item(n))
		}
		in.queue(es...)
		synctest.Wait()
		close(slow)
		synctest.Wait()
		stop()
		var want []string
		for n := 1; n <= 24; n++ {
			want = append(want, fmt.Sprintf("%d:0:false", n))
		}
		for n := 1; n <= 10; n++ {
			want = append(want, fmt.Sprintf("%d:%d:%v", n+24, n, n < 10))
		}
		if !slices.Equal(h.place, want) {
			t.Errorf("album places %v, want %v", h.place, want)
		}
		if got := len(in.doneIDs()); got != 34 {
			t.Errorf("%d updates handled, want 34", got)
		}
	})
}

// A fetch goes past its bound by the rest of an album at most: ten items
// in all, not an eleventh of a media group, nor the next album.
func TestAlbumFetchedPastTheBoundIsBounded(t *testing.T) {
	d := &dispatcher{waitingIDs: map[string]string{"t": ""}}
	var w []string
	for i := range 12 {
		id := fmt.Sprintf("a%02d", i)
		d.waitingIDs[id] = "A"
		w = append(w, id)
	}
	w = append(w, "t")
	for _, c := range []struct{ n, want int }{{5, 10}, {10, 10}, {11, 11}, {13, 13}} {
		if got := d.albumEnd(w, c.n); got != c.want {
			t.Errorf("albumEnd of the first %d: %d, want %d", c.n, got, c.want)
		}
	}
	d.waitingIDs["b"] = "B"
	if got := d.albumEnd([]string{"a00", "b", "t"}, 1); got != 1 {
		t.Errorf("albumEnd went past its album into another: %d", got)
	}
}

// A private album whose items are read from the inbox in two goes (each
// item is its own webhook call) is answered once: the item nothing
// follows yet waits a moment for the album's next one before it answers
// for the album; the album's last item, when nothing more comes, answers
// for all four.
func TestAlbumReadInTwoGoesIsAnsweredOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		item := func(n int) InboxEntry {
			return InboxEntry{ID: fmt.Sprintf("e%02d", n), Raw: []byte(fmt.Sprintf(
				`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"media_group_id":"A","text":"foto"}}`, n, n))}
		}
		h := &albumHandler{}
		in := newMemInbox()
		stop := startDispatcher(t, h, in)
		in.queue(item(1), item(2))
		synctest.Wait() // the first two read, the second waiting for more
		in.queue(item(3), item(4))
		synctest.Wait()
		in.queue(text(5, 5)) // then something else
		synctest.Wait()
		stop()
		h.mu.Lock()
		defer h.mu.Unlock()
		want := []string{"1:1:true", "2:2:true", "3:3:true", "4:4:false", "5:0:false"}
		if !slices.Equal(h.place, want) {
			t.Fatalf("places %v, want %v", h.place, want)
		}
	})
}

// The webhook's dispatcher answers updates without remembering them (as
// polling's does, for the updates it handles at once, which the webhook
// never does): memory they would hold for a day, for nothing.
// Mutation: webhookDispatcher keeping atOnce → the three updates answered
// are remembered.
func TestWebhookDispatcherRemembersNoUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := testAdapter()
		a.o.Workers, a.o.HandlerTimeout = 4, time.Hour
		in := newMemInbox()
		d := a.webhookDispatcher(&gateHandler{}, in)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			d.run(ctx)
		}()
		in.queue(text(1, 1), text(2, 2), text(3, 3))
		synctest.Wait()
		cancel()
		<-done
		if got := in.doneIDs(); len(got) != 3 {
			t.Fatalf("removed from the inbox: %v, want the three updates", got)
		}
		a.atOnce.mu.Lock()
		defer a.atOnce.mu.Unlock()
		if n := len(a.atOnce.ids); n != 0 {
			t.Fatalf("%d updates remembered, want none", n)
		}
	})
}
