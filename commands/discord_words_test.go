package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// discordClient is the Discord locale of a client in each language.
var discordClient = map[string]string{"en": "en-US", "es": "es-ES", "fr": "fr", "pt-BR": "pt-BR"}

// newDiscordEnv is newEnv with investigatorID a Discord investigator too,
// and Discord channel 555 the investigators'.
func newDiscordEnv(t *testing.T) *env {
	return newHookedEnv(t, nil, nil, func(o *commands.Options) {
		o.InvestigatorChats = append(o.InvestigatorChats, "discord:555")
		o.Roles["discord:"+investigatorID] = commands.Investigator
		o.Roles["telegram:"+adminID] = commands.Admin
	})
}

// discord sends req from user on Discord, with a client in lang.
func (e *env) discord(user, lang string, req commands.Request, w commands.Replier) {
	e.t.Helper()
	e.event++
	req.Platform, req.UserID, req.EventID, req.Language = "discord", user, e.event, discordClient[lang]
	if req.ChatID == "" {
		req.ChatID = "d" + user
	}
	e.mux.Handle(context.Background(), req, w)
}

// Every text the engine says on Discord names the commands as the
// member's client shows them, not only /start's, /help's and the usage
// texts (c58d900): "Send /help" reads "/ayuda" to a client in Spanish,
// "/reply" "/répondre" to one in French. The words a message's data
// bring (a user's) are not rewritten: an investigator's "/status:x",
// hinted at as a filter, stays "/status:x". Telegram's texts as before.
// Mutation: T rewriting only "…_usage" texts (as before) -> the
// unknown_command and search_word_filter cases fail; T rewriting its
// data too -> the "/status:x" case fails.
func TestDiscordTextsNameCommandsAsTheClientShowsThem(t *testing.T) {
	e := newDiscordEnv(t)
	for _, lang := range locales.Supported {
		w := &recorder{}
		e.discord(reporterID, lang, commands.Request{ChatKind: commands.Private, Command: "nosuchthing", CommandAtStart: true, Text: "/nosuchthing"}, w)
		want := e.mux.NamesAsShown(lang, e.text(lang, "unknown_command", nil))
		if r := w.take(); len(r) != 1 || r[0].Text != want {
			t.Errorf("%s: unknown command: %q, want %q", lang, texts(r), want)
		}
		if help := e.text(lang, "command_help_name", nil); lang != "en" && !strings.Contains(want, "/"+help) {
			t.Errorf("%s: /help not named /%s: %q", lang, help, want)
		}
	}
	// A user's words in data, as search_word_filter's "“{{.Text}}”":
	// as typed, the text's own /search named as shown.
	got := e.mux.DiscordT("es", "es-ES", "search_word_filter", map[string]any{"Text": "/status:x /help"})
	want := strings.Replace(e.text("es", "search_word_filter", map[string]any{"Text": "\x00"}), "/search", "/buscar", 1)
	if want = strings.Replace(want, "\x00", "/status:x /help", 1); got != want || strings.Contains(got, "/search") {
		t.Errorf("search_word_filter on Discord in Spanish: %q, want %q", got, want)
	}
	if r := e.do(reporterID, commands.Request{Command: "nosuchthing", CommandAtStart: true, Text: "/nosuchthing", Language: "es"}); len(r) != 1 || r[0].Text != e.text("es", "unknown_command", nil) {
		t.Errorf("Telegram: %q", texts(r))
	}
}

