package tests

import (
	"fmt"
	"html"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A shutdown while the broadcaster holds Telegram back after a 429, or
// while that 429 is on its way back to the bot, does not give the
// destination up: Telegram refused that message, so after the restart it
// is sent, and the report says every group got the warning.
func TestTelegramBroadcastShutdownDuring429(t *testing.T) {
	msg, _ := locales.Load()
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	tg.admins = map[string]bool{"4000": true}
	start := func() *botProcess {
		cmd := exec.Command(binary, "serve")
		cmd.Env = []string{
			"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
			"VIGIA_INVESTIGATOR_2FA=off",
			"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
			"VIGIA_INVESTIGATORS=telegram:2002", "VIGIA_PUBLISH_APPROVALS=1", "VIGIA_DEFAULT_LANGUAGE=en",
		}
		return launch(t, cmd)
	}
	bot := start()
	upd := 0
	nextID := func() int { upd++; return upd }
	admin := user(4000, "admin", "Admin", "en")
	subscribed := html.EscapeString(strings.Split(msg.Localize("en", "subscribe_done", nil), " in ")[0])
	for _, g := range []int{-2001, -2002} { // in this order: -2001 is sent first
		tg.push(message(nextID(), admin, map[string]any{"id": g, "type": "supergroup", "title": "Barrio"}, command("", "/subscribe", "")))
		tg.waitCalls(1, func(c sent) bool {
			return messagesTo(fmt.Sprint(g))(c) && strings.HasPrefix(c.Fields["text"], subscribed)
		})
	}

	// Group -2001 has had its 20 messages a minute: it is refused (retry
	// after 10 s) until the bot has been stopped and started again, however
	// long that takes on a slow machine.
	tg.enableLimits(30, 20)
	tg.refuse("-2001", 10)
	citizen := user(3001, "vecina", "Vecina", "en")
	tg.push(message(nextID(), citizen, privateChat(3001, "vecina", "Vecina"), command("", "/warn", "Fake checkpoint on the highway tonight")))
	tg.waitCalls(1, messagesTo("3001"))
	inv := user(2002, "inv2002", "Inv", "en")
	tg.push(message(nextID(), inv, privateChat(2002, "inv2002", "Inv"), command("", "/publish", "1 Fake checkpoint on the highway tonight")))
	waitFor(t, func() bool {
		for _, a := range tg.floodAttempts() {
			if a.Chat == "-2001" && a.RetryAfter > 0 {
				return true
			}
		}
		return false
	})
	bot.stop(t) // SIGTERM while the broadcaster holds Telegram back, or reads the 429
	bot = start()
	tg.admit("-2001")

	report := waitCallsWithin(t, tg, 2*time.Minute, 1, func(c sent) bool {
		return messagesTo("2002")(c) && strings.HasPrefix(c.Fields["text"], "Warning #1: delivered") && strings.HasSuffix(c.Fields["text"], "unconfirmed.")
	})[0].Fields["text"]
	bot.stop(t)
	header := html.EscapeString(strings.Split(msg.Localize("en", "broadcast_header", map[string]any{"Date": "x"}), "x")[0])
	for _, g := range []string{"-2001", "-2002"} {
		tg.mu.Lock()
		n := 0
		for _, c := range tg.calls {
			if messagesTo(g)(c) && strings.HasPrefix(c.Fields["text"], header) {
				n++
			}
		}
		tg.mu.Unlock()
		if n != 1 {
			t.Errorf("group %s got the warning %d times", g, n)
		}
	}
	if want := "delivered to 2 of 2 communities; 0 had removed the bot; 0 unconfirmed"; !strings.Contains(report, want) {
		t.Errorf("report %q, want %q", report, want)
	}
}
