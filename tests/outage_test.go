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
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
		"VIGIA_DEFAULT_LANGUAGE=en", "VIGIA_SPOOL_DIR=" + t.TempDir(),
	}
	bot := &botProcess{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = bot.stderr, bot.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { bot.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-bot.done
		}
	})
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
	waitFor(t, func() bool {
		keys, _ := c.Keys(ctx, "vigia:{tips}:tip:*").Result()
		return len(keys) == 5
	})
	bot.stop(t)
	if keys, _ := c.Keys(ctx, "vigia:{tips}:tip:*").Result(); len(keys) != 5 {
		t.Fatalf("%d tips after replay, want 5", len(keys))
	}
}
