package tests

import (
	"html"
	"strings"
	"testing"
	"time"

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
	upd := 0
	nextID := func() int { upd++; return upd }
	for i, text := range []string{
		"el que cobra piso dice ser el bot: t.me/vigia",
		"me escribió https://t.me/vigia pidiendo dinero",
		"cuidado con t.me/Vigia, amenaza",
		"https://telegram.me/vigia extorsiona",
	} {
		id := 7500 + i
		chat := itoa(id)
		from, pc := user(id, "", "R", "es"), privateChat(id, "", "R")
		tg.push(message(nextID(), from, pc, map[string]any{"text": text}))
		var send string
		for _, d := range buttons(tg.waitCalls(1, messagesTo(chat))[0]) {
			if strings.HasPrefix(d, "send:") {
				send = d
			}
		}
		if send == "" {
			t.Fatalf("tip %d: no send button", i)
		}
		tg.push(map[string]any{"update_id": nextID(), "callback_query": map[string]any{
			"id": "cb" + chat, "from": from, "chat_instance": "ci", "data": send,
			"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": pc},
		}})
		tg.waitCalls(2, messagesTo(chat))
	}
	inv, invChat := user(investigatorID, "ana", "Ana", "en"), privateChat(investigatorID, "ana", "Ana")
	var list string
	for n := 1; ; n++ {
		tg.push(message(nextID(), inv, invChat, command("", "/signals", "")))
		list = html.UnescapeString(tg.waitCalls(n, messagesTo(itoa(investigatorID)))[n-1].Fields["text"])
		if strings.Contains(list, "4 reporters") || n == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond) // the indexer runs apart: asked again
	}
	if !strings.Contains(list, "telegram @vigia\u2069 · 4 reporters") {
		t.Errorf("/signals: the Telegram account of the bot's Discord name not of 4 reporters: %q", list)
	}
	bot.stop(t)
}
