package tests

import (
	"html"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A reporter pins the bot's receipt (as "keep it somewhere safe" invites),
// sets an auto-delete timer on the chat, changes its wallpaper: Telegram
// sends each as a service message from them. None is answered as a
// message the bot cannot keep; the next thing they write is answered as
// usual.
func TestTelegramServiceMessagesInAPrivateChatAreNotAnswered(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL())
	rep := user(reporterID, reporterName, reporterFirst, "es-MX")
	chat := privateChat(reporterID, reporterName, reporterFirst)
	chatID := strconv.Itoa(reporterID)
	upd := 0
	push := func(fields map[string]any) {
		upd++
		tg.push(message(upd, rep, chat, fields))
	}
	push(map[string]any{"text": tipText})
	first := tg.waitCalls(1, messagesTo(chatID))[0]
	for _, b := range buttons(first) {
		if strings.HasPrefix(b, "send:") {
			upd++
			tg.push(map[string]any{"update_id": upd, "callback_query": map[string]any{
				"id": "cq", "from": rep, "chat_instance": "ci", "data": b,
				"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": chat},
			}})
		}
	}
	receipt := tg.waitCalls(3, messagesTo(chatID))[1]
	pinned := map[string]any{"message_id": 2, "date": time.Now().Unix(), "chat": chat, "text": html.UnescapeString(receipt.Fields["text"]),
		"from": map[string]any{"id": 999000, "is_bot": true, "first_name": "Vigía", "username": "VigiaBot"}}
	for _, service := range []map[string]any{
		{"pinned_message": pinned},
		{"message_auto_delete_timer_changed": map[string]any{"message_auto_delete_time": 86400}},
		{"chat_background_set": map[string]any{"type": map[string]any{"type": "chat_theme", "theme_name": "🌷"}}},
	} {
		push(service)
	}
	push(command("", "/help", ""))
	got := tg.waitCalls(4, messagesTo(chatID))
	if help := html.EscapeString(msg.Localize("es", "help", nil)); got[3].Fields["text"] != help {
		t.Errorf("after the service messages the reporter was told %q, not the help", got[3].Fields["text"])
	}
	bot.stop(t)
	unsupported := html.EscapeString(msg.Localize("es", "unsupported_message", nil))
	for _, c := range tg.waitCalls(4, messagesTo(chatID)) {
		if strings.Contains(c.Fields["text"], unsupported) {
			t.Errorf("a service message was answered %q", c.Fields["text"])
		}
	}
}
