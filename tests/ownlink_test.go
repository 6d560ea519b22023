package tests

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// Through the real binary: four reporters who paste the bot's own invite
// link (its username as the fake getMe gives it, "VigiaBot") or mention
// it make no signal of the bot; the phone number their tips name is one,
// of four reporters. serve hands the username from getMe to the engine.
// Mutation: serve without eng.own.Add(tg.Username()) -> this test fails
// ("@vigiabot" listed by /signals).
func TestTelegramBotsOwnLinkIsNoSignal(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir())
	list := tipsThenSignals(t, tg, 7400, []string{
		"compartan t.me/VigiaBot?start=invita, cobra piso el 55 1234 5678",
		"por https://t.me/vigiabot avisen a @VigiaBot: llaman del 5512345678",
		"escriban a @vigiabot, cobran del +52 55 1234 5678",
		"https://telegram.me/VigiaBot?start=x el 55 1234 5678 amenaza",
	})
	if !strings.Contains(list, "+52 55 1234 5678") || !strings.Contains(list, "4 reporters") {
		t.Errorf("/signals: the phone number not of 4 reporters: %q", list)
	}
	if strings.Contains(strings.ToLower(list), "vigiabot") {
		t.Errorf("/signals lists the bot itself: %q", list)
	}
	bot.stop(t)
}

// Through the real binary: four reporters who paste the bot's link on
// Telegram's other hosts or as its public preview (t.me/s/…,
// telegram.me, telegram.dog, any case, with a path or a query) make no
// signal of the bot, nor of telegram.dog, the domain only its link names;
// the phone number their tips name is one, of four reporters.
// Mutation: tips.Own reading t.me and telegram.me only, the path's first
// word as the name (as before) -> this test fails (/signals lists
// t.me/s/VigiaBot, telegram.dog).
func TestTelegramBotsLinkOnOtherHostsIsNoSignal(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir())
	list := tipsThenSignals(t, tg, 7600, []string{
		"vean t.me/s/VigiaBot, cobra piso el 55 1234 5678",
		"por https://T.ME/s/vigiabot/12?before=40 llaman del 5512345678",
		"https://telegram.dog/VigiaBot?start=x cobran del +52 55 1234 5678",
		"TELEGRAM.ME/s/vigiabot, t.me/s/VigiaBot y telegram.dog/vigiabot/3: el 55 1234 5678 amenaza",
	})
	if !strings.Contains(list, "+52 55 1234 5678") || !strings.Contains(list, "4 reporters") {
		t.Errorf("/signals: the phone number not of 4 reporters: %q", list)
	}
	if l := strings.ToLower(list); strings.Contains(l, "vigiabot") || strings.Contains(l, "telegram.dog") || strings.Contains(l, "telegram[.]dog") {
		t.Errorf("/signals lists the bot's link: %q", list)
	}
	bot.stop(t)
}

// tipsThenSignals sends each text as a tip of its own reporter (ids from
// firstID on), then asks /signals as the investigator until it lists four
// reporters (the indexer runs apart) or 50 times, and returns its text.
func tipsThenSignals(t *testing.T, tg *fakeTelegram, firstID int, texts []string) string {
	t.Helper()
	upd := 0
	nextID := func() int { upd++; return upd }
	for i, text := range texts {
		id := firstID + i
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
			return list
		}
		time.Sleep(100 * time.Millisecond) // the indexer runs apart: asked again
	}
}
