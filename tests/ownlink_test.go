package tests

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
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

// Through the real binary: a link hidden behind words to the reporter's
// own username (tg://resolve?domain=…, any case), unseen by them, makes
// the engine tell them their own name is in the tip, as a typed
// "@username" does (the username has five letters: written out bare the
// engine would not read it as theirs); forwarded, the engine tells them
// nothing and investigators read "tg://user" under the tip, not the
// username the t.me link opened.
// Mutation: hiddenLinks without its ownUsername rewrite (as before) ->
// this test fails (no own-name note; /tip shows t[.]me/halco).
func TestHiddenLinkToTheReportersOwnUsername(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir())

	from, pc := user(7701, "Vecin", "R", "es"), privateChat(7701, "Vecin", "R")
	tg.push(message(1, from, pc, map[string]any{"text": "me amenazan aquí",
		"entities": []map[string]any{{"type": "text_link", "offset": 12, "length": 4, "url": "tg://resolve?domain=VECIN"}}}))
	if got := html.UnescapeString(tg.waitCalls(1, messagesTo("7701"))[0].Fields["text"]); !strings.Contains(got, msg.Localize("es", "own_name_in_text", nil)) {
		t.Errorf("a hidden link to the reporter's username answered %q, want the own-name note", got)
	}

	from, pc = user(7702, "halco", "R", "es"), privateChat(7702, "halco", "R")
	tg.push(message(2, from, pc, map[string]any{"text": "ya sabemos quién eres",
		"forward_origin": map[string]any{"type": "hidden_user", "date": 1, "sender_user_name": "alguien"},
		"entities":       []map[string]any{{"type": "text_link", "offset": 15, "length": 6, "url": "https://t.me/halco"}}}))
	added := tg.waitCalls(1, messagesTo("7702"))[0]
	if got := html.UnescapeString(added.Fields["text"]); strings.Contains(got, msg.Localize("es", "own_name_in_text", nil)) {
		t.Errorf("a forward answered %q: the engine does not tell of a name in a forward", got)
	}
	var send string
	for _, d := range buttons(added) {
		if strings.HasPrefix(d, "send:") {
			send = d
		}
	}
	tg.push(map[string]any{"update_id": 3, "callback_query": map[string]any{
		"id": "cb7702", "from": from, "chat_instance": "ci", "data": send,
		"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": pc},
	}})
	tg.waitCalls(3, messagesTo("7702")) // the receipt, then the safety advice
	inv, invChat := user(investigatorID, "ana", "Ana", "en"), privateChat(investigatorID, "ana", "Ana")
	tg.push(message(4, inv, invChat, command("", "/tip", "1")))
	view := html.UnescapeString(tg.waitCalls(1, messagesTo(itoa(investigatorID)))[0].Fields["text"])
	if !strings.Contains(view, "ya sabemos quién eres") || strings.Contains(strings.ToLower(view), "halco") || !strings.Contains(view, "tg[:]//user") {
		t.Errorf("/tip 1 of the forward: %q, want its text and tg://user, not the reporter's username", view)
	}
	bot.stop(t)
}

// tipsThenSignals sends each text as a tip of its own reporter (ids from
// firstID on), then asks /signals as the investigator until it lists four
// reporters (the indexer runs apart) or for a minute, and returns its text.
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
	deadline := time.Now().Add(time.Minute) // a time, not 50 asks: those can all pass within the indexer's 5 s pause after a failed read
	for n := 1; ; n++ {
		tg.push(message(nextID(), inv, invChat, command("", "/signals", "")))
		list = html.UnescapeString(tg.waitCalls(n, messagesTo(itoa(investigatorID)))[n-1].Fields["text"])
		if strings.Contains(list, "4 reporters") || time.Now().After(deadline) {
			return list
		}
		time.Sleep(100 * time.Millisecond) // the indexer runs apart: asked again
	}
}

// Through the real binary: a reporter who writes their own five-letter
// username as a Telegram link, its letters percent-escaped
// ("https://t.me/%76ecin"), is told their own name is in the tip; a
// forward whose hidden link opens the reporter's own account so escaped
// ("https://%74.me/%68alco") is not told of, and investigators read
// "tg://user" under the tip, not the username.
// Mutations: namesSender without its unescaped reading, or
// tips.LinksTelegramAccount without UnescapeUnreserved -> this test fails
// (no own-name note; /tip shows the escaped link to the username).
func TestPercentEscapedLinkToTheReportersOwnUsername(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir())

	from, pc := user(7711, "Vecin", "R", "es"), privateChat(7711, "Vecin", "R")
	tg.push(message(1, from, pc, map[string]any{"text": "me amenazan por https://t.me/%76ecin"}))
	if got := html.UnescapeString(tg.waitCalls(1, messagesTo("7711"))[0].Fields["text"]); !strings.Contains(got, msg.Localize("es", "own_name_in_text", nil)) {
		t.Errorf("the reporter's own escaped link answered %q, want the own-name note", got)
	}

	from, pc = user(7712, "halco", "R", "es"), privateChat(7712, "halco", "R")
	tg.push(message(2, from, pc, map[string]any{"text": "ya sabemos quién eres",
		"forward_origin": map[string]any{"type": "hidden_user", "date": 1, "sender_user_name": "alguien"},
		"entities":       []map[string]any{{"type": "text_link", "offset": 15, "length": 6, "url": "https://%74.me/%68alco"}}}))
	added := tg.waitCalls(1, messagesTo("7712"))[0]
	var send string
	for _, d := range buttons(added) {
		if strings.HasPrefix(d, "send:") {
			send = d
		}
	}
	tg.push(map[string]any{"update_id": 3, "callback_query": map[string]any{
		"id": "cb7712", "from": from, "chat_instance": "ci", "data": send,
		"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": pc},
	}})
	tg.waitCalls(3, messagesTo("7712")) // the receipt, then the safety advice
	inv, invChat := user(investigatorID, "ana", "Ana", "en"), privateChat(investigatorID, "ana", "Ana")
	tg.push(message(4, inv, invChat, command("", "/tip", "1")))
	view := html.UnescapeString(tg.waitCalls(1, messagesTo(itoa(investigatorID)))[0].Fields["text"])
	if !strings.Contains(view, "ya sabemos quién eres") || strings.Contains(strings.ToLower(view), "%68alco") || !strings.Contains(view, "tg[:]//user") {
		t.Errorf("/tip 1 of the forward: %q, want its text and tg://user, not the reporter's username", view)
	}
	bot.stop(t)
}

// Through the real binary: four reporters naming one Telegram account on
// Telegram's three link hosts, its preview with a capital S among them,
// make one signal of it, of four reporters; neither telegram.dog (a
// Telegram link host, as t.me is) nor an account "s" is listed.
// Mutation: profile reading t.me and telegram.me only, "s" in lower case
// only, and telegram.dog no platform domain (as before) -> this test
// fails (telegram[.]dog and "telegram @s" listed, the account of fewer
// reporters).
func TestTelegramAccountOnEveryLinkHostIsOneSignal(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir())
	list := tipsThenSignals(t, tg, 7800, []string{
		"cobran piso por telegram.dog/halcon_55",
		"los halcones avisan en https://t.me/S/halcon_55",
		"amenazas desde TELEGRAM.DOG/s/Halcon_55/12",
		"el canal t.me/halcon_55 cobra",
	})
	if !strings.Contains(list, "telegram @halcon_55\u2069 · 4 reporters") {
		t.Errorf("/signals: the account not of 4 reporters: %q", list)
	}
	if l := strings.ToLower(list); strings.Contains(l, "telegram[.]dog") || strings.Contains(l, "telegram.dog") || strings.Contains(l, "telegram @s\u2069") {
		t.Errorf("/signals lists telegram.dog or an account \"s\": %q", list)
	}
	bot.stop(t)
}

// Through the real binary: a reporter who forwards their own message (a
// tip drafted in their Saved Messages) signed with their name is told
// their own name is in the tip, as when they type it; the same words
// forwarded from someone else are not pointed out (someone else's words,
// evidence as they are).
// Mutation: the adapter's ownForward always false (as before) -> this
// test fails (no own-name note for the reporter's own forward).
func TestTelegramForwardOfTheReportersOwnMessageIsTold(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir())
	note := msg.Localize("es", "own_name_in_text", nil)
	for i, own := range []bool{true, false} {
		id, sender := 7711+i, 777
		if own {
			sender = id
		}
		from := user(id, "", "Rosa", "es")
		from["last_name"] = "Gómez"
		tg.push(message(i+1, from, privateChat(id, "", "Rosa"), map[string]any{
			"text":           "cobran piso en el mercado los martes. Saludos, Rosa Gómez",
			"forward_origin": map[string]any{"type": "user", "date": 1, "sender_user": map[string]any{"id": sender, "is_bot": false, "first_name": "Rosa", "last_name": "Gómez"}},
		}))
		got := html.UnescapeString(tg.waitCalls(1, messagesTo(itoa(id)))[0].Fields["text"])
		if told := strings.Contains(got, note); told != own {
			t.Errorf("forward from %d by %d: told %v (want %v): %q", sender, id, told, own, got)
		}
	}
	bot.stop(t)
}
