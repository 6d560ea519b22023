package tests

import (
	"fmt"
	"html"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A broadcast of one warning to 1,000 groups, through the real binary,
// against a fake Telegram that enforces the Bot API's flood limits (30
// messages a second overall, 20 a minute to one group, 429 with
// retry_after beyond them): every group gets it exactly once, no delivery
// fails, any 429 held the broadcaster back from Telegram for its
// retry_after and the message was delivered after, the investigator's
// report says 1000 of 1000, and the bot never asked for more than the
// limit in any one-second window. The rate and duration are logged, not
// asserted.
func TestTelegramBroadcastRate(t *testing.T) {
	if testing.Short() {
		t.Skip("a 1,000-group broadcast takes about a minute")
	}
	const (
		groups         = 1000
		perSecond      = 30 // Telegram: "no more than 30 messages per second or so"
		perGroupMinute = 20 // Telegram: "no more than 20 messages per minute to the same group"
		firstAdmin     = 500000
		firstGroup     = 1001000000000 // chat id -firstGroup-i, like a supergroup's
	)
	msg, _ := locales.Load()
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	tg.admins = map[string]bool{}
	for i := range groups {
		tg.admins[fmt.Sprint(firstAdmin+i)] = true
	}
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
		"VIGIA_INVESTIGATORS=telegram:2002", "VIGIA_PUBLISH_APPROVALS=1", "VIGIA_DEFAULT_LANGUAGE=en",
	}
	bot := launch(t, cmd)
	upd := 0
	nextID := func() int { upd++; return upd }

	// 1,000 admins subscribe their groups through the bot (each its own
	// admin, so no per-user limit is in the way). The flood limits are not
	// on yet: the confirmations are answers, not the broadcast under test.
	start := time.Now()
	for i := range groups {
		id := firstGroup + i
		admin := user(firstAdmin+i, fmt.Sprint("admin", i), "Admin", "en")
		group := map[string]any{"id": -id, "type": "supergroup", "title": fmt.Sprintf("Barrio %d", i)}
		tg.push(message(nextID(), admin, group, command("", "/subscribe", "")))
	}
	subscribed := html.EscapeString(strings.Split(msg.Localize("en", "subscribe_done", nil), " in ")[0])
	waitCallsWithin(t, tg, 3*time.Minute, groups, func(c sent) bool {
		return c.Method == "sendMessage" && isGroup(c.Fields["chat_id"]) && strings.HasPrefix(c.Fields["text"], subscribed)
	})
	t.Logf("%d groups subscribed through the bot in %v", groups, time.Since(start).Round(time.Millisecond))

	// Limits on; a citizen sends a warning, the investigator approves it.
	tg.enableLimits(perSecond, perGroupMinute)
	citizen := user(3001, "vecina", "Vecina", "en")
	tg.push(message(nextID(), citizen, privateChat(3001, "vecina", "Vecina"), command("", "/warn", "Fake checkpoint on the highway tonight")))
	tg.waitCalls(1, messagesTo("3001"))
	inv := user(2002, "inv2002", "Inv", "en")
	tg.push(message(nextID(), inv, privateChat(2002, "inv2002", "Inv"), command("", "/publish", "1 Fake checkpoint on the highway tonight")))
	started := html.EscapeString(msg.Localize("en", "publish_started", map[string]any{"ID": "1", "Count": groups}, groups))
	tg.waitCalls(1, func(c sent) bool { return messagesTo("2002")(c) && c.Fields["text"] == started })

	report := waitCallsWithin(t, tg, 5*time.Minute, 1, func(c sent) bool {
		return messagesTo("2002")(c) && strings.HasPrefix(c.Fields["text"], "Warning #1: delivered") && strings.HasSuffix(c.Fields["text"], "unconfirmed.")
	})[0].Fields["text"]
	bot.stop(t)

	// Every group got the warning exactly once.
	header := html.EscapeString(strings.Split(msg.Localize("en", "broadcast_header", map[string]any{"Date": "x"}), "x")[0])
	tg.mu.Lock()
	per := map[string]int{}
	for _, c := range tg.calls {
		if c.Method == "sendMessage" && isGroup(c.Fields["chat_id"]) && strings.HasPrefix(c.Fields["text"], header) {
			per[c.Fields["chat_id"]]++
		}
	}
	tg.mu.Unlock()
	for i := range groups {
		if n := per[fmt.Sprint(-(firstGroup + i))]; n != 1 {
			t.Errorf("group %d got the warning %d times", i, n)
		}
	}
	if len(per) != groups {
		t.Errorf("the warning went to %d chats, want %d", len(per), groups)
	}
	if want := fmt.Sprintf("delivered to %d of %d communities; 0 had removed the bot; 0 unconfirmed", groups, groups); !strings.Contains(report, want) {
		t.Errorf("report %q, want %q", report, want)
	}

	// No unhandled 429: after each one no group was asked anything until
	// its retry_after was over (the broadcaster holds Telegram back rather
	// than waiting in the send), the chat then got its message (above),
	// and the bot logged no failed delivery.
	attempts := tg.floodAttempts()
	var all, delivered []time.Time // as the fake decided them, in order
	perGroup := map[string][]time.Time{}
	limited := 0
	for _, a := range attempts {
		all = append(all, a.Time)
		if isGroup(a.Chat) {
			perGroup[a.Chat] = append(perGroup[a.Chat], a.Time)
			if a.RetryAfter == 0 {
				delivered = append(delivered, a.Time)
			}
		}
		if a.RetryAfter > 0 {
			limited++
			if isGroup(a.Chat) && per[a.Chat] != 1 {
				t.Errorf("a 429 (retry_after %d) to a group was not followed by a delivery", a.RetryAfter)
			}
		}
	}
	for i, a := range attempts {
		if a.RetryAfter == 0 {
			continue
		}
		until := a.Time.Add(time.Duration(a.RetryAfter) * time.Second)
		for _, b := range attempts[i+1:] {
			if b.Time.Before(until) && isGroup(b.Chat) {
				t.Errorf("a group was asked %v after a 429 of retry_after %d s", b.Time.Sub(a.Time), a.RetryAfter)
				break
			}
		}
	}
	log := bot.stderr.String()
	for _, bad := range []string{"warning not delivered", "broadcast round failed"} {
		if n := strings.Count(log, bad); n > 0 {
			t.Errorf("the bot logged %q %d times", bad, n)
		}
	}
	if n := strings.Count(log, "telegram rate limited"); n != limited {
		t.Logf("the fake answered %d 429s; the bot logged %d waits", limited, n)
	}

	// The bot never asked for more than Telegram allows: every message
	// request counts, refused or not (the fake delivers none beyond the
	// limit, so counting only deliveries would prove nothing).
	maxSecond := maxInWindow(all, time.Second)
	maxGroup := 0
	for _, ts := range perGroup {
		maxGroup = max(maxGroup, maxInWindow(ts, time.Minute))
	}
	if maxSecond > perSecond {
		t.Errorf("%d message requests within one second, limit %d", maxSecond, perSecond)
	}
	if maxGroup > perGroupMinute {
		t.Errorf("%d message requests to one group within a minute, limit %d", maxGroup, perGroupMinute)
	}
	if len(delivered) > 1 {
		d := delivered[len(delivered)-1].Sub(delivered[0])
		t.Logf("broadcast: %d messages in %v (first to last delivery), %.1f msg/s; %d message requests in all, %d answered 429; "+
			"at most %d requests in any 1 s window (deliveries: %d), at most %d to one group in any minute",
			len(delivered), d.Round(time.Millisecond), float64(len(delivered)-1)/d.Seconds(), len(attempts), limited,
			maxSecond, maxInWindow(delivered, time.Second), maxGroup)
	}
}

// waitCallsWithin is waitCalls with a longer deadline, for work that takes
// minutes rather than seconds.
func waitCallsWithin(t *testing.T, f *fakeTelegram, d time.Duration, n int, pred func(sent) bool) []sent {
	t.Helper()
	deadline := time.Now().Add(d)
	stop := make(chan struct{})
	defer close(stop)
	var once sync.Once
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		var got []sent
		for _, c := range f.calls {
			if pred(c) {
				got = append(got, c)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %d of %d matching Telegram calls (%d calls in all)", d, len(got), n, len(f.calls))
		}
		once.Do(func() {
			go func() { // wake-up tick, so the deadline is noticed
				tick := time.NewTicker(100 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						f.mu.Lock()
						f.cond.Broadcast()
						f.mu.Unlock()
					}
				}
			}()
		})
		f.cond.Wait()
	}
}
