package tests

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Through the real binary, both platforms: the bot's Discord name
// ("Vigia", as the fake gateway's READY gives it) is its own only as a
// bare "@vigia"; four Telegram reporters naming t.me/vigia, a Telegram
// account of that name (an impostor's maybe), make a signal of it.
// Mutation: serve handing Discord's Self eng.own.Add, not AddBare -> this
// test fails (no "telegram @vigia" in /signals).
func TestDiscordNameOnTelegramIsStillASignal(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	dc := newFakeDiscord(t)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir(),
		"VIGIA_DISCORD_TOKEN="+discordToken, "VIGIA_DISCORD_API_URL="+dc.URL(), "VIGIA_DISCORD_GUILD_ID="+dGuild)
	dc.waitCalls(1, pathHas("PUT", "/guilds/"+dGuild+"/commands")) // after READY
	list := tipsThenSignals(t, tg, 7500, []string{
		"el que cobra piso dice ser el bot: t.me/vigia",
		"me escribió https://t.me/vigia pidiendo dinero",
		"cuidado con t.me/Vigia, amenaza",
		"https://telegram.me/vigia extorsiona",
	})
	if !strings.Contains(list, "telegram @vigia\u2069 · 4 reporters") {
		t.Errorf("/signals: the Telegram account of the bot's Discord name not of 4 reporters: %q", list)
	}
	bot.stop(t)
}

// Through the real binary: a DM whose masked link opens its author's own
// profile as Discord's app does ("discord://-/users/ID", the id unseen
// behind "mi perfil") reaches the engine as their "@name", and the
// reporter is told their own name is in the tip, as for a typed one.
// Mutation: profileLink reading discord.com and discordapp.com links only
// (as before) -> this test fails (no own-name note: the id is kept).
func TestDiscordDMAppLinkToOwnProfileIsTold(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	dc := newFakeDiscord(t)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir(),
		"VIGIA_DISCORD_TOKEN="+discordToken, "VIGIA_DISCORD_API_URL="+dc.URL(), "VIGIA_DISCORD_GUILD_ID="+dGuild)
	dc.waitCalls(1, pathHas("PUT", "/guilds/"+dGuild+"/commands")) // after READY
	dc.dispatch("MESSAGE_CREATE", map[string]any{
		"id": "1600000000000000001", "channel_id": dDMChannel, "author": duser(dDMReporter, "otro_vecino"),
		"content": "me amenazan, ver [mi perfil](discord://-/users/" + dDMReporter + ")", "timestamp": "2026-11-28T10:00:00Z",
	})
	got := unescape(dc.waitCalls(1, pathHas("POST", "/channels/"+dDMChannel+"/messages"))[0].JSON["content"].(string))
	if !strings.Contains(got, msg.Localize("en", "draft_started", nil)) || !strings.Contains(got, msg.Localize("en", "own_name_in_text", nil)) {
		t.Errorf("DM answered %q, want the draft started and the own-name note", got)
	}
	bot.stop(t)
}

// Through the real binary: a member known in the server by a nickname
// ("Quetzal Ramírez", their account "otro_vecino") who signs the report
// form with it is told, in the form's ephemeral answer, that their own
// name is in the tip, as for their account's name. The nickname is only
// compared: not in the log, not in Redis in clear.
// Mutation: the adapter not handing Member.Nick on (no req.Nickname) ->
// this test fails (no own-name note).
func TestDiscordServerNicknameInFormIsTold(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	dc := newFakeDiscord(t)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir(),
		"VIGIA_DISCORD_TOKEN="+discordToken, "VIGIA_DISCORD_API_URL="+dc.URL(), "VIGIA_DISCORD_GUILD_ID="+dGuild)
	dc.waitCalls(1, pathHas("PUT", "/guilds/"+dGuild+"/commands")) // after READY
	i := interaction(5, dChannel, dGuild, duser(dReporter, "otro_vecino"), map[string]any{"custom_id": "report", "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "tip", "value": "cobran piso en el mercado los martes. Saludos, Quetzal Ramirez"}}},
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "links", "value": ""}}},
	}}, "es-419")
	i["member"].(map[string]any)["nick"] = "Quetzal Ramírez"
	dc.dispatch("INTERACTION_CREATE", i)
	d := dc.waitCalls(1, callbackFor(i["id"].(string)))[0].JSON["data"].(map[string]any)
	got := unescape(d["content"].(string))
	if !strings.Contains(got, msg.Localize("es", "draft_started_server", nil)) || !strings.Contains(got, msg.Localize("es", "own_name_in_text", nil)) {
		t.Errorf("form answered %q, want the draft started and the own-name note", got)
	}
	bot.stop(t)
	if log := bot.stderr.String(); strings.Contains(strings.ToLower(log), "quetzal") {
		t.Errorf("the nickname is in the log: %s", log)
	}
	dump, err := rs.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range dump {
		if bytes.Contains(bytes.ToLower(v), []byte("quetzal")) || strings.Contains(strings.ToLower(k), "quetzal") {
			t.Errorf("the nickname in clear in Redis, key %s", k)
		}
	}
}
