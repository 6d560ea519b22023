package tests

import (
	"encoding/base64"
	"encoding/hex"
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// canaryForms is s as it may leak: in clear, lower- and upper-cased,
// hex, base64 (standard and URL alphabets, padded or not), URL- and
// HTML-escaped; and, for a number, in hex too.
func canaryForms(s string) []string {
	forms := []string{s, strings.ToLower(s), strings.ToUpper(s), hex.EncodeToString([]byte(s)),
		strings.ToUpper(hex.EncodeToString([]byte(s))), base64.StdEncoding.EncodeToString([]byte(s)),
		base64.RawURLEncoding.EncodeToString([]byte(s)), url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s)}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		forms = append(forms, strconv.FormatInt(n, 16), strconv.FormatInt(-n, 10))
	}
	return forms
}

// Telegram refusing the bot's messages with 400, 403, 429 and 500, each
// with a description that quotes the chat id and the text it was sent:
// the reporter's tip still goes through, and no log line, Redis value or
// metric holds the chat id, the name or the tip, in any encoding.
func TestTelegramRefusalsEchoingTheChatAreNotLogged(t *testing.T) {
	rs := redistest.Start(t)
	cmds := recordCommands(t, rs)
	tg := newFakeTelegram(t, token)
	codes := []int{400, 403, 429, 500}
	type reporter struct {
		id         int
		name, tip  string
		chatID     string
		from, chat map[string]any
	}
	var reps []reporter
	tg.echo = map[string]int{}
	for n, code := range codes {
		id := 7731000000 + 1111*(n+1)
		r := reporter{id: id, name: "eco_soplon_" + strconv.Itoa(code), tip: "Cobran piso en Tonalá " + strconv.Itoa(code) + " calle Girasol eco" + strconv.Itoa(code), chatID: strconv.Itoa(id)}
		r.from, r.chat = user(id, r.name, "Ecolalia", "es"), privateChat(id, r.name, "Ecolalia")
		tg.echo[r.chatID] = code
		reps = append(reps, r)
	}
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	bot := startBot(t, tg, rs.URL(), "VIGIA_HTTP_ADDR="+addr, "VIGIA_METRICS_ADDR="+metricsAddr)
	for n, r := range reps {
		tg.push(message(n+1, r.from, r.chat, map[string]any{"text": r.tip}))
	}
	// Each presses Send on the refused preview: the receipt's message is
	// refused too, quoting the receipt.
	for n, r := range reps {
		var send string
		for _, b := range buttons(tg.waitCalls(1, messagesTo(r.chatID))[0]) {
			if strings.HasPrefix(b, "send:") {
				send = b
			}
		}
		tg.push(map[string]any{"update_id": len(reps) + n + 1, "callback_query": map[string]any{
			"id": "cq" + strconv.Itoa(n), "from": r.from, "chat_instance": "ci", "data": send,
			"message": map[string]any{"message_id": 5, "date": time.Now().Unix(), "chat": r.chat},
		}})
	}
	for _, r := range reps {
		tg.waitCalls(2, messagesTo(r.chatID))
	}
	waitFor(t, func() bool { return tg.confirmedBeyond(int64(2*len(reps))) && inboxEmpty(rs) })
	if n, _ := rs.Client().Keys(t.Context(), "vigia:{tips}:tip:*").Result(); len(n) < len(reps) {
		t.Errorf("%d tips stored, want %d or more", len(n), len(reps))
	}

	var canaries []string
	for _, r := range reps {
		canaries = append(canaries, r.chatID, r.name, "Ecolalia", r.tip, "Tonalá", "calle Girasol")
	}
	checkCanaries(t, rs, cmds, bot, addr, metricsAddr, canaries)
	logs := bot.stderr.String()
	if !strings.Contains(logs, "reply failed") {
		t.Fatalf("no refusal was logged: the test proves nothing\n%s", logs)
	}
	if code := receiptPattern.FindString(logs); code != "" {
		t.Errorf("log holds a receipt code %s", code)
	}
	bot.stop(t)
}

// The commands checkCanaries reads hold every argument whole: one past
// the slow log's 128 bytes, past its 32 arguments, in any bytes, and a
// value a script computes and stores.
func TestCommandLogHoldsWholeArguments(t *testing.T) {
	rs := redistest.Start(t)
	if !rs.Real {
		t.Skip("needs a real redis-server (MONITOR)")
	}
	cmds := recordCommands(t, rs)
	c := rs.Client()
	ctx := t.Context()
	if err := c.Set(ctx, "k1", strings.Repeat("x", 200)+"canario-largo", 0).Err(); err != nil {
		t.Fatal(err)
	}
	args := make([]any, 40)
	for i := range args {
		args[i] = i
	}
	args[39] = "canario-cuarenta"
	if err := c.Eval(ctx, `return 1`, nil, args...).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Eval(ctx, `redis.call('set', KEYS[1], string.reverse(ARGV[1])) return 1`, []string{"k2"}, "oiranac-otircsid").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "k3", "cobran piso en Tonalá \"ya\"\n", 0).Err(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(cmds.commands(t, rs), "\n")
	for _, want := range []string{"canario-largo", "canario-cuarenta", "discrito-canario", "cobran piso en Tonalá \"ya\"\n"} {
		if !strings.Contains(all, want) {
			t.Errorf("recorded commands miss %q", want)
		}
	}
}
