package tests

import (
	"context"
	"fmt"
	"html"
	"os/exec"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Redis stops in the middle of a burst: the real binary keeps answering,
// spools the tips that arrive meanwhile (each reporter gets a receipt),
// and once Redis is back replays them: every tip exactly once.
func TestRedisStopsMidBurst(t *testing.T) {
	msg, _ := locales.Load()
	rs := redistest.Start(t)
	if !rs.Real {
		t.Skip("needs a real redis-server to stop")
	}
	tg := newFakeTelegram(t, token)
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
		"VIGIA_DEFAULT_LANGUAGE=en", "VIGIA_SPOOL_DIR=" + t.TempDir(),
	}
	bot := launch(t, cmd)
	spooled := html.EscapeString(strings.Split(msg.Localize("en", "spool_received", map[string]any{"Receipt": "X"}), "X")[0])
	send := func(n int) {
		u := user(7100+n, "", "R", "en")
		tg.push(message(500+n, u, privateChat(7100+n, "", "R"), map[string]any{"text": fmt.Sprintf("aviso número %d durante el corte", n)}))
	}
	// Before the outage: a normal draft.
	send(0)
	tg.waitCalls(1, messagesTo("7100"))
	rs.Stop()
	for n := 1; n <= 5; n++ {
		send(n)
	}
	for n := 1; n <= 5; n++ {
		got := tg.waitCalls(1, messagesTo(fmt.Sprint(7100+n)))[0].Fields["text"]
		if !strings.HasPrefix(got, spooled) || receiptPattern.FindString(got) == "" {
			t.Fatalf("reporter %d during the outage: %q", n, got)
		}
	}
	rs.Restart()
	// The spool is replayed within a few seconds of Redis answering.
	ctx := context.Background()
	c := rs.Client()
	// At least five: a sixth (a tip stored twice) fails below with its
	// count, not as a timeout.
	waitFor(t, func() bool {
		keys, _ := c.Keys(ctx, "vigia:{tips}:tip:*").Result()
		return len(keys) >= 5
	})
	bot.stop(t)
	if keys, _ := c.Keys(ctx, "vigia:{tips}:tip:*").Result(); len(keys) != 5 {
		t.Fatalf("%d tips after replay, want 5", len(keys))
	}
}

// SIGTERM in the middle of a burst loses nothing: the process stops
// cleanly, and after a restart every update has been handled, once.
func TestSigtermMidBurst(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	start := func() *botProcess {
		cmd := exec.Command(binary, "serve")
		cmd.Env = []string{
			"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
			"VIGIA_INVESTIGATOR_2FA=off",
			"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
			"VIGIA_DEFAULT_LANGUAGE=en", "VIGIA_SPOOL_DIR=" + t.TempDir(),
		}
		p := launch(t, cmd)
		return p
	}
	bot := start()
	tg.waitCalls(1, func(c sent) bool { return c.Method == "deleteWebhook" })
	const n = 30
	for i := range n {
		tg.push(message(900+i, user(7200+i, "", "R", "en"), privateChat(7200+i, "", "R"), map[string]any{"text": fmt.Sprintf("parte única %d", i)}))
		if i == n/2 {
			bot.stop(t) // SIGTERM while updates are arriving: exit 0
			bot = start()
		}
	}
	for i := range n {
		tg.waitCalls(1, messagesTo(fmt.Sprint(7200+i)))
	}
	bot.stop(t)
	ctx := context.Background()
	c := rs.Client()
	drafts, _ := c.Keys(ctx, "vigia:*:draft").Result()
	if len(drafts) != n {
		t.Fatalf("%d drafts, want %d", len(drafts), n)
	}
	for _, k := range drafts {
		if parts, _ := c.HGet(ctx, k, "n").Result(); parts != "1" {
			t.Fatalf("draft %s has %s parts, want 1", k, parts)
		}
	}
}
