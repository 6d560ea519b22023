package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/locales"
)

// errInjected is the value of the panics the tests inject.
var errInjected = errors.New("injected panic")

// panicLog is a logger whose lines the tests read.
type panicLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *panicLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *panicLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// count is how many panics in where were logged, at Error, with a stack.
func (l *panicLog) count(where string) int {
	n := 0
	for line := range strings.Lines(l.String()) {
		if strings.Contains(line, `"level":"ERROR"`) && strings.Contains(line, `"msg":"telegram panic recovered"`) &&
			strings.Contains(line, `"in":"`+where+`"`) && strings.Contains(line, `"stack":"`) {
			n++
		}
	}
	return n
}

// sentAPI is the Bot API in memory (a RoundTripper, so that a synctest
// bubble holds it): it answers every method with success and records the
// messages sent, chat id and text.
type sentAPI struct {
	mu   sync.Mutex
	sent []string // "chat_id: text"
}

func (f *sentAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	result := "true"
	if path.Base(r.URL.Path) == "sendMessage" {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, err
		}
		f.mu.Lock()
		f.sent = append(f.sent, r.FormValue("chat_id")+": "+r.FormValue("text"))
		f.mu.Unlock()
		result = `{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}`
	} else {
		_, _ = io.Copy(io.Discard, r.Body) // (the library writes it from a goroutine)
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"ok":true,"result":` + result + `}`)), Request: r}, nil
}

func (f *sentAPI) messages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent)
}

// panicAdapter is an adapter on api whose log l captures, with panics
// injected where inject says (nil: none).
func panicAdapter(t *testing.T, api *sentAPI, inject func(point string, u *models.Update)) (*Adapter, *panicLog) {
	a := testAdapter()
	a.o.Workers, a.o.HandlerTimeout = 4, time.Hour
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	a.msg = msg
	b, err := bot.New(a.o.Token, bot.WithServerURL("http://api.test"), bot.WithSkipGetMe(), bot.WithHTTPClient(time.Minute, &http.Client{Transport: api}))
	if err != nil {
		t.Fatal(err)
	}
	a.b = b
	l := &panicLog{}
	a.log = slog.New(slog.NewJSONHandler(l, nil))
	a.reached = inject
	return a, l
}

// runDispatcher runs a dispatcher of a until the function it returns is
// called, which returns once it has stopped.
func runDispatcher(a *Adapter, h Handler, in Inbox) (*dispatcher, func()) {
	d := a.newDispatcher(h, in)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.run(ctx)
	}()
	return d, func() {
		cancel()
		<-done
	}
}

// settled fails t unless d holds nothing: no update held, queued,
// waiting or being fetched, no busy chat, no worker slot taken.
func settled(t *testing.T, d *dispatcher) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.held) != 0 || len(d.chats) != 0 || len(d.waiting) != 0 || len(d.waitingIDs) != 0 || d.fetching != 0 || len(d.workers) != 0 {
		t.Errorf("the dispatcher still holds: held %v, chats %v, waiting %v, fetching %d, workers %d",
			d.held, d.chats, d.waiting, d.fetching, len(d.workers))
	}
}

// reporterTip is a private message of chat 555000111, in Spanish, with
// update id n (its entry id "e<n>").
func reporterTip(n int) InboxEntry {
	return InboxEntry{ID: fmt.Sprintf("e%02d", n), Raw: []byte(fmt.Sprintf(
		`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":555000111,"type":"private"},"from":{"id":555000111,"first_name":"x","language_code":"es"},"text":"el jefe es Juan"}}`, n, n))}
}

// panicsOn injects a panic at point for update id only.
func panicsOn(point string, id int64) func(string, *models.Update) {
	return func(p string, u *models.Update) {
		if p == point && u.ID == id {
			panic(errInjected)
		}
	}
}

// An update whose handling panics in the adapter, before the engine has
// it (a bug reached by what was sent), is answered: its sender is told,
// in their language, that it went wrong and to send it again; it is
// removed from the inbox (not read again, to panic again); and the chat's
// next update, and the other chats', are handled. The dispatcher is left
// holding nothing, its worker slots free; the panic is logged with its
// stack, without the text or the chat id.
// Mutations: dispatchOne without its survive, next without its survive
// -> the test process dies; handle's repair without failed -> the
// sender is not answered.
func TestPanicHandlingAnUpdateIsAnsweredAndTheChatGoesOn(t *testing.T) {
	for _, tc := range []struct{ point, where string }{
		{"dispatch", "inbox dispatch"},
		{"chat", "chat queue"},
		{"translate", "update"},
	} {
		t.Run(tc.point, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				api := &sentAPI{}
				a, logs := panicAdapter(t, api, panicsOn(tc.point, 1))
				h := &gateHandler{}
				in := newMemInbox()
				d, stop := runDispatcher(a, h, in)
				in.queue(reporterTip(1), reporterTip(2), text(3, 2))
				synctest.Wait()
				stop()
				want := "555000111: " + html.EscapeString(a.msg.Localize("es", "error_internal", nil))
				if sent := api.messages(); !slices.Equal(sent, []string{want}) {
					t.Errorf("sent %q, want %q", sent, want)
				}
				if started, _ := h.got(); !slices.Equal(slices.Sorted(slices.Values(started)), []int64{2, 3}) {
					t.Errorf("handled %v, want 2 and 3", started)
				}
				if done := in.doneIDs(); !slices.Equal(slices.Sorted(slices.Values(done)), []string{"e01", "e02", "e03"}) {
					t.Errorf("removed from the inbox: %v, want all three", done)
				}
				settled(t, d)
				if logs.count(tc.where) != 1 {
					t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
				}
				if s := logs.String(); strings.Contains(s, "Juan") || strings.Contains(s, "555000111") {
					t.Errorf("the log holds the text or the chat id:\n%s", s)
				}
			})
		})
	}
}

// frenchHandler is a gateHandler whose engine speaks French to everyone
// (a language chosen with /language, kept in Redis).
type frenchHandler struct{ gateHandler }

func (*frenchHandler) Language(context.Context, string, string, string) string { return "fr" }

// A polled batch handled at once (the inbox did not take it) runs each
// chat's updates on a goroutine of its own: one whose handling panics is
// answered, in the language the engine speaks to its sender, its chat's
// next update and the other chats' are handled, and handleBatch returns
// (every slot given back).
// Mutations: handle's repair without failed -> the sender is not
// answered; failed without the engine's look-up -> answered in the
// client's language (Spanish).
func TestPanicInABatchHandledAtOnceIsAnswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &sentAPI{}
		a, logs := panicAdapter(t, api, panicsOn("translate", 1))
		a.o.Workers = 1
		h := &frenchHandler{}
		var batch []*models.Update
		for _, e := range []InboxEntry{reporterTip(1), reporterTip(2), text(3, 2)} {
			u, _ := decodeEntry(e.Raw)
			batch = append(batch, u)
		}
		a.handleBatch(context.Background(), h, batch)
		want := "555000111: " + html.EscapeString(a.msg.Localize("fr", "error_internal", nil))
		if sent := api.messages(); !slices.Equal(sent, []string{want}) {
			t.Errorf("sent %q, want %q", sent, want)
		}
		if started, _ := h.got(); !slices.Equal(slices.Sorted(slices.Values(started)), []int64{2, 3}) {
			t.Errorf("handled %v, want 2 and 3", started)
		}
		if logs.count("update") != 1 {
			t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
		}
	})
}

// panicInbox is a memInbox whose methods panic (a nil from Redis's
// client, a bug in it) the number of times left says, each.
type panicInbox struct {
	*memInbox
	pmu  sync.Mutex
	left map[string]int
}

func (p *panicInbox) fire(method string) {
	p.pmu.Lock()
	n := p.left[method]
	if n > 0 {
		p.left[method] = n - 1
	}
	p.pmu.Unlock()
	if n > 0 {
		panic(errInjected)
	}
}

func (p *panicInbox) Read(ctx context.Context, consumer string, count int, block, stale time.Duration) ([]InboxEntry, error) {
	p.fire("Read")
	return p.memInbox.Read(ctx, consumer, count, block, stale)
}

func (p *panicInbox) Keep(ctx context.Context, consumer string, ids []string) ([]string, error) {
	p.fire("Keep")
	return p.memInbox.Keep(ctx, consumer, ids)
}

func (p *panicInbox) Fetch(ctx context.Context, consumer string, ids []string) ([]InboxEntry, error) {
	p.fire("Fetch")
	return p.memInbox.Fetch(ctx, consumer, ids)
}

func (p *panicInbox) Done(ctx context.Context, id string) error {
	p.fire("Done")
	return p.memInbox.Done(ctx, id)
}

func (p *panicInbox) Add(ctx context.Context, raws ...[]byte) error {
	p.fire("Add")
	return p.memInbox.Add(ctx, raws...)
}

func (p *panicInbox) Len(ctx context.Context) (int64, error) {
	p.fire("Len")
	return p.memInbox.Len(ctx)
}

// A panic in the inbox's client is that call's failure, and the
// dispatcher repairs it as it does an outage's: a read is tried again
// (the updates handled); a keep is warned of, the next one keeps; a
// fetch of a chat's backlog is tried again at the next read; a removal
// is warned of (the update left pending, let go), the chat's next update
// handled; so is the removal of an update held while it is handled at
// once. Each is logged with its stack, and the dispatcher ends holding
// nothing.
// Mutation: newDispatcher without guardedInbox -> the test process dies.
func TestPanicInTheInboxIsAFailure(t *testing.T) {
	t.Run("read", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, logs := panicAdapter(t, &sentAPI{}, nil)
			h := &gateHandler{}
			in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Read": 1}}
			d, stop := runDispatcher(a, h, in)
			in.queue(text(1, 1), text(2, 2))
			time.Sleep(time.Minute) // past the read's backoff
			synctest.Wait()
			stop()
			if started, _ := h.got(); len(started) != 2 {
				t.Errorf("handled %v, want both", started)
			}
			settled(t, d)
			if logs.count("inbox read") != 1 {
				t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
			}
		})
	})
	t.Run("keep", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, logs := panicAdapter(t, &sentAPI{}, nil)
			slow := make(chan struct{})
			h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
			in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Keep": 1}}
			d, stop := runDispatcher(a, h, in)
			in.queue(text(1, 1))
			time.Sleep(2*inboxStale/4 + time.Second) // two keeps
			synctest.Wait()
			in.mu.Lock()
			keeps := len(in.keeps)
			in.mu.Unlock()
			if keeps != 1 {
				t.Errorf("%d keeps after the one that panicked, want 1", keeps)
			}
			close(slow)
			synctest.Wait()
			stop()
			settled(t, d)
			if logs.count("inbox keep") != 1 {
				t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
			}
		})
	})
	t.Run("fetch", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, logs := panicAdapter(t, &sentAPI{}, nil)
			slow := make(chan struct{})
			h := &gateHandler{gates: map[string]chan struct{}{"1": slow}}
			in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Fetch": 1}}
			d, stop := runDispatcher(a, h, in)
			var flood []InboxEntry
			for n := range 40 {
				flood = append(flood, text(n+1, 1))
			}
			in.queue(flood...)
			synctest.Wait()
			close(slow) // its queue handled, its backlog's fetch panics
			synctest.Wait()
			in.queue(text(41, 2)) // the next read
			synctest.Wait()
			stop()
			if started, _ := h.got(); len(started) != 41 {
				t.Errorf("handled %d updates, want 41", len(started))
			}
			settled(t, d)
			if logs.count("inbox fetch") != 1 {
				t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
			}
		})
	})
	t.Run("removal", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, logs := panicAdapter(t, &sentAPI{}, nil)
			h := &gateHandler{}
			in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Done": 1}}
			d, stop := runDispatcher(a, h, in)
			in.queue(text(1, 1), text(2, 1))
			synctest.Wait()
			stop()
			if started, _ := h.got(); !slices.Equal(started, []int64{1, 2}) {
				t.Errorf("handled %v, want 1 then 2", started)
			}
			if done := in.doneIDs(); !slices.Equal(done, []string{"e02"}) {
				t.Errorf("removed %v, want e02 (e01's removal panicked)", done)
			}
			settled(t, d)
			if logs.count("inbox removal") != 1 {
				t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
			}
		})
	})
	t.Run("removal of an update handled at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, logs := panicAdapter(t, &sentAPI{}, nil)
			h := &gateHandler{}
			in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Done": 1}}
			e := text(1, 1)
			u, _ := decodeEntry(e.Raw)
			// Its write to the inbox failed though it landed: the
			// poller handles it at once.
			_, handled := a.atOnce.writing([]*models.Update{u})(true)
			d, stop := runDispatcher(a, h, in)
			in.queue(e)
			synctest.Wait()
			handled()
			synctest.Wait()
			in.queue(text(2, 1))
			synctest.Wait()
			stop()
			if started, _ := h.got(); !slices.Equal(started, []int64{2}) {
				t.Errorf("handled %v, want 2 only (1 handled at once)", started)
			}
			settled(t, d)
			if logs.count("inbox removal") != 1 {
				t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
			}
		})
	})
}

// The polling loop (Run, on its caller's goroutine) calls the inbox too: a
// panic in its client is that call's failure, as the dispatcher's are. A
// batch whose write panicked is handled at once, as one whose write
// failed; a look at the backlog that panicked lets polling go on, as one
// that failed. Each is logged with its stack.
// Mutation: deliver's Add, or roomInInbox's backlogFull, on a.o.Inbox
// without guardedInbox -> the test process dies.
func TestPanicInThePollersInboxCallsIsAFailure(t *testing.T) {
	t.Run("add", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, logs := panicAdapter(t, &sentAPI{}, nil)
			in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Add": 1}}
			a.o.Inbox = in
			h := &gateHandler{}
			e := text(1, 1)
			u, _ := decodeEntry(e.Raw)
			a.deliver(context.Background(), h, []*models.Update{u}, []json.RawMessage{e.Raw})
			if started, _ := h.got(); !slices.Equal(started, []int64{1}) {
				t.Errorf("handled %v, want 1, at once", started)
			}
			if logs.count("inbox add") != 1 {
				t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
			}
		})
	})
	t.Run("length", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, logs := panicAdapter(t, &sentAPI{}, nil)
			in := &panicInbox{memInbox: newMemInbox(), left: map[string]int{"Len": 1}}
			a.o.Inbox = in
			if !a.roomInInbox(context.Background(), 0) {
				t.Error("roomInInbox = false, want true (polling goes on)")
			}
			if logs.count("inbox length") != 1 {
				t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
			}
		})
	})
}

// A chat's backlog fetched back from the inbox is decoded before the
// dispatcher's lock is taken: a panic decoding one of its updates
// (salvaging what was sent) is that update's failure to decode. It is
// removed from the inbox, as one that cannot be decoded (not fetched
// again, to panic again), the chat's other updates and the reader go on,
// and the dispatcher ends holding nothing. (Real time, not synctest: a
// dispatcher stuck on its lock, or fetching in a loop, never lets a
// bubble's clock move; here the deadline ends the wait.)
// Mutations: fetch decoding under d.mu with decodeEntry, as before (no
// guard) -> the lock stays taken; fetch's decode without its guard ->
// the chat fetches e18 again and again: either way nothing after e17 is
// handled or removed within the deadline.
func TestPanicDecodingAFetchedUpdateIsSkipped(t *testing.T) {
	a, logs := panicAdapter(t, &sentAPI{}, panicsOn("fetch", 18))
	gate := make(chan struct{})
	h := &gateHandler{gates: map[string]chan struct{}{"1": gate}}
	in := newMemInbox()
	d, stop := runDispatcher(a, h, in)
	var flood []InboxEntry
	for n := range 20 {
		flood = append(flood, text(n+1, 1))
	}
	in.queue(flood...)
	within := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not %s within 20s (handled %v, removed %v)", what, first(h.got()), in.doneIDs())
			}
		}
	}
	within("all read, the backlog waiting", func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.held)+len(d.waitingIDs) == 20 && len(d.waitingIDs) > 0
	})
	close(gate)
	within("all removed from the inbox", func() bool { return len(in.doneIDs()) == 20 })
	stop()
	var want []int64
	for n := range int64(20) {
		if n+1 != 18 {
			want = append(want, n+1)
		}
	}
	if started, _ := h.got(); !slices.Equal(started, want) {
		t.Errorf("handled %v, want %v", started, want)
	}
	settled(t, d)
	if logs.count("inbox decode") != 1 {
		t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
	}
}

// first is the first of two values.
func first[T any](v T, _ T) T { return v }
