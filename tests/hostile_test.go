package tests

import (
	"encoding/json"
	"errors"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	xhtml "golang.org/x/net/html"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// clickableLink finds what Telegram would turn into a link to a reported
// site: a scheme, "www.", a host name ("evil.example", "t.me/x", an e-mail's
// domain; Latin ones also with "。", "．", "｡"), an IPv4 address.
var clickableLink = regexp.MustCompile(`(?i)` +
	`[a-z0-9+.-]:/{2}|www\.|` +
	`[\p{L}\p{M}\p{N}-]\.\p{L}{2}|` +
	`[\p{Latin}\p{N}-][。．｡]\p{Latin}{2}|` +
	`\d[.。．｡]\d{1,3}[.。．｡]\d{1,3}[.。．｡]\d`)

// shown parses a message sent with parse_mode HTML as Telegram would and
// returns the text a reader sees; it fails on any tag.
func shown(t *testing.T, message string) string {
	t.Helper()
	z := xhtml.NewTokenizer(strings.NewReader(message))
	var out strings.Builder
	for {
		switch tt := z.Next(); tt {
		case xhtml.ErrorToken:
			if !errors.Is(z.Err(), io.EOF) {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			return out.String()
		case xhtml.TextToken:
			out.Write(z.Text())
		default:
			t.Fatalf("active %v %q in a message to the investigator:\n%s", tt, z.Token().String(), message)
		}
	}
}

// deepReplies nests reply_to_message n levels deep.
func deepReplies(n int) map[string]any {
	m := map[string]any{"message_id": 1, "date": 1, "chat": map[string]any{"id": 1, "type": "private"}, "text": "fondo"}
	for range n {
		m = map[string]any{"message_id": 1, "date": 1, "chat": map[string]any{"id": 1, "type": "private"},
			"from": map[string]any{"id": 77, "is_bot": false, "first_name": "x"}, "text": "r", "reply_to_message": m}
	}
	return m
}

// A reporter sends everything a hostile client can: markup for every
// parser, direction overrides, invisible characters, lone surrogates,
// control characters, a 100 kB text, a reply chain 1000 deep, forwards of
// odd origins, an entity whose offset overflows. The real binary answers
// each in the reporter's language and keeps serving; the investigator's
// /tip, as sent to Telegram with parse_mode HTML, has no tag, no
// clickable reported link and no bidi or invisible format character.
func TestHostileInputIsAnsweredAndShownSafely(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	es := func(id string, data map[string]any, n ...int) string {
		return html.EscapeString(msg.Localize("es", id, data, n...))
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL())

	rep := user(reporterID, reporterName, reporterFirst, "es-MX")
	chat := privateChat(reporterID, reporterName, reporterFirst)
	chatID := "5550001"

	parts := []map[string]any{
		{"text": `<b>negrita</b> <a href="https://evil.example/a">aquí</a> <script>alert(1)</script> &lt;i&gt; &amp;`,
			"entities": []map[string]any{{"type": "text_link", "offset": 0, "length": 3, "url": "https://hidden.example/p"}}},
		{"text": "*piso* _x_ [pago](https://pago.example/x) ||spoiler|| `code` @everyone <@123>"},
		{"text": "factura\u202Egpj.exe en bidi\u202E.example y \u2066aislado\u2069"},
		{"text": "ww\u200Bw.cobro.example y h\u2060ttps://zw.example/x y zw\u200B.example"},
		{"text": json.RawMessage(`"sur\ud800rogado \udc00 lone.example \ud83d"`)},
		{"text": "ctl\x00\x07\x1b[31m ctl.example\x7f\u0085fin"},
		{"text": "pago。example ｅｖｉｌ．ｅｘａｍｐｌｅ t.me/narcos panel 200.57.1.9 tg://resolve?domain=narcos"},
		{"text": "respuesta profunda", "reply_to_message": deepReplies(1000)},
		{"text": "reenviado", "forward_origin": map[string]any{"type": "channel", "date": 1, "message_id": 7,
			"chat": map[string]any{"id": -100, "type": "channel", "title": "<b>Narco</b>\u202E news.example", "username": "narconews"}}},
		{"text": "origen marciano", "forward_origin": map[string]any{"type": "martian", "date": 1}},
		{"text": "oculto", "forward_origin": map[string]any{"type": "hidden_user", "date": 1, "sender_user_name": "<i>x</i>"}},
		// Once sliced with an overflowing bound: the update panicked, unanswered.
		{"text": "/status desbordado", "entities": []map[string]any{{"type": "bot_command", "offset": 1, "length": 9223372036854775807}}},
	}
	update := 0
	var first sent
	for i, fields := range parts {
		update++
		tg.push(message(update, rep, chat, fields))
		got := tg.waitCalls(i+1, messagesTo(chatID))[i]
		want := es("draft_added", nil, i+1)
		if i == 0 {
			first, want = got, es("draft_started", nil)
		}
		if !strings.Contains(got.Fields["text"], want) {
			t.Fatalf("part %d answered %q, want %q", i+1, got.Fields["text"], want)
		}
	}
	// A 100 kB text is answered, not kept.
	update++
	tg.push(message(update, rep, chat, map[string]any{"text": strings.Repeat("cobran <b>piso</b> ", 100<<10/19)}))
	n := len(parts) + 1
	if got := tg.waitCalls(n, messagesTo(chatID))[n-1].Fields["text"]; got != es("message_too_long", map[string]any{"Max": 4096}) {
		t.Fatalf("100 kB text answered %q", got)
	}

	var send string
	for _, d := range buttons(first) {
		if strings.HasPrefix(d, "send:") {
			send = d
		}
	}
	update++
	tg.push(map[string]any{"update_id": update, "callback_query": map[string]any{
		"id": "cbq", "from": rep, "chat_instance": "ci", "data": send,
		"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": chat},
	}})
	n += 2 // the receipt, then the safety advice
	got := tg.waitCalls(n, messagesTo(chatID))
	receipt := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(got[n-2].Fields["text"])
	if receipt == "" || got[n-2].Fields["text"] != es("sent", map[string]any{"Receipt": receipt}) {
		t.Fatalf("send answered %q", got[n-2].Fields["text"])
	}

	inv := user(investigatorID, "detective", "Ana", "en")
	invChat := privateChat(investigatorID, "detective", "Ana")
	update++
	tg.push(message(update, inv, invChat, command("", "/tip", "1")))
	update++
	tg.push(message(update, inv, invChat, command("", "/recent", "")))
	views := tg.waitCalls(2, messagesTo("9001"))
	var all strings.Builder
	for _, v := range views {
		if v.Fields["parse_mode"] != "HTML" {
			t.Fatalf("sent without parse_mode HTML: %+v", v.Fields)
		}
		seen := shown(t, v.Fields["text"])
		all.WriteString(seen + "\n")
		if m := clickableLink.FindString(regexp.MustCompile(`(?i)hxxps?://`).ReplaceAllString(seen, "")); m != "" {
			t.Errorf("clickable %q in what the investigator sees:\n%s", m, seen)
		}
		// (The word joiner the bot puts after a slash keeps a "/command"
		// the reporter wrote from being tapped; the direction mark of the
		// bot's quote mark keeps it on the left.)
		for _, l := range strings.Split(strings.ReplaceAll(seen, "/\u2060", "/"), "\n") {
			for _, r := range strings.TrimPrefix(l, commands.QuoteMark) {
				if r != 0x200D && unicode.Is(unicode.Cf, r) {
					t.Errorf("format character %U shown to the investigator", r)
				}
			}
		}
	}
	// Everything arrived, made safe and still readable (the word joiner
	// after a slash is invisible), and no command the reporter wrote can
	// be tapped.
	if strings.Contains(all.String(), " /status desbordado") {
		t.Errorf("the reporter's /status is a command the investigator can tap:\n%s", all.String())
	}
	read := strings.ReplaceAll(all.String(), "/\u2060", "/")
	for _, w := range []string{
		`<b>negrita</b> <a href="hxxps://evil[.]example/a">`, "hxxps://hidden[.]example/p", "[pago](hxxps://pago[.]example/x)",
		"facturagpj[.]exe en bidi[.]example", "www[.]cobro[.]example", "hxxps://zw[.]example/x", "sur\uFFFDrogado",
		"ctl", "pago[。]example", "ｅｖｉｌ[．]ｅｘａｍｐｌｅ", "t[.]me/narcos", "200[.]57[.]1[.]9", "tg[:]//resolve",
		"respuesta profunda", "<b>Narco</b> news[.]example @narconews", "origen marciano", "/status desbordado",
	} {
		if !strings.Contains(read, w) {
			t.Errorf("the investigator does not see %q in:\n%s", w, read)
		}
	}

	// Still serving, then a clean exit.
	update++
	tg.push(message(update, rep, chat, command("", "/help", "")))
	n++
	if got := tg.waitCalls(n, messagesTo(chatID))[n-1].Fields["text"]; got != es("help", nil) {
		t.Fatalf("after the hostile input /help answered %q", got)
	}
	bot.stop(t)
	if logs := bot.stderr.String(); strings.Contains(logs, "panic") {
		t.Fatalf("the bot panicked:\n%s", logs)
	}
}
