package tests

import (
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// The binary as an operator runs it (the least-privilege Redis user of
// docker-compose.yml), through a Redis outage with a kill -9, a restart
// while Redis is still down, and a restart once it is back: every log
// line is JSON (go-redis's own lines included), the persistence check
// works for that user, /status and /forget with a receipt are not told
// their message was NOT saved, the spooled tip reaches Redis, and no log
// line, spool byte or Redis value holds a canary.
func TestOpsOutageLogsAndAnswers(t *testing.T) {
	msg, _ := locales.Load()
	rs := redistest.Start(t)
	if !rs.Real {
		t.Skip("needs a real redis-server to stop")
	}
	tg := newFakeTelegram(t, token)
	spool := t.TempDir()
	const uid, uname, first = 8881234567, "soplon_canario", "Gumersinda"
	const text1, text2 = "canario-uno la bodega roja de Zapopan", "canario-dos camioneta blanca placas JKL4821"
	const text3 = "canario-tres la bodega verde de Tonala"
	redisURL := rs.LeastPrivilegeURL("vigia")
	serve := func() *exec.Cmd {
		cmd := exec.Command(binary, "serve")
		cmd.Env = []string{
			"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
			"VIGIA_INVESTIGATOR_2FA=off", "VIGIA_LOG_LEVEL=debug",
			"VIGIA_REDIS_URL=" + redisURL, "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
			"VIGIA_DEFAULT_LANGUAGE=en", "VIGIA_SPOOL_DIR=" + spool, "VIGIA_INVESTIGATORS=telegram:9001",
		}
		return cmd
	}
	bot := launch(t, serve())
	rep := user(uid, uname, first, "en")
	chat := privateChat(uid, uname, first)
	tg.push(message(1, rep, chat, map[string]any{"text": text1}))
	tg.waitCalls(1, messagesTo("8881234567"))
	rs.Stop()
	tg.push(message(2, rep, chat, map[string]any{"text": text2}))
	got := tg.waitCalls(2, messagesTo("8881234567"))
	receipt := receiptPattern.FindString(got[1].Fields["text"])
	if receipt == "" {
		t.Fatalf("no receipt during the outage: %q", got[1].Fields["text"])
	}
	tg.push(message(3, rep, chat, command("", "/status", receipt)))
	tg.push(message(4, rep, chat, command("", "/forget", receipt)))
	got = tg.waitCalls(4, messagesTo("8881234567"))
	// A second reporter's spooled tip: Telegram refuses its receipt with
	// an answer quoting the chat and the text; the receipt is owed.
	const uid2, uname2 = 8882345678, "soplon_eco"
	tg.mu.Lock()
	tg.echo = map[string]int{"8882345678": 400}
	tg.mu.Unlock()
	tg.push(message(5, user(uid2, uname2, first, "en"), privateChat(uid2, uname2, first), map[string]any{"text": text3}))
	tg.waitCalls(1, messagesTo("8882345678"))
	waitFor(t, func() bool { owed, _ := filepath.Glob(filepath.Join(spool, "*owed*")); return len(owed) > 0 })
	retry := html.EscapeString(msg.Localize("en", "error_storage_retry", nil))
	for _, c := range got[2:4] {
		if c.Fields["text"] != retry {
			t.Errorf("/status or /forget during the outage: %q", c.Fields["text"])
		}
	}
	_ = bot.cmd.Process.Kill() // kill -9 while Redis is down
	<-bot.done
	logs := bot.stderr.String()
	b2 := launch(t, serve()) // restart while Redis is still down: it gives up
	select {
	case <-b2.done:
	case <-time.After(40 * time.Second):
		t.Error("a start with Redis down did not end")
		_ = b2.cmd.Process.Kill()
		<-b2.done
	}
	logs += b2.stderr.String()
	rs.Restart()
	rs.LeastPrivilegeURL("vigia") // ACL SETUSER is not kept across the restart
	b3 := launch(t, serve())
	c := rs.Client()
	waitFor(t, func() bool {
		keys, _ := c.Keys(t.Context(), "vigia:{tips}:tip:*").Result()
		return len(keys) >= 1
	})
	b3.stop(t)
	logs += b3.stderr.String()
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %q", line)
		}
	}
	if strings.Contains(logs, "cannot check Redis persistence") {
		t.Error("the least-privilege user cannot check persistence")
	}
	for _, s := range []string{"8881234567", "8882345678", uname, uname2, first, "canario", "Zapopan", "JKL4821", "Tonala", receipt, token, strings.Split(token, ":")[1]} {
		if strings.Contains(logs, s) {
			t.Errorf("a log line holds %q", s)
		}
	}
	if code := receiptPattern.FindString(logs); code != "" {
		t.Errorf("a log line holds the receipt %s", code)
	}
	files, _ := filepath.Glob(filepath.Join(spool, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, s := range []string{"8881234567", "8882345678", uname2, "canario", "Zapopan", "Tonala", receipt} {
			if strings.Contains(string(b), s) {
				t.Errorf("spool file %s holds %q", filepath.Base(f), s)
			}
		}
	}
	checkRedis(t, rs, "8881234567", "8882345678", uname, uname2, first, "canario", "Zapopan", "JKL4821", "Tonala", receipt)
}
