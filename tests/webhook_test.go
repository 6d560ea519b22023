package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

const webhookSecret = "s3cret_token-0123456789"

// Webhook mode through the real binary: a wrong secret gets 401; a burst of
// updates is stored before Telegram is answered; the process is killed -9
// in the middle and restarted; redelivered updates change nothing; every
// tip ends up stored exactly once with exactly its parts.
func TestTelegramWebhookSurvivesKill(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	addr := freeAddr(t)
	start := func() *botProcess { return startWebhookBot(t, rs, tg, addr) }
	post := func(update map[string]any, secret string) int { return postWebhook(addr, update, secret) }
	bot := start()
	hook := tg.waitCalls(1, func(c sent) bool { return c.Method == "setWebhook" })[0]
	if hook.Fields["url"] != "https://bot.example.org/hook" || hook.Fields["secret_token"] != webhookSecret ||
		!strings.Contains(hook.Fields["allowed_updates"], `"edited_channel_post"`) { // (a channel's post edited to show a code)
		t.Fatalf("setWebhook: %+v", hook.Fields)
	}
	if code := post(message(1, user(1, "x", "x", "en"), privateChat(1, "x", "x"), map[string]any{"text": "hola"}), "wrong-secret-0000000"); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret answered %d", code)
	}

	const reporters = 20
	upd := 100
	parts := func(r int) []map[string]any {
		u := user(6000+r, "", "R", "en")
		c := privateChat(6000+r, "", "R")
		return []map[string]any{
			message(upd+2*r, u, c, map[string]any{"text": fmt.Sprintf("reporte %d primera parte", r)}),
			message(upd+2*r+1, u, c, map[string]any{"text": fmt.Sprintf("reporte %d segunda parte", r)}),
		}
	}
	var all []map[string]any
	for r := range reporters {
		all = append(all, parts(r)...)
	}
	acked, logs := 0, ""
	for i, u := range all {
		if i == len(all)/2 {
			_ = bot.cmd.Process.Kill() // kill -9 in the middle of the burst
			<-bot.done
			logs += bot.stderr.String()
			bot = start()
		}
		if code := post(u, webhookSecret); code == http.StatusOK {
			acked++
		} else {
			t.Fatalf("update %d answered %d", i, code)
		}
	}
	// Telegram redelivers some updates (as after a timeout): nothing changes.
	for _, u := range all[:6] {
		post(u, webhookSecret)
	}
	// Every reporter gets the draft buttons and sends.
	for r := range reporters {
		chat := fmt.Sprint(6000 + r)
		first := tg.waitCalls(1, messagesTo(chat))[0]
		var send string
		for _, d := range buttons(first) {
			if strings.HasPrefix(d, "send:") {
				send = d
			}
		}
		cb := map[string]any{"update_id": 1000 + r, "callback_query": map[string]any{
			"id": "cb" + chat, "from": user(6000+r, "", "R", "en"), "chat_instance": "ci", "data": send,
			"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": privateChat(6000+r, "", "R")},
		}}
		post(cb, webhookSecret)
	}
	tg.waitCalls(reporters, func(c sent) bool {
		return c.Method == "sendMessage" && strings.Contains(c.Fields["text"], "Your receipt code: ") // "sent", once per tip
	})
	bot.stop(t)
	// No log line holds a tip, a receipt, the webhook's secret or the token.
	logs += bot.stderr.String()
	for _, s := range []string{"reporte", "primera parte", webhookSecret, token, strings.Split(token, ":")[1]} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q", s)
		}
	}
	if code := receiptPattern.FindString(logs); code != "" {
		t.Errorf("the log holds the receipt %s", code)
	}

	// Exactly one tip per reporter, each with exactly its two parts.
	ctx := context.Background()
	c := rs.Client()
	keys, _ := c.Keys(ctx, "vigia:{tips}:tip:*").Result()
	if len(keys) != reporters {
		t.Fatalf("%d tips, want %d", len(keys), reporters)
	}
	for _, k := range keys {
		if n, _ := c.XLen(ctx, "vigia:{inbox}:telegram").Result(); n != 0 {
			t.Fatalf("%d updates left in the inbox", n)
		}
		_ = k
	}
	dump, _ := rs.Dump(ctx)
	for k, v := range dump {
		if bytes.Contains(v, []byte("reporte")) || strings.Contains(k, "reporte") {
			t.Fatalf("tip text in clear in %s", k)
		}
	}
	if acked != len(all) {
		t.Fatalf("%d of %d updates acknowledged", acked, len(all))
	}
}

// startWebhookBot starts the real binary in webhook mode, listening on
// addr, and waits until it answers.
func startWebhookBot(t *testing.T, rs *redistest.Server, tg *fakeTelegram, addr string) *botProcess {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
		"VIGIA_TELEGRAM_WEBHOOK_URL=https://bot.example.org/hook", "VIGIA_TELEGRAM_WEBHOOK_SECRET=" + webhookSecret,
		"VIGIA_HTTP_ADDR=" + addr, "VIGIA_DEFAULT_LANGUAGE=en",
	}
	p := launch(t, cmd)
	// Ready when it answers /healthz (a condition, with a deadline).
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bot not listening: %v\n%s", err, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
	return p
}

// postWebhook delivers an update as Telegram does and returns the status
// it was answered (0 if the process is down).
func postWebhook(addr string, update map[string]any, secret string) int {
	b, _ := json.Marshal(update)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/hook", bytes.NewReader(b))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// helpAnswered posts help, a /help update from an English speaker, to
// the webhook at addr and waits for its answer. Per chat, updates are
// handled in order: once /help is answered, every answer to the chat's
// earlier updates was sent.
func helpAnswered(t *testing.T, tg *fakeTelegram, addr string, help map[string]any) {
	t.Helper()
	if code := postWebhook(addr, help, webhookSecret); code != http.StatusOK {
		t.Fatalf("update answered %d", code)
	}
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	text := html.EscapeString(msg.Localize("en", "help", nil))
	tg.waitCalls(1, func(s sent) bool { return s.Method == "sendMessage" && s.Fields["text"] == text })
}

// Telegram delivers an update again when it could not tell it was
// received: here the first call stored it but its answer was lost (as a
// 503 after an inbox write that timed out but landed). The reporter gets
// one answer, not two: the next message's answer comes right after it.
func TestWebhookUpdateDeliveredAgainIsAnsweredOnce(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	addr := freeAddr(t)
	bot := startWebhookBot(t, rs, tg, addr)
	defer bot.stop(t)
	tg.waitCalls(1, func(c sent) bool { return c.Method == "setWebhook" })
	u, c := user(7100, "", "R", "en"), privateChat(7100, "", "R")
	part := message(500, u, c, map[string]any{"text": "hay halcones en la esquina del mercado"})
	for range 2 {
		if code := postWebhook(addr, part, webhookSecret); code != http.StatusOK {
			t.Fatalf("update answered %d", code)
		}
	}
	helpAnswered(t, tg, addr, message(501, u, c, command("", "/help", "")))
	var answers []string
	for _, s := range tg.waitCalls(0, messagesTo("7100")) {
		answers = append(answers, s.Fields["text"])
	}
	if len(answers) != 2 {
		t.Fatalf("%d answers, want one to the part and one to /help:\n%s", len(answers), strings.Join(answers, "\n"))
	}
}

// While Redis is down, the webhook stores nothing and says so: Telegram
// is answered 503 (never 200, which would make it drop an update that is
// nowhere), and the process goes on. Once Redis is back, Telegram's next
// delivery of the same update is answered 200 and the reporter is
// answered, once. No log line holds the update's text.
func TestWebhookAnswers503WhileRedisIsDown(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	addr := freeAddr(t)
	bot := startWebhookBot(t, rs, tg, addr)
	tg.waitCalls(1, func(c sent) bool { return c.Method == "setWebhook" })
	u, c := user(7248913, "", "R", "en"), privateChat(7248913, "", "R")
	tip := message(600, u, c, map[string]any{"text": "hay halcones vigilando la escuela"})
	rs.Stop()
	for range 3 {
		if code := postWebhook(addr, tip, webhookSecret); code != http.StatusServiceUnavailable {
			t.Fatalf("update with Redis down answered %d, want 503 (Telegram delivers it again)", code)
		}
	}
	rs.Restart()
	// Telegram delivers it again, until it is taken.
	waitFor(t, func() bool { return postWebhook(addr, tip, webhookSecret) == http.StatusOK })
	tg.waitCalls(1, messagesTo("7248913"))
	if code := postWebhook(addr, tip, webhookSecret); code != http.StatusOK {
		t.Fatalf("update delivered again answered %d", code)
	}
	helpAnswered(t, tg, addr, message(601, u, c, command("", "/help", "")))
	bot.stop(t)
	if n := len(tg.waitCalls(0, messagesTo("7248913"))); n != 2 {
		t.Errorf("%d answers, want one to the tip and one to /help", n)
	}
	if logs := bot.stderr.String(); strings.Contains(logs, "halcones") || strings.Contains(logs, "7248913") {
		t.Errorf("the log holds the update:\n%s", logs)
	}
}
