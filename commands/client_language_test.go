package commands_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/vigia-project/vigia/commands"
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
