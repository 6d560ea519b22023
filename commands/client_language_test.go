package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// clientLanguageWrites records the client languages a store is asked to
// keep.
type clientLanguageWrites struct {
	commands.Store
	mu     sync.Mutex
	writes []string
}

func (w *clientLanguageWrites) SetClientLanguage(ctx context.Context, pseudonym, lang string) error {
	w.mu.Lock()
	w.writes = append(w.writes, lang)
	w.mu.Unlock()
	return w.Store.SetClientLanguage(ctx, pseudonym, lang)
}

// A request whose language is to be kept (a Discord interaction's locale)
// gives it to the sender's requests that carry none (their DMs), and is
// written only when the language it matches changed: not for each
// interaction, nor for a request with a language of its own not to keep.
// Mutation: keepClientLanguage without its "lang == stored" check fails it
// (en written again for en-GB).
func TestClientLanguageIsKeptAndWrittenOnlyWhenItChanges(t *testing.T) {
	w := &clientLanguageWrites{}
	e := newEnv(t, func(s commands.Store) commands.Store { w.Store = s; return w })
	event := int64(0)
	ask := func(lang string, keep bool, want string) {
		t.Helper()
		event++
		rec := &recorder{}
		e.mux.Handle(context.Background(), commands.Request{Platform: "discord", UserID: "50", ChatID: "77", ChatKind: commands.Private,
			EventID: event, Command: "language", CommandAtStart: true, Language: lang, KeepLanguage: keep}, rec)
		if r := rec.take(); len(r) != 1 || r[0].Text != e.text(want, "choose_language", nil) {
			t.Fatalf("request %d (language %q, kept %v): %+v, want it in %s", event, lang, keep, r, want)
		}
	}
	ask("en-US", true, "en")
	ask("en-GB", true, "en")
	ask("", false, "en")         // a DM: the kept language, not the default (es)
	ask("pt-BR", false, "pt-BR") // a language of its own, not to keep
	ask("", false, "en")
	ask("fr", true, "fr")
	ask("", false, "fr")
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.Equal(w.writes, []string{"en", "fr"}) {
		t.Fatalf("client languages written: %q, want en then fr, once each", w.writes)
	}
}

// A chat wipe drops the client language kept for the reporter, now or
// when a wipe set for later runs, as /forget does: their DMs have the
// default language again until their next interaction.
// Mutation: discard without forgetClientLanguage fails it (French after
// /wipe).
func TestChatWipeForgetsTheClientLanguage(t *testing.T) {
	e, _, _ := newGuarded(t)
	ctx := context.Background()
	probe := func(lang string, keep bool, want, when string) {
		t.Helper()
		languageProbe(t, e, lang, keep, want, when)
	}
	probe("fr", true, "fr", "an interaction in fr")
	probe("", false, "fr", "a DM after it")
	e.do(wiperID, commands.Request{UserChat: wiperID, Command: "wipe", MessageID: "46"})
	probe("", false, "en", "a DM after /wipe")

	probe("fr", true, "fr", "an interaction in fr again")
	e.do(wiperID, commands.Request{UserChat: wiperID, Command: "wipe", Args: "1h", MessageID: "52"})
	probe("", false, "fr", "a DM before the wipe set for later")
	e.clk.Add(time.Hour + time.Second)
	if err := e.mux.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	probe("", false, "en", "a DM after the wipe set for later ran")
}

// A wipe whose discard failed drops the client language kept for the
// reporter when it settles the discard, before their next request.
// Mutation: settleDiscard without forgetClientLanguage fails it (French
// after the wipe).
func TestOwedDiscardForgetsTheClientLanguage(t *testing.T) {
	e, fd, _, _ := flakyWiper(t)
	probe := func(lang string, keep bool, want, when string) {
		t.Helper()
		languageProbe(t, e, lang, keep, want, when)
	}
	probe("fr", true, "fr", "an interaction in fr")
	fd.fails.Store(1)
	e.do(wiperID, commands.Request{UserChat: wiperID, Command: "wipe", MessageID: "46"}) // the discard is owed
	probe("", false, "es", "a DM after the wipe")
}

// A delayed wipe whose try wiped the chat but could neither discard what
// the reporter was writing (Redis failed) nor send its notice, taken
// again by another process, drops the client language kept for the
// reporter as it does the discard it owes: the wipe forgets it as any
// other does. Before, that later try dropped the draft alone, and their
// DMs kept the language for a year.
// Mutation: settleJobDiscard without forgetClientLanguage fails it
// (French after the wipe).
func TestDelayedWipeRetriedElsewhereForgetsTheClientLanguage(t *testing.T) {
	p := &keepsTheirs{platform: &platform{recorder: &recorder{}}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	probe := func(lang string, keep bool, want, when string) {
		t.Helper()
		languageProbe(t, e, lang, keep, want, when)
	}
	probe("fr", true, "fr", "an interaction in fr")
	e.do(wiperID, commands.Request{UserChat: wiperID, Text: "Le propriétaire s'appelle Ramiro", MessageID: "45"})
	e.do(wiperID, commands.Request{UserChat: wiperID, Command: "wipe", Args: "1h", MessageID: "46"})
	probe("", false, "fr", "a DM before the wipe set for later")
	p.mu.Lock()
	p.failSends, p.sent = 1, nil
	p.mu.Unlock()
	e.clk.Add(time.Hour + time.Second)
	msg, _ := loadMessages()
	first := commands.New(commands.Options{Store: dropDraftFails{e.store}, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	first.AddSender("telegram", p)
	if err := first.RunWipes(ctx); err != nil { // wiped; neither the discard nor the notice done
		t.Fatal(err)
	}
	e.clk.Add(time.Minute + time.Second)
	runWipes(t, e) // another process: the discard owed, and the notice
	if _, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", wiperID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the draft begun before the wipe is still there (%v)", err)
	}
	probe("", false, "en", "a DM after the wipe")
}

// languageProbe sends the wiper's /language with client language lang
// (keep: to be kept, as a Discord interaction's) and fails the test
// unless it is answered in want; when says at which step.
func languageProbe(t *testing.T, e *env, lang string, keep bool, want, when string) {
	t.Helper()
	r := e.do(wiperID, commands.Request{UserChat: wiperID, Command: "language", Language: lang, KeepLanguage: keep})
	if len(r) != 1 || r[0].Text != e.text(want, "choose_language", nil) {
		t.Fatalf("%s: %+v, want it in %s", when, r, want)
	}
}
