package telegram

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// memAPI is the Bot API in memory (a RoundTripper, so that a synctest
// bubble holds it): getUpdates answers the batch queued at its offset, or
// long-polls until the request ends; every other method answers true.
type memAPI struct {
	mu      sync.Mutex
	batches map[int64]string // offset -> JSON array of updates
	offsets []int64          // getUpdates offsets asked for, in order
	limits  []string         // and the limit each asked for ("": none)
}

func (f *memAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	answer := func(result string) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"ok":true,"result":` + result + `}`)), Request: r}, nil
	}
	if path.Base(r.URL.Path) != "getUpdates" {
		_, _ = io.Copy(io.Discard, r.Body) // (the library writes it from a goroutine)
		return answer("true")
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	offset, _ := strconv.ParseInt(r.PostForm.Get("offset"), 10, 64)
	f.mu.Lock()
	f.offsets = append(f.offsets, offset)
	f.limits = append(f.limits, r.PostForm.Get("limit"))
	batch, ok := f.batches[offset]
	if r.PostForm.Get("limit") == "" {
		delete(f.batches, offset)
	}
	f.mu.Unlock()
	if ok || r.PostForm.Get("timeout") == "0" {
		return answer(cmpOr(batch, "[]"))
	}
	<-r.Context().Done()
	return nil, r.Context().Err()
}

func cmpOr(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (f *memAPI) asked() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.offsets)
}

// inboxPollingAdapter polls api, with inbox (if not nil).
func inboxPollingAdapter(t *testing.T, api *memAPI, inbox Inbox) *Adapter {
	a := testAdapter()
	a.o.Workers, a.o.HandlerTimeout, a.o.PollTimeout, a.o.APIURL, a.o.Inbox = 4, time.Hour, 50*time.Second, "http://api.test", inbox
	a.http = &http.Client{Transport: api}
	b, err := bot.New(a.o.Token, bot.WithServerURL(a.o.APIURL), bot.WithSkipGetMe(), bot.WithHTTPClient(a.o.PollTimeout, &http.Client{Transport: api}))
	if err != nil {
		t.Fatal(err)
	}
	a.b = b
	return a
}

func startRun(a *Adapter, h Handler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.Run(ctx, h)
	}()
	return func() {
		cancel()
		<-done
	}
}

// Polling with an inbox: a batch is confirmed to Telegram (the next
// getUpdates' offset) only once the inbox has it, and the dispatcher
// handles it from there.
func TestPolledBatchIsConfirmedOnlyOnceStored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &memAPI{batches: map[int64]string{0: "[" + string(text(1, 1).Raw) + "]"}}
		in := newMemInbox()
		in.added, in.addGate = make(chan struct{}, 1), make(chan struct{})
		h := &gateHandler{}
		stop := startRun(inboxPollingAdapter(t, api, in), h)
		<-in.added
		synctest.Wait()
		if got := api.asked(); !slices.Equal(got, []int64{0}) {
			t.Fatalf("getUpdates offsets %v while the batch was being stored: confirmed before it was durable", got)
		}
		close(in.addGate)
		synctest.Wait()
		if got := api.asked(); !slices.Equal(got, []int64{0, 2}) {
			t.Fatalf("getUpdates offsets %v once stored", got)
		}
		if started, _ := h.got(); !slices.Equal(started, []int64{1}) || !slices.Equal(in.doneIDs(), []string{"a1"}) {
			t.Fatalf("handled %v, removed %v", started, in.doneIDs())
		}
		stop()
	})
}

// Polling while the inbox cannot take a batch (Redis down): the batch is
// handled at once, and confirmed only after it was.
func TestPolledBatchIsHandledWhenTheInboxFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &memAPI{batches: map[int64]string{0: "[" + string(text(1, 1).Raw) + "," + string(text(2, 2).Raw) + "]"}}
		in := newMemInbox()
		in.addErr = errors.New("redis down")
		slow := make(chan struct{})
		h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
		stop := startRun(inboxPollingAdapter(t, api, in), h)
		synctest.Wait()
		if started, _ := h.got(); !slices.Equal(slices.Sorted(slices.Values(started)), []int64{1, 2}) {
			t.Fatalf("handled %v with the inbox down, want both", started)
		}
		if got := api.asked(); !slices.Equal(got, []int64{0}) {
			t.Fatalf("getUpdates offsets %v while the batch was being handled", got)
		}
		close(slow)
		synctest.Wait()
		if got := api.asked(); !slices.Equal(got, []int64{0, 3}) {
			t.Fatalf("getUpdates offsets %v once handled", got)
		}
		stop()
	})
}

// With the inbox full (a flood, or the handlers stopped), polling waits
// before its next getUpdates, so Telegram keeps the updates rather than
// Redis, which the tips need; it polls again once the inbox drains. The
// webhook answers 503 instead, without storing the update (Telegram
// delivers it again later).
func TestFullInboxHoldsUpdatesBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &memAPI{batches: map[int64]string{0: "[" + string(text(1, 1).Raw) + "]"}}
		in := newMemInbox()
		in.length = maxBacklog
		stop := startRun(inboxPollingAdapter(t, api, in), &gateHandler{})
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := api.asked(); len(got) != 0 {
			t.Fatalf("getUpdates offsets %v with the inbox full", got)
		}
		in.mu.Lock()
		in.length = maxBacklog - 1
		in.mu.Unlock()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := api.asked(); len(got) == 0 || got[0] != 0 {
			t.Fatalf("getUpdates offsets %v once the inbox drained", got)
		}
		stop()

		in = newMemInbox()
		in.length = maxBacklog
		h := testAdapter().WebhookHandler(in, "s3cret")
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(text(2, 2).Raw)))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable || in.next != 0 {
			t.Fatalf("webhook with the inbox full: HTTP %d, %d stored", rec.Code, in.next)
		}
		in.length = 0
		rec = httptest.NewRecorder()
		req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(text(2, 2).Raw)))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || in.next != 1 {
			t.Fatalf("webhook with room: HTTP %d, %d stored", rec.Code, in.next)
		}
	})
}

// A full inbox is warned of once a minute at most, not once per refused
// webhook call (Telegram sends each update again and again, up to 40 at a
// time) nor once per poll held back.
func TestFullInboxIsWarnedOfOnceAMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		a := testAdapter()
		a.log = slog.New(slog.NewTextHandler(&logs, nil))
		in := newMemInbox()
		in.length = maxBacklog
		h := a.WebhookHandler(in, "s3cret")
		call := func() {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(text(2, 2).Raw)))
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("webhook with the inbox full: HTTP %d", rec.Code)
			}
		}
		for range 50 {
			call()
			time.Sleep(time.Second / 2)
		}
		if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
			t.Fatalf("%d warnings for 50 refused calls in 25s, want 1:\n%s", n, logs.String())
		}
		time.Sleep(time.Minute)
		call()
		if n := strings.Count(logs.String(), "level=WARN"); n != 2 {
			t.Fatalf("%d warnings a minute later, want 2:\n%s", n, logs.String())
		}
	})
}

// hungInbox is an inbox whose Add waits, like a call to a hung Redis,
// until its context ends.
type hungInbox struct{ *memInbox }

func (h hungInbox) Add(ctx context.Context, raws ...[]byte) error {
	<-ctx.Done()
	return ctx.Err()
}

// A hung Redis does not hold the webhook's calls open: storing the update
// has a deadline of its own, and Telegram is answered 503, so that it
// delivers the update again.
func TestWebhookAnswersWhenRedisHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := testAdapter().WebhookHandler(hungInbox{newMemInbox()}, "s3cret")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // (without the fix: ends the call at last)
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", strings.NewReader(string(text(1, 1).Raw)))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
		rec := httptest.NewRecorder()
		answered := make(chan struct{})
		go func() {
			defer close(answered)
			h.ServeHTTP(rec, req)
		}()
		time.Sleep(time.Hour)
		synctest.Wait()
		select {
		case <-answered:
		default:
			t.Fatal("webhook call still open an hour into a hung Redis")
		}
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("webhook with a hung Redis: HTTP %d, want 503 (Telegram delivers it again)", rec.Code)
		}
	})
}

// fillingInbox is an inbox that is full once it has stored a batch.
type fillingInbox struct{ *memInbox }

func (f fillingInbox) Add(ctx context.Context, raws ...[]byte) error {
	err := f.memInbox.Add(ctx, raws...)
	f.mu.Lock()
	f.length = maxBacklog
	f.mu.Unlock()
	return err
}

// Polling that waits on a full inbox has confirmed the batch it stored
// last, without taking more updates: a crash while it waits does not
// have Telegram deliver that batch again. What the confirming call
// answered is taken once the inbox drains.
func TestPollingWaitingOnAFullInboxConfirmsItsLastBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &memAPI{batches: map[int64]string{
			0: "[" + string(text(1, 1).Raw) + "]",
			2: "[" + string(text(2, 2).Raw) + "]",
		}}
		in := fillingInbox{newMemInbox()}
		stop := startRun(inboxPollingAdapter(t, api, in), &gateHandler{})
		defer stop()
		time.Sleep(time.Minute)
		synctest.Wait()
		api.mu.Lock()
		offsets, limits := slices.Clone(api.offsets), slices.Clone(api.limits)
		api.mu.Unlock()
		if !slices.Equal(offsets, []int64{0, 2}) || !slices.Equal(limits, []string{"", "1"}) {
			t.Fatalf("getUpdates offsets %v, limits %v while the inbox is full; want the stored batch confirmed (offset 2) for one update at most", offsets, limits)
		}
		if in.next != 1 {
			t.Fatalf("%d updates stored while the inbox is full, want 1", in.next)
		}
		in.mu.Lock()
		in.length = 0
		in.mu.Unlock()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		in.mu.Lock()
		stored := in.next
		in.mu.Unlock()
		if stored != 2 {
			t.Fatalf("%d updates stored once the inbox drained, want 2 (the one the confirming call saw, too)", stored)
		}
	})
}

// landedInbox is an inbox whose Add stores the updates but reports a
// timeout, as when Redis wrote them but its answer came too late: the
// dispatcher, waiting on the inbox, has read them before Add returns (it
// returns once the rest of the bubble is blocked, whatever the
// goroutines' order).
type landedInbox struct{ *memInbox }

func (l landedInbox) Add(ctx context.Context, raws ...[]byte) error {
	if err := l.memInbox.Add(ctx, raws...); err != nil {
		return err
	}
	synctest.Wait()
	return context.DeadlineExceeded
}

// A polled update whose inbox write timed out although it landed is
// handled at once (the inbox said it did not take it), and not a second
// time when the dispatcher reads it from the inbox: one answer.
func TestPolledUpdateStoredThoughItsWriteFailedIsHandledOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &memAPI{batches: map[int64]string{0: "[" + string(text(1, 1).Raw) + "]"}}
		in := landedInbox{newMemInbox()}
		h := &albumHandler{}
		stop := startRun(inboxPollingAdapter(t, api, in), h)
		time.Sleep(time.Minute)
		synctest.Wait()
		stop()
		h.mu.Lock()
		defer h.mu.Unlock()
		if !slices.Equal(h.place, []string{"1:0:false"}) {
			t.Fatalf("handled %v, want update 1 once", h.place)
		}
		if got := in.doneIDs(); len(got) != 1 {
			t.Fatalf("removed from the inbox: %v, want the stored copy", got)
		}
	})
}

// While a polled update whose write timed out though it landed is being
// handled at once, its stored copy stays in the inbox: it is removed only
// once that handling is over. Removed earlier, a crash meanwhile lost the
// update: Telegram delivers it again (not confirmed), but the inbox takes
// that delivery for a duplicate of the copy it no longer holds; a tip
// stored before the crash never had its receipt sent.
func TestPolledUpdateHandledAtOnceKeepsItsStoredCopyUntilHandled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &memAPI{batches: map[int64]string{0: "[" + string(text(1, 1).Raw) + "]"}}
		in := landedInbox{newMemInbox()}
		gate := make(chan struct{})
		h := &albumHandler{first: gate}
		stop := startRun(inboxPollingAdapter(t, api, in), h)
		time.Sleep(time.Minute)
		synctest.Wait()
		early := in.doneIDs()
		close(gate)
		time.Sleep(time.Second)
		synctest.Wait()
		late := in.doneIDs()
		stop()
		if len(early) != 0 {
			t.Fatalf("removed from the inbox %v while it was still being handled at once", early)
		}
		if len(late) != 1 {
			t.Fatalf("removed from the inbox: %v once handled, want the stored copy", late)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if !slices.Equal(h.place, []string{"1:0:false"}) {
			t.Fatalf("handled %v, want update 1 once", h.place)
		}
	})
}

// The updates handled at once are remembered within a bound: Redis down
// for hours under a flood of messages does not grow the bot's memory
// without end. Past it the oldest are forgotten (their stored copy, if
// their write landed after all, would be answered a second time: never
// dropped).
func TestUpdatesHandledAtOnceAreRememberedWithinABound(t *testing.T) {
	var o atOnce
	batch := func(from int) []*models.Update {
		out := make([]*models.Update, 100)
		for i := range out {
			out[i] = &models.Update{ID: int64(from + i)}
		}
		return out
	}
	n := 0
	for ; n < atOnceMax+1000; n += 100 {
		_, handled := o.writing(batch(n))(true)
		handled()
	}
	if len(o.ids) > atOnceMax {
		t.Fatalf("%d updates remembered, want at most %d", len(o.ids), atOnceMax)
	}
	if _, ok := o.take(context.Background(), int64(n-1)); !ok {
		t.Fatal("the last update handled at once was forgotten")
	}
	if _, ok := o.take(context.Background(), 0); ok {
		t.Fatal("the first update handled at once is still remembered past the bound")
	}
}

// A dispatcher stopping while an update it read is still being written
// waits for the write's outcome all the same: if the write failed, the
// update is handled at once and its stored copy is taken as such
// (removed once handled), not left pending to be handled a second time
// after a restart. A write that never tells holds it up only a while.
func TestStoppingDispatcherWaitsForTheWriteOfAnUpdateItRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var o atOnce
		stopped, cancel := context.WithCancel(context.Background())
		cancel()
		written := o.writing([]*models.Update{{ID: 7}})
		var ok bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, ok = o.take(stopped, 7)
		}()
		synctest.Wait() // take has read the update as being written
		_, handled := written(true)
		handled()
		<-done
		if !ok {
			t.Fatal("an update handled at once while the dispatcher stopped is not taken as such: handled again after a restart")
		}

		o.writing([]*models.Update{{ID: 8}}) // never told
		if _, ok := o.take(stopped, 8); ok {
			t.Fatal("an update whose write never ended is taken as handled at once")
		}
	})
}

// gatedAPI is memAPI whose getUpdates waits until open is closed.
type gatedAPI struct {
	*memAPI
	open chan struct{}
}

func (g gatedAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	if path.Base(r.URL.Path) == "getUpdates" {
		<-g.open
	}
	return g.memAPI.RoundTrip(r)
}

// After a restart, Telegram delivers again the last batch the process
// before did not confirm, though it stored it: the dispatcher reads the
// stored copy (the restart's leftovers) and answers it, while the new
// delivery's write, a duplicate of that copy, times out (a slow Redis).
// The write's outcome decides who answers: the update is the inbox's
// already, so it is not handled at once as well. One answer.
func TestRedeliveredUpdateStoredBeforeARestartIsAnsweredOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := &memAPI{batches: map[int64]string{0: "[" + string(text(1, 1).Raw) + "]"}}
		api := gatedAPI{memAPI: mem, open: make(chan struct{})}
		in := newMemInbox()
		in.pending = []InboxEntry{{ID: "p1", Raw: text(1, 1).Raw}}
		in.addErr = context.DeadlineExceeded
		h := &albumHandler{}
		a := inboxPollingAdapter(t, mem, in)
		a.http = &http.Client{Transport: api}
		stop := startRun(a, h)
		synctest.Wait() // the dispatcher has answered the stored copy
		close(api.open)
		time.Sleep(time.Minute)
		synctest.Wait()
		stop()
		h.mu.Lock()
		defer h.mu.Unlock()
		if !slices.Equal(h.place, []string{"1:0:false"}) {
			t.Fatalf("handled %v, want update 1 once", h.place)
		}
		if got := in.doneIDs(); !slices.Equal(got, []string{"p1"}) {
			t.Fatalf("removed from the inbox: %v, want the stored copy", got)
		}
	})
}
