package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// A message to the bot in a Discord server's channel (a mention, maybe a
// tip in public) is answered by direct message in words of a server: a
// direct message like that one, or /report's form (under the name the
// member's client shows), never a server's channel, "write your tip to
// me here"; not help_group's "private chat" and "this group", which is
// no place on Discord. So whether it was removed, could not be, or was
// left (a reply to the bot's message, not naming it), in every language.
// A Telegram group's mention is answered as before.
// Mutation: privateOnly returning the group's text on Discord too (as
// before) -> every Discord case fails.
func TestDiscordChannelMentionIsToldToWriteByDirectMessage(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	client := map[string]string{"en": "en-US", "es": "es-ES", "fr": "fr", "pt-BR": "pt-BR"}
	for i, lang := range locales.Supported {
		shown := func(id string) string { return e.mux.NamesAsShown(lang, e.text(lang, id, nil)) }
		for j, c := range []struct {
			name      string
			deleteErr error
			reply     bool
			id        string
		}{
			{"removed", nil, false, "group_private_only_server_removed"},
			{"not removed", errors.New("Missing Permissions"), false, "group_private_only_server_not_removed"},
			{"a reply to the bot", nil, true, "group_private_only_server"},
		} {
			w := &adminReplier{recorder: &recorder{}, deleteErr: c.deleteErr}
			e.event++
			user := "78" + string(rune('0'+i)) + string(rune('0'+j))
			e.mux.Handle(ctx, commands.Request{Platform: "discord", UserID: user, ChatID: "discord-user:" + user, ChatKind: commands.Group,
				Text: "hay halcones en la plaza", Addressed: true, AnsweredAlone: true, ReplyToBot: c.reply, ReplyToID: map[bool]string{true: "1900"}[c.reply],
				Language: client[lang], EventID: e.event}, w)
			r := w.take()
			if len(r) != 1 || r[0].Text != shown(c.id) {
				t.Errorf("%s, %s: %q, want %s", lang, c.name, texts(r), c.id)
				continue
			}
			if lang == "es" && !strings.Contains(r[0].Text, "/denunciar") {
				t.Errorf("es, %s: /report not under the name a Spanish client shows: %q", c.name, r[0].Text)
			}
			if group := e.text(lang, strings.Replace(c.id, "_server", "", 1), nil); r[0].Text == group {
				t.Errorf("%s, %s: the group's words", lang, c.name)
			}
		}
		w := &adminReplier{recorder: &recorder{}}
		e.event++
		e.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Text: "hay halcones en la plaza", Addressed: true, Language: lang, EventID: e.event}, w)
		if r := w.take(); len(r) != 1 || r[0].Text != e.text(lang, "group_private_only_removed", nil) {
			t.Errorf("%s, a Telegram group: %q, want group_private_only_removed", lang, texts(r))
		}
	}
}

// An invitation code in a Discord server channel's message to the bot is
// void, and the direct message that says so speaks of the server's
// channel, as the words it follows (group_private_only_server_removed),
// not of "this group", which is no place on Discord. A Telegram group's
// is told of "this group" as before.
// Mutation: voidedInView returning redeem_void_in_group on Discord too
// -> every language's Discord case fails.
func TestDiscordChannelInvitationCodeIsVoidInTheServersWords(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	client := map[string]string{"en": "en-US", "es": "es-ES", "fr": "fr", "pt-BR": "pt-BR"}
	for i, lang := range locales.Supported {
		text := func(id string) string { return tm.msg.Localize(lang, id, nil) }
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		user := "79" + string(rune('0'+i))
		w := &adminReplier{recorder: &recorder{}}
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "discord", UserID: user, ChatID: "discord-user:" + user, ChatKind: commands.Group,
			Text: "<@11> entra al equipo con " + code, Addressed: true, AnsweredAlone: true, Language: client[lang], EventID: tm.event}, w)
		want := tm.mux.NamesAsShown(lang, text("group_private_only_server_removed")) + "\n\n" + text("redeem_void_in_group_server")
		if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != want {
			t.Errorf("%s, an invitation code in a server's channel: deleted %v, %q, want %q", lang, w.deleted, texts(r), want)
		}
		if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != tm.msg.Localize("en", "redeem_bad", nil) {
			t.Errorf("%s: an invitation code seen in a server's channel still works: %q", lang, r[0].Text)
		}
		if text("redeem_void_in_group_server") == text("redeem_void_in_group") || strings.Contains(text("redeem_void_in_group_server"), "group") {
			t.Errorf("%s: redeem_void_in_group_server is the group's words: %q", lang, text("redeem_void_in_group_server"))
		}
	}
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	w := &adminReplier{recorder: &recorder{}}
	tm.event++
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
		Text: "entra al equipo con " + code, Addressed: true, EventID: tm.event}, w)
	if r := w.take(); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "group_private_only_removed", nil)+"\n\n"+tm.msg.Localize("en", "redeem_void_in_group", nil) {
		t.Errorf("an invitation code in a Telegram group: %q", texts(r))
	}
}
