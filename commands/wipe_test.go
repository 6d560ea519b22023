package commands_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A wipe discards the unsent draft: nothing about it is said later in the
// wiped chat, whoever types next starts afresh, and a Send pressed after
// the wipe sends nothing. A tip received before is untouched. The same
// when a scheduled wipe runs.
func TestWipeDiscardsUnsentDraft(t *testing.T) {
	e, p, _ := newGuarded(t)
	ctx := context.Background()
	en := func(id string, data map[string]any) string { return e.msg.Localize("en", id, data) }
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	pseudonym := e.store.Pseudonym("telegram", wiperID)
	noDraft := func(when string) {
		t.Helper()
		if _, err := e.store.Draft(ctx, pseudonym); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("%s: Redis still holds the unsent draft (%v)", when, err)
		}
	}
	silentAfter := func(when string) {
		t.Helper()
		e.clk.Add(time.Hour) // long past the drafts' idle time (30 min)
		if _, err := e.mux.ExpireDrafts(ctx, 30*time.Minute); err != nil {
			t.Fatal(err)
		}
		if s := p.sent[wiperID]; len(s) != 0 {
			t.Fatalf("%s: the bot wrote into the wiped chat: %+v", when, s)
		}
	}
	tipsStored := func(want int) {
		t.Helper()
		if list, err := e.store.Recent(ctx, 10); err != nil || len(list) != want {
			t.Fatalf("%d tips stored (%v), want %d", len(list), err, want)
		}
	}

	r := rep(commands.Request{Callback: press(rep(commands.Request{Text: "Venden armas en el taller", MessageID: "40"}), "send:"), MessageID: "41"})
	receipt := receiptRE.FindString(r[0].Text)

	// Now.
	send := press(rep(commands.Request{Text: "El dueño se llama Ramiro", MessageID: "45"}), "send:")
	if r := rep(commands.Request{Command: "wipe", MessageID: "46"}); len(r) != 0 {
		t.Fatalf("a wipe leaves a message behind: %+v", r)
	}
	noDraft("after /wipe")
	silentAfter("after /wipe")
	if r := rep(commands.Request{Callback: send}); len(r) != 1 || r[0].Text != en("draft_stale", nil) {
		t.Fatalf("Send after the wipe: %+v", r)
	}
	tipsStored(1)
	if r := rep(commands.Request{Text: "hola", MessageID: "50"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, en("draft_started", nil)) {
		t.Fatalf("the next message after a wipe: %+v", r)
	}

	// Later: the answer says an unsent tip will go unless sent; when the
	// wipe runs, it goes.
	send = press(rep(commands.Request{Text: "y otra cosa", MessageID: "51"}), "send:")
	r = rep(commands.Request{Command: "wipe", Args: "2h", MessageID: "52"})
	want := en("wipe_scheduled", map[string]any{"Delay": "2 hours"}) + "\n\n" + en("wipe_draft_pending", nil)
	if len(r) != 1 || r[0].Text != want {
		t.Fatalf("/wipe 2h with a draft: %+v", r)
	}
	e.clk.Add(2*time.Hour + time.Second)
	if err := e.mux.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, w := p.took(); len(w) != 2 || w[1] != wiperID+"/52" {
		t.Fatalf("scheduled wipe: %v", w)
	}
	noDraft("after the scheduled wipe")
	silentAfter("after the scheduled wipe")
	if r := rep(commands.Request{Callback: send}); len(r) != 1 || r[0].Text != en("draft_stale", nil) {
		t.Fatalf("Send after the scheduled wipe: %+v", r)
	}
	tipsStored(1)

	// Without a draft, a scheduled wipe says nothing about one.
	if r := rep(commands.Request{Command: "wipe", Args: "1h", MessageID: "60"}); len(r) != 1 || r[0].Text != en("wipe_scheduled", map[string]any{"Delay": "1 hour"}) {
		t.Fatalf("/wipe 1h without a draft: %+v", r)
	}

	// What was received stays.
	if r := rep(commands.Request{Command: "status", Args: receipt}); receipt == "" || len(r) != 1 || !strings.HasPrefix(r[0].Text, "Tip received") {
		t.Fatalf("status of the tip sent before the wipes: %+v", r)
	}
}

// keptPlatform wipes as Discord does: only the bot's own messages.
type keptPlatform struct{ *recorder }

func (keptPlatform) WipeChat(context.Context, string, string) (commands.WipeResult, error) {
	return commands.WipeResult{TheirsKept: true}, nil
}

// Where the reporter must delete their own messages, the wipe's answer
// also says that the unsent tip was discarded, now or when it runs; an
// answer armed with the Answer button is disarmed too.
func TestWipeSaysWhenItDiscardsADraft(t *testing.T) {
	p := keptPlatform{&recorder{}}
	e, _ := newEngine(t, "k", p, commands.Options{Roles: commands.Roles{"telegram:" + investigatorID: commands.Investigator}})
	ctx := context.Background()
	en := func(id string) string { return e.msg.Localize("en", id, nil) }
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	kept, discarded := en("wipe_done_theirs_kept"), en("wipe_draft_discarded")

	if r := rep(commands.Request{Command: "wipe"}); len(r) != 1 || r[0].Text != kept {
		t.Fatalf("wipe without a draft: %+v", r)
	}
	rep(commands.Request{Text: "Cobran piso en el mercado"})
	if r := rep(commands.Request{Command: "wipe"}); len(r) != 1 || r[0].Text != kept+"\n\n"+discarded {
		t.Fatalf("wipe with a draft: %+v", r)
	}

	rep(commands.Request{Text: "Cobran piso en el mercado"})
	rep(commands.Request{Command: "wipe", Args: "30m"})
	e.clk.Add(31 * time.Minute)
	if err := e.mux.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	if s := p.sent[wiperID]; len(s) != 1 || s[0].Text != kept+"\n\n"+discarded {
		t.Fatalf("scheduled wipe's notice: %+v", s)
	}

	// An armed answer: after the wipe, whatever is typed is not taken as
	// the reporter's answer.
	r := rep(commands.Request{Text: "Venden armas en el taller"})
	draft := strings.TrimPrefix(press(r, "send:"), "send:")
	rep(commands.Request{Callback: "fu:" + draft + ":1"})
	rep(commands.Request{Callback: "send:" + draft})
	e.do(investigatorID, commands.Request{Command: "ask", Args: "1 ¿Qué días?", UserChat: investigatorID})
	if r := rep(commands.Request{Callback: "ans:1:1"}); len(r) != 1 || r[0].Text != en("answer_prompt") {
		t.Fatalf("Answer: %+v", r)
	}
	rep(commands.Request{Command: "wipe"})
	if r := rep(commands.Request{Text: "soy el hermano, ¿qué es esto?"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, en("draft_started")) {
		t.Fatalf("the next message after a wipe went as an answer: %+v", r)
	}
}

// A wipe while Redis is unreachable wipes the chat all the same, and the
// discard it could not do is done once Redis answers: before a sweep
// (which would tell the wiped chat that an unsent tip was deleted) and
// before the reporter's next message (which would join the old draft).
func TestWipeDuringAnOutageStillDiscardsTheDraft(t *testing.T) {
	e, p, srv := newGuarded(t)
	ctx := context.Background()
	en := func(id string) string { return e.msg.Localize("en", id, nil) }
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	wipeDuringOutage := func(msg string) (send string) {
		t.Helper()
		send = press(rep(commands.Request{Text: "El dueño se llama Ramiro y vende armas", MessageID: msg}), "send:")
		srv.Stop()
		defer func() {
			srv.Restart()
			// The client dials again about once a second after failing.
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				if _, err := e.store.Recent(ctx, 1); err == nil {
					return
				} else if time.Now().After(deadline) {
					t.Fatalf("Redis not back: %v", err)
				}
			}
		}()
		if r := rep(commands.Request{Command: "wipe", MessageID: msg + "w"}); len(r) != 0 {
			t.Fatalf("a wipe during the outage leaves a message behind: %+v", r)
		}
		if _, w := p.took(); len(w) == 0 || w[len(w)-1] != wiperID+"/"+msg+"w" {
			t.Fatalf("the chat was not wiped during the outage: %v", w)
		}
		if _, err := e.mux.ExpireDrafts(ctx, 30*time.Minute); err == nil {
			t.Fatal("a sweep while Redis is down reported success")
		}
		return send
	}

	wipeDuringOutage("45")
	e.clk.Add(time.Hour) // long past the drafts' idle time (30 min)
	if _, err := e.mux.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if s := p.sent[wiperID]; len(s) != 0 {
		t.Fatalf("after the wipe, the bot wrote into the wiped chat: %+v", s)
	}
	if _, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", wiperID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Redis still holds the unsent draft (%v)", err)
	}

	send := wipeDuringOutage("50")
	if r := rep(commands.Request{Text: "hola", MessageID: "52"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, en("draft_started")) {
		t.Fatalf("the next message after the wipe joined the old draft: %+v", r)
	}
	if r := rep(commands.Request{Callback: send}); len(r) != 1 || r[0].Text != en("draft_stale") {
		t.Fatalf("Send of the wiped draft: %+v", r)
	}
}

// flakyDrops fails the next fails draft drops, as a Redis hiccup would.
type flakyDrops struct {
	commands.Store
	fails atomic.Int32
}

func (f *flakyDrops) DropDraft(ctx context.Context, pseudonym string, upTo int64) (bool, error) {
	if f.fails.Add(-1) >= 0 {
		return false, errors.New("i/o timeout")
	}
	return f.Store.DropDraft(ctx, pseudonym, upTo)
}

func (f *flakyDrops) DropDraftBefore(ctx context.Context, pseudonym string, t time.Time) (bool, error) {
	if f.fails.Add(-1) >= 0 {
		return false, errors.New("i/o timeout")
	}
	return f.Store.DropDraftBefore(ctx, pseudonym, t)
}

// flakyWiper is an engine whose draft drops fail when told to, a platform
// that can wipe chats, and a way to send requests as the wiper.
func flakyWiper(t *testing.T) (*env, *flakyDrops, *platform, func(commands.Request) []commands.Reply) {
	fd := &flakyDrops{}
	e := newEnv(t, func(s commands.Store) commands.Store { fd.Store = s; return fd })
	p := &platform{recorder: &recorder{}}
	e.mux.AddSender("telegram", p)
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	return e, fd, p, rep
}

// A scheduled wipe whose discard fails wipes the chat, and the discard is
// done before the next sweep can tell the wiped chat about the draft.
func TestScheduledWipeDiscardsTheDraftAfterAFailure(t *testing.T) {
	e, fd, p, rep := flakyWiper(t)
	ctx := context.Background()
	rep(commands.Request{Text: "El dueño se llama Ramiro", MessageID: "45"})
	rep(commands.Request{Command: "wipe", Args: "1h", MessageID: "46"})
	e.clk.Add(time.Hour + time.Second)
	fd.fails.Store(1)
	if err := e.mux.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, w := p.took(); len(w) != 1 {
		t.Fatalf("scheduled wipe: %v", w)
	}
	if _, err := e.mux.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if s := p.sent[wiperID]; len(s) != 0 {
		t.Fatalf("after the wipe, the bot wrote into the wiped chat: %+v", s)
	}
	if _, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", wiperID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Redis still holds the unsent draft (%v)", err)
	}
}

// A discard a wipe still owes takes what the reporter was writing before
// the wipe, never a tip they began after it (here while Redis still
// failed to settle the debt).
func TestOwedDiscardSparesADraftBegunAfterTheWipe(t *testing.T) {
	e, fd, _, rep := flakyWiper(t)
	ctx := context.Background()
	fd.fails.Store(1)
	rep(commands.Request{Command: "wipe", MessageID: "46"}) // the discard is owed
	e.clk.Add(time.Second)
	fd.fails.Store(1) // settling it fails once more, as the next message comes
	if r := rep(commands.Request{Text: "Nuevo aviso: el mismo coche volvió", MessageID: "47"}); len(r) == 0 || !strings.Contains(r[0].Text, e.text("en", "draft_started", nil)) {
		t.Fatalf("message after the wipe: %+v", r)
	}
	if _, err := e.mux.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	d, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", wiperID))
	if err != nil || d.Parts != 1 {
		t.Fatalf("the tip begun after the wipe was discarded: %+v %v", d, err)
	}
}

// A delayed wipe's notice goes in the language the reporter chose after
// asking for it (/language), not the one they asked in.
func TestScheduledWipeNoticeInTheLanguageChosenSince(t *testing.T) {
	p := keptPlatform{&recorder{}}
	e, _ := newEngine(t, "k", p, commands.Options{})
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	rep(commands.Request{Command: "wipe", Args: "30m"})
	rep(commands.Request{Command: "language", Args: "fr"})
	e.clk.Add(31 * time.Minute)
	if err := e.mux.RunWipes(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := p.sent[wiperID]; len(s) != 1 || s[0].Text != e.msg.Localize("fr", "wipe_done_theirs_kept", nil) {
		t.Fatalf("scheduled wipe's notice: %+v", s)
	}
}
