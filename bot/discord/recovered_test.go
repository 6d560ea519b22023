package discord

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// errInjected is the value of the panics the tests inject.
var errInjected = errors.New("injected panic")

// panicLog is a logger for a, whose lines panicLog.has reads.
type panicLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func capturePanics(a *Adapter) *panicLog {
	l := &panicLog{}
	a.log = slog.New(slog.NewJSONHandler(lockedWriter{&l.mu, &l.b}, nil))
	return l
}

func (l *panicLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// count is how many panics in where were logged, at Error, with a stack.
func (l *panicLog) count(where string) int {
	n := 0
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) && strings.Contains(line, `"msg":"discord panic recovered"`) &&
			strings.Contains(line, `"in":"`+where+`"`) && strings.Contains(line, `"stack":"`) {
			n++
		}
	}
	return n
}

// noLeak fails t if the log holds any of leaks.
func (l *panicLog) noLeak(t *testing.T, leaks ...string) {
	t.Helper()
	for _, leak := range leaks {
		if strings.Contains(l.String(), leak) {
			t.Errorf("the log holds %q:\n%s", leak, l.String())
		}
	}
}

// languagePanics is an engine whose language look-up panics.
type languagePanics struct{ silentHandler }

func (languagePanics) Language(context.Context, string, string, string) string { panic(errInjected) }

// An event the adapter does not handle (over its user's queue limit, or
// still queued at the shutdown deadline) is answered on a goroutine of its
// own, in the user's language, which the engine looks up. The look-up
// panicking, the answer still goes, in the client's language, and the
// panic is logged at Error with its stack (no id, no text): serve goes on.
// Mutation: language without its recover -> the test process dies.
func TestDiscordRefusalAnsweredThroughALanguagePanic(t *testing.T) {
	t.Run("direct message", func(t *testing.T) {
		api := &recordingAPI{}
		a := newTestAdapter(t, api, languagePanics{}, time.Hour)
		logs := capturePanics(a)
		m := dm("el jefe es Juan").Message
		m.ChannelID, m.Author.ID, m.Author.Locale = "777000111", "555000222", "es-ES"
		a.refuseMessage(context.Background(), languagePanics{}, m, "rate_limited")
		calls, bodies := api.snapshot()
		want := a.msg.Localize("es", "rate_limited", nil)
		if len(calls) != 1 || calls[0] != "POST /api/v9/channels/777000111/messages" || bodies[0]["content"] != want {
			t.Fatalf("answer: %v %v, want %q to the DM channel", calls, bodies, want)
		}
		if logs.count("language look-up") != 1 {
			t.Errorf("the panic is not logged at Error with its stack:\n%s", logs)
		}
		logs.noLeak(t, "Juan", "555000222", "777000111")
	})
	t.Run("interaction", func(t *testing.T) {
		api := &recordingAPI{}
		a := newTestAdapter(t, api, languagePanics{}, time.Hour)
		logs := capturePanics(a)
		ic := commandInteraction()
		ic.Locale = discordgo.French
		ev := a.interaction(context.Background(), languagePanics{}, ic, nil)
		ev.refuse("rate_limited")
		calls, bodies := api.snapshot()
		want := a.msg.Localize("fr", "rate_limited", nil)
		if len(calls) != 1 || !strings.HasSuffix(calls[0], "/interactions/10/tok/callback") {
			t.Fatalf("answer: %v, want the interaction's response", calls)
		}
		if data, _ := bodies[0]["data"].(map[string]any); data["content"] != want {
			t.Errorf("answer %v, want %q", bodies[0], want)
		}
		if logs.count("language look-up") != 1 {
			t.Errorf("the panic is not logged at Error with its stack:\n%s", logs)
		}
		logs.noLeak(t, "tok", "\"50\"")
	})
}

// panicOnLook makes every REST call of a panic (a panic of discordgo's, or
// of the adapter's code around it), from the nth on, counting them.
func panicOnLook(a *Adapter, from int) *sync.Mutex {
	var mu sync.Mutex
	n := 0
	a.looked = func() {
		mu.Lock()
		n++
		fire := n >= from
		mu.Unlock()
		if fire {
			panic(errInjected)
		}
	}
	return &mu
}

// The answer to an event not handled panicking where the language is no
// longer the cause (the send itself) ends that answer only: the goroutine
// it runs on recovers and logs it, the interaction's rate-limit slot is
// given back, and serve goes on.
// Mutations: refuseMessage without its recover, interactionEvent.refuse
// without its recover -> the test process dies; retryUpTo calling the
// looked hook before taking its turn's give-back -> the channel's turn
// stays taken, the next answer is not sent.
func TestDiscordRefusalPanicEndsItAlone(t *testing.T) {
	t.Run("direct message", func(t *testing.T) {
		api := &recordingAPI{}
		a := newTestAdapter(t, api, silentHandler{}, time.Hour)
		logs := capturePanics(a)
		panicOnLook(a, 1)
		a.refuseMessage(context.Background(), silentHandler{}, dm("hola").Message, "rate_limited")
		if logs.count("answer to an event not handled") != 1 {
			t.Errorf("the panic is not logged at Error with its stack:\n%s", logs)
		}
		// The panic gave the channel's turn back (bucketturn.go): the
		// next answer there goes out, not held to its deadline.
		a.looked = nil
		a.refuseMessage(context.Background(), silentHandler{}, dm("hola").Message, "rate_limited")
		if calls, _ := api.snapshot(); len(calls) != 1 {
			t.Errorf("the answer after the panic: calls %v, want it sent", calls)
		}
	})
	t.Run("interaction", func(t *testing.T) {
		a := newTestAdapter(t, &recordingAPI{}, silentHandler{}, time.Hour)
		logs := capturePanics(a)
		panicOnLook(a, 1)
		ev := a.interaction(context.Background(), silentHandler{}, commandInteraction(), nil)
		ev.refuse("rate_limited")
		if logs.count("answer to an event not handled") != 1 {
			t.Errorf("the panic is not logged at Error with its stack:\n%s", logs)
		}
		a.slots.mu.Lock()
		held := a.slots.n - len(a.slots.free)
		a.slots.mu.Unlock()
		if held != 0 {
			t.Errorf("%d rate-limit slots still held", held)
		}
	})
}

// An interaction's deferral runs on its timer's goroutine: a panic there
// (in discordgo, or the adapter's code around it) is logged, and the
// interaction is still handled and answered.
// Mutation: the deferral timer without its recover -> the test process dies.
func TestDiscordDeferralPanicEndsItAlone(t *testing.T) {
	api := &recordingAPI{}
	h := &gatedHandler{release: make(chan struct{})}
	a := newTestAdapter(t, api, h, time.Millisecond)
	logs := capturePanics(a)
	panicOnLook(a, 1) // the deferral's request
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.onInteraction(a.s, commandInteraction())
	}()
	waitFor(t, "the deferral's panic", func() bool { return logs.count("interaction deferral") == 1 })
	a.looked = nil
	close(h.release)
	<-done
	if h.replied.Load() != 1 {
		t.Errorf("the engine did not answer after the deferral's panic")
	}
	logs.noLeak(t, "tok")
}

// gatedHandler answers once release is closed.
type gatedHandler struct {
	release chan struct{}
	replied atomic.Int32
}

func (h *gatedHandler) Handle(ctx context.Context, _ commands.Request, w commands.Replier) {
	<-h.release
	_ = w.Reply(ctx, commands.Reply{Text: "done"})
	h.replied.Add(1)
}

func (*gatedHandler) Commands() []*commands.Command { return nil }

// An edit of a direct message is handled in its author's queue, by no
// recover of the message path's: its panic (the engine's Mux recovers its
// own; this is one past it) ends that event alone. The author's later
// events still run, their queue is dropped once empty, and the event is
// counted done (stop does not wait for it forever).
// Mutation: drain calling job.run without runQueued's recover -> the test
// process dies.
func TestDiscordQueuedEventPanicEndsItAlone(t *testing.T) {
	h := &editPanics{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
	logs := capturePanics(a)
	edited := time.Now()
	edit := &discordgo.MessageUpdate{Message: &discordgo.Message{
		ID: "888000333", ChannelID: "777000111", Content: "el jefe es Juan", EditedTimestamp: &edited,
		Author: &discordgo.User{ID: "50", Username: "r"},
	}}
	a.queueEdit(a.s, edit)
	a.queueMessage(a.s, dm("hola"))
	waitFor(t, "the message after the edit", func() bool { return h.messages.Load() == 1 })
	waitFor(t, "the queue dropped", func() bool {
		a.qmu.Lock()
		defer a.qmu.Unlock()
		return len(a.queues) == 0
	})
	idle := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(idle)
	}()
	select {
	case <-idle:
	case <-time.After(10 * time.Second):
		t.Fatal("the event that panicked is never counted done")
	}
	if logs.count("queued event") != 1 {
		t.Errorf("the panic is not logged at Error with its stack:\n%s", logs)
	}
	logs.noLeak(t, "Juan", "\"50\"", "777000111", "888000333")
}

// editPanics panics on an edit and counts the other requests.
type editPanics struct{ messages atomic.Int32 }

func (h *editPanics) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	if req.Edited {
		panic(errInjected)
	}
	h.messages.Add(1)
	_ = w.Reply(ctx, commands.Reply{Text: "ok"})
}

func (*editPanics) Commands() []*commands.Command { return nil }

// A recheck after a (re)connection panicking ends that recheck alone: the
// rechecker logs it and rechecks at the next (re)connection.
// Mutation: the rechecker without recheck's recover -> the test process
// dies.
func TestDiscordRecheckPanicEndsItAlone(t *testing.T) {
	a := newTestAdapter(t, &recordingAPI{}, silentHandler{}, time.Hour)
	logs := capturePanics(a)
	panicOnLook(a, 1)
	a.dmNotices = map[string]*dmNotice{"discord_dms_closed_not_removed 777000111": {
		ids: []string{"999000444"}, shown: map[string]bool{"888000333": true}, timer: time.NewTimer(time.Hour),
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.rechecker(ctx)
	a.kickRecheck()
	waitFor(t, "the first recheck's panic", func() bool { return logs.count("notice recheck") == 1 })
	a.kickRecheck()
	waitFor(t, "the second recheck's panic", func() bool { return logs.count("notice recheck") == 2 })
	logs.noLeak(t, "777000111", "888000333", "999000444")
}

// A notice retired on its timer (deleted at its end of life) panicking:
// the timer's goroutine recovers and logs it.
// Mutation: the retirement timer without its recover -> the test process
// dies.
func TestDiscordNoticeRetirementPanicEndsItAlone(t *testing.T) {
	a := newTestAdapter(t, &recordingAPI{}, silentHandler{}, time.Hour)
	logs := capturePanics(a)
	panicOnLook(a, 1)
	slot := "discord_dms_closed 777000111"
	a.mu.Lock()
	a.dmNotices = map[string]*dmNotice{slot: {shown: map[string]bool{}}}
	a.mu.Unlock()
	a.showDMNotice(slot, []string{"999000444"}, 0, false)
	waitFor(t, "the retirement's panic", func() bool { return logs.count("notice retirement") == 1 })
	logs.noLeak(t, "777000111", "999000444")
}

// Run's check of the investigators' channels and its registration of the
// commands run on Run's goroutine, where nothing recovers: a panic in the
// check is logged and the channel let through, as one Discord does not
// describe; a panic in the registration is its failure, and Run returns
// it (serve stops, draining its events, rather than dying at once).
// Mutations: checkInvestigatorChannels without guarded -> the test
// process dies; Run's registration without guarded -> it dies too.
func TestDiscordRunStartPanicIsAFailure(t *testing.T) {
	g := newTestGateway(t)
	a, err := New(Options{Token: "x", APIURL: g.srv.URL, InvestigatorChannels: []string{"90"}})
	if err != nil {
		t.Fatal(err)
	}
	logs := capturePanics(a)
	panicOnLook(a, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = a.Run(ctx, silentHandler{})
	if !errors.Is(err, errPanicked) || !strings.Contains(err.Error(), "command registration") {
		t.Errorf("Run returned %v, want the registration's panic", err)
	}
	if logs.count("investigators' channel check") != 1 || logs.count("command registration") != 1 {
		t.Errorf("the panics are not logged at Error with their stacks:\n%s", logs)
	}
}

// discordgo calls the gateway's handlers on its read loop, where nothing
// recovers. The engine's code they call panicking (Options.Self, told the
// bot's handles at READY) is logged, and the adapter runs on: ready, its
// commands registered, the events after it handled.
// Mutations: the handlers added without guardEvent -> the test process
// dies; onReady calling Self before it closes ready -> Run never
// connects (the test times out).
func TestDiscordGatewayHandlerPanicEndsItAlone(t *testing.T) {
	g := newTestGateway(t, map[string]any{"op": 0, "t": "MESSAGE_CREATE", "s": 2, "d": map[string]any{
		"id": "888000333", "channel_id": "777000111", "content": "hola", "type": 0,
		"author": map[string]any{"id": "555000222", "username": "r"},
	}})
	a, err := New(Options{Token: "x", APIURL: g.srv.URL, Self: func(...string) { panic(errInjected) }})
	if err != nil {
		t.Fatal(err)
	}
	logs := capturePanics(a)
	h := &recordingHandler{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	waitFor(t, "the adapter connected", a.Connected)
	waitFor(t, "the message after READY", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.got) == 1
	})
	if logs.count("gateway event") != 1 {
		t.Errorf("the panic is not logged at Error with its stack:\n%s", logs)
	}
	logs.noLeak(t, "555000222", "777000111", "hola")
}

// The reconnector opens the gateway again on a goroutine of its own: an
// Open that panics (discordgo's code) is a failed attempt, logged, and
// the next attempt reconnects; the adapter answers again.
// Mutation: reconnect's Open without guarded -> the test process dies.
func TestDiscordReconnectionPanicIsAFailedAttempt(t *testing.T) {
	g := newFlakyGateway(t, "op7")
	h := &recordingHandler{}
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	logs := capturePanics(a)
	var reopens atomic.Int32
	a.beforeReopen = func() {
		if reopens.Add(1) == 1 {
			panic(errInjected)
		}
	}
	runUntilCleanup(t, a, h)
	waitFor(t, "the direct message answered after the reconnection", func() bool {
		calls, _ := g.api.snapshot()
		return slices.Contains(calls, "POST /api/v9/channels/77/messages")
	})
	waitFor(t, "connected", a.Connected)
	if reopens.Load() < 2 || logs.count("gateway reconnection") != 1 {
		t.Errorf("%d attempts; the panic not logged once at Error with its stack:\n%s", reopens.Load(), logs)
	}
}

// An interaction whose translation panics (what discordgo decoded holds
// a nil the translation reads: here a form's row) is counted done: stop,
// at shutdown, does not wait for it forever. The panic is logged, without
// the interaction's token or member, and the events after it are handled.
// Mutation: queueInteraction calling a.interaction without translated's
// recover -> the test process dies (on the gateway, guardEvent stopped
// the panic, the event was never counted done, and Run never returned).
func TestDiscordInteractionTranslationPanicIsCountedDone(t *testing.T) {
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
	logs := capturePanics(a)
	form := commandInteraction()
	form.Type, form.Token, form.Member.User.ID = discordgo.InteractionModalSubmit, "tok-secret", "555000222"
	form.Data = discordgo.ModalSubmitInteractionData{CustomID: "report", Components: []discordgo.MessageComponent{(*discordgo.ActionsRow)(nil)}}
	a.queueInteraction(form, nil)
	a.queueMessage(a.s, dm("hola"))
	idle := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(idle)
	}()
	select {
	case <-idle:
	case <-time.After(30 * time.Second):
		t.Fatal("the interaction that panicked is never counted done")
	}
	h.mu.Lock()
	handled := len(h.got)
	h.mu.Unlock()
	if handled != 1 {
		t.Errorf("%d events handled, want the message after the interaction", handled)
	}
	if logs.count("interaction translation") != 1 {
		t.Errorf("the panic is not logged at Error with its stack:\n%s", logs)
	}
	logs.noLeak(t, "tok-secret", "555000222", "hola")
}

// An Open that panics past its dial (discordgo's own handling of a READY
// whose guilds hold a null) kept the connection it dialed: discordgo
// closes it on an error only, and every Open after found it "already
// open", the reconnector took the bot for connected, and it was deaf for
// good. The connection is now closed: the attempt failed, the next one
// dials again, and the direct message sent then is answered.
// Mutations: open calling a.s.Open without openSession's close of the
// connection -> no third connection, the message is never answered (the
// test times out); openSession not dropping the close's Disconnect -> a
// second reconnection is logged, Open finding the connection open.
func TestDiscordReconnectionPanicPastTheDialIsAFailedAttempt(t *testing.T) {
	g := newFlakyGateway(t, "op7")
	g.panicReadyAt = 2
	h := &recordingHandler{}
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	logs := capturePanics(a)
	runUntilCleanup(t, a, h)
	reconnections := func() int { return strings.Count(logs.String(), `"msg":"discord gateway reconnected"`) }
	waitFor(t, "the reconnection", func() bool { return reconnections() > 0 })
	waitFor(t, "the direct message answered after the reconnection", func() bool {
		calls, _ := g.api.snapshot()
		return slices.Contains(calls, "POST /api/v9/channels/77/messages")
	})
	waitFor(t, "connected", a.Connected)
	g.mu.Lock()
	opened := g.opened
	g.mu.Unlock()
	if opened != 3 || logs.count("gateway reconnection") != 1 {
		t.Errorf("%d connections, want 3; the panic not logged once at Error with its stack:\n%s", opened, logs)
	}
	// The close's Disconnect dropped: no second reconnection follows,
	// found "already open".
	if n := reconnections(); n != 1 {
		t.Errorf("%d reconnections logged, want 1:\n%s", n, logs)
	}
}

// Run's first Open panicking past its dial (discordgo's own handling of
// a READY whose guilds hold a null) is the start's failure, as a
// reconnection's is a failed attempt: Run returns it, the panic logged,
// and no connection is left open, the adapter not connected.
// Mutation: Run's Open without guarded -> the test process dies.
func TestDiscordFirstOpenPanicIsAFailure(t *testing.T) {
	g := newFlakyGateway(t, "")
	g.panicReadyAt = 1
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	logs := capturePanics(a)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = a.Run(ctx, &recordingHandler{})
	if !errors.Is(err, errPanicked) || !strings.Contains(err.Error(), "gateway connection") {
		t.Errorf("Run returned %v, want the Open's panic", err)
	}
	if logs.count("gateway connection") != 1 {
		t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
	}
	if a.Connected() {
		t.Error("connected after its Open panicked")
	}
	waitFor(t, "no connection left open", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.live == 0
	})
}

// runUntilCleanup runs a until the test's end, then requires Run to have
// returned no error.
func runUntilCleanup(t *testing.T, a *Adapter, h Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// Run's first Open failing is the start's failure, and nothing follows it:
// no reconnection is tried. Its panic past the dial closes the connection
// it dialed (openSession), which emits a Disconnect; the reconnector,
// started before that Open and waiting, took it (openSession's drain came
// too late) and dialed the gateway once more as Run returned.
// Mutation: Run starting the reconnector before its first Open (as
// before) -> a reconnection is tried, a second connection taken.
func TestDiscordFirstOpenFailureIsNotFollowedByAReconnection(t *testing.T) {
	g := newFlakyGateway(t, "")
	g.panicReadyAt = 1
	a, err := New(Options{Token: "x", APIURL: g.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	var reopens atomic.Int32
	a.beforeReopen = func() { reopens.Add(1) }
	// The panic is logged on Run's goroutine, after the close's
	// Disconnect and before Run returns and stops the reconnector: held
	// there a while, a reconnector that took that Disconnect has its
	// attempt under way, every run, not in one run of a few.
	a.log = slog.New(slog.NewJSONHandler(holdWriter(func() {
		for deadline := time.Now().Add(time.Second); reopens.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}), nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.Run(ctx, &recordingHandler{}); !errors.Is(err, errPanicked) {
		t.Fatalf("Run returned %v, want the Open's panic", err)
	}
	g.mu.Lock()
	opened := g.opened
	g.mu.Unlock()
	if n := reopens.Load(); n != 0 || opened != 1 {
		t.Errorf("after the first Open failed: %d reconnection attempts, %d connections; want none, and 1", n, opened)
	}
}

// holdWriter is a log's writer that discards each line after calling hold.
type holdWriter func()

func (h holdWriter) Write(p []byte) (int, error) {
	h()
	return len(p), nil
}
