package commands_test

import (
	"context"
	"errors"
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

// A command refused in a Discord server's channel (the investigators',
// where a private one is refused as in a group; or, read by direct
// message, a server channel's message) is refused in Discord's words: a
// direct message and the server's channel, not "a private chat" nor
// "this group". So is /warn there, whose slash command was never shown
// to the channel: not "removed from the chat, but the group's
// administrators may still see it"; and an invitation code in it is
// said to have been in a command sent there, not seen. Telegram's
// answers as before.
// Mutation: inServer returning id as it is -> every Discord case fails;
// voidedInView returning redeem_void_in_group for a Discord slash
// command -> the /warn-with-a-code case fails.
func TestDiscordServerChannelRefusalsInDiscordsWords(t *testing.T) {
	e := newDiscordEnv(t)
	for i, lang := range locales.Supported {
		shown := func(id string) string { return e.mux.NamesAsShown(lang, e.text(lang, id, nil)) }
		user := "86" + string(rune('0'+i))
		w := &recorder{}
		e.discord(user, lang, commands.Request{ChatKind: commands.Group, ChatID: "555", Command: "status", Args: "ABCD-EFGH-JKMN", CommandAtStart: true, Addressed: true}, w)
		if r := w.take(); len(r) != 1 || r[0].Text != shown("private_only_command_server") {
			t.Errorf("%s: /status in the investigators' channel: %q", lang, texts(r))
		}
		w = &recorder{}
		e.discord(user, lang, commands.Request{ChatKind: commands.Group, ChatID: "555", Command: "warn", Args: "cobran piso en la plaza", CommandAtStart: true, Addressed: true}, w)
		if r := w.take(); len(r) != 1 || r[0].Text != shown("warn_group_received_server")+"\n\n"+shown("warn_advice_discord") {
			t.Errorf("%s: /warn in the investigators' channel: %q", lang, texts(r))
		}
		code := codeRE.FindString(e.do(adminID, commands.Request{Command: "invite"})[0].Text)
		w = &recorder{}
		e.discord(user, lang, commands.Request{ChatKind: commands.Group, ChatID: "555", Command: "warn", Args: "cobran piso, código " + code, CommandAtStart: true, Addressed: true}, w)
		if r := w.take(); len(r) != 1 || !strings.HasSuffix(r[0].Text, "\n\n"+shown("redeem_void_in_server_command")) {
			t.Errorf("%s: /warn with an invitation code: %q", lang, texts(r))
		}
		code = codeRE.FindString(e.do(adminID, commands.Request{Command: "invite"})[0].Text)
		for j, c := range []struct {
			err error
			id  string
		}{{nil, "private_only_command_server_removed"}, {errors.New("Missing Permissions"), "private_only_command_server_not_removed"}} {
			w := &adminReplier{recorder: &recorder{}, deleteErr: c.err}
			e.discord(user+string(rune('0'+j)), lang, commands.Request{ChatKind: commands.Group, ChatID: "u" + user, Command: "redeem", Args: code, CommandAtStart: true, Addressed: true, AnsweredAlone: true}, w)
			if r := w.take(); len(r) != 1 || r[0].Text != shown(c.id)+"\n\n"+shown("redeem_maybe_void_in_group_server") {
				t.Errorf("%s: /redeem in a server channel's message: %q, want %s", lang, texts(r), c.id)
			}
		}
		for _, id := range []string{"private_only_command_server", "private_only_command_server_removed", "private_only_command_server_not_removed",
			"redeem_maybe_void_in_group_server", "redeem_void_in_server_command", "warn_group_received_server", "warn_group_refused_server"} {
			if text := e.text(lang, id, nil); text == id || strings.Contains(strings.ToLower(text), map[string]string{"en": "group", "es": "grupo", "fr": "groupe", "pt-BR": "grupo"}[lang]) {
				t.Errorf("%s: %s is missing or speaks of a group: %q", lang, id, text)
			}
		}
	}
	code := codeRE.FindString(e.do(adminID, commands.Request{Command: "invite"})[0].Text)
	w := &adminReplier{recorder: &recorder{}}
	e.event++
	e.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "3003", ChatID: "-100555", ChatKind: commands.Group,
		Command: "redeem", Args: code, CommandAtStart: true, Addressed: true, EventID: e.event}, w)
	if r := w.take(); len(r) != 1 || r[0].Text != e.text("es", "private_only_command_removed", nil)+"\n\n"+e.text("es", "redeem_maybe_void_in_group", nil) {
		t.Errorf("Telegram group: %q", texts(r))
	}
}

// A team command typed in a direct message under the name a member's
// Discord lists it by in their language ("/siguiente", "/señales" or
// "/senales", "/suivant", "/próxima") is that command to a member who may run it,
// as "/next" is; to anyone else it stays what it was on Discord, words
// of a tip ("/nota …", "/siguiente"), never "unknown command", nor an
// answer that tells a team command from any other word. On Telegram a
// reporter's "/nota" is as before (unknown), and an investigator's
// "/siguiente" is /next too.
// Mutation: route not calling teamCommand -> the investigator's cases
// fail (their "/siguiente" starts a tip); teamCommand not leaving a
// Discord reporter's words as words -> the reporter's cases fail.
func TestTypedTeamNamesInADiscordDirectMessage(t *testing.T) {
	e := newDiscordEnv(t)
	dm := func(user, text string) []commands.Reply {
		w := &recorder{}
		word, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
		e.discord(user, "es", commands.Request{ChatKind: commands.Private, Command: strings.ToLower(word), Args: args, CommandAtStart: true, Text: text}, w)
		return w.take()
	}
	next := texts(dm(investigatorID, "/next"))
	for _, typed := range []string{"/siguiente", "/Siguiente", "/suivant", "/próxima", "/proxima"} {
		if r := texts(dm(investigatorID, typed)); strings.Join(r, "\n") != strings.Join(next, "\n") {
			t.Errorf("investigator's %s: %q, want /next's %q", typed, r, next)
		}
	}
	signals := texts(dm(investigatorID, "/signals"))
	for _, typed := range []string{"/señales", "/senales"} {
		if r := texts(dm(investigatorID, typed)); strings.Join(r, "\n") != strings.Join(signals, "\n") {
			t.Errorf("investigator's %s: %q, want /signals' %q", typed, r, signals)
		}
	}
	// A reporter's: the words of a tip, as any "/word" no command has.
	first := texts(dm(reporterID, "/siguiente"))
	if len(first) == 0 || !strings.HasPrefix(first[0], e.text("es", "draft_started", nil)[:20]) {
		t.Errorf("reporter's /siguiente: %q, want a tip started", first)
	}
	for _, typed := range []string{"/nota el del carro rojo es el halcón", "/buscar al Chapo en la plaza"} {
		r := texts(dm(reporterID, typed))
		if len(r) != 1 || strings.Contains(r[0], e.text("es", "unknown_command", nil)) || !strings.Contains(r[0], "2") && !strings.Contains(r[0], "3") {
			t.Errorf("reporter's %q: %q, want it added to the tip", typed, r)
		}
	}
	// Telegram: a reporter's "/nota" unknown as before; an investigator's
	// "/siguiente" is /next.
	if r := e.do(reporterID, commands.Request{Command: "nota", Args: "x", CommandAtStart: true, Text: "/nota x", Language: "es"}); len(r) != 1 || r[0].Text != e.text("es", "unknown_command", nil) {
		t.Errorf("Telegram reporter's /nota: %q", texts(r))
	}
	tgNext := texts(e.do(investigatorID, commands.Request{Command: "next", CommandAtStart: true, Text: "/next", Language: "es"}))
	if r := texts(e.do(investigatorID, commands.Request{Command: "siguiente", CommandAtStart: true, Text: "/siguiente", Language: "es"})); strings.Join(r, "\n") != strings.Join(tgNext, "\n") {
		t.Errorf("Telegram investigator's /siguiente: %q, want %q", r, tgNext)
	}
}
