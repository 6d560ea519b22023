package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
	xhtml "golang.org/x/net/html"

	"github.com/vigia-project/vigia/commands"
)

// hostileTexts are message texts a hostile reporter may send: markup for
// every parser on the way, invisible and direction-changing characters,
// control characters, long texts, and commands after non-ASCII text.
var hostileTexts = []string{
	`<b>bold</b> <a href="https://evil.example/x">click</a> <script>alert(1)</script>`,
	`<a href=javascript:alert(1)>x</a> <img src=x onerror=alert(1)> <!-- c --> <![CDATA[x]]>`,
	`&lt;b&gt; &amp;amp; &#60;i&#62; &#x3C;u&#x3E; &nbsp; &quot;`,
	"*bold* _it_ __u__ ~s~ ||spoiler|| `code` ```pre``` [click](https://evil.example) >quote",
	"factura\u202Egpj.exe \u2066iso\u2069 \u200Fx\u200E",
	"hola\u200Bmundo\u2060 https://\u200Bevil.example \uFEFF@everyone",
	"bell\x07 nul\x00 esc\x1b[31m del\x7f cr\r\nlf \u0085 \u2028 \u2029",
	"Ñandú 🚨🚨 日本語 👨\u200D👩\u200D👧 /status@VigiaBot abcd",
	"@everyone @here <@123456789> <@&987> <#555> <:emoji:1> <t:1:R>",
	"evil.example t.me/narcos www.pago.example tg://resolve?domain=x 200.1.2.3 pago@evil.example",
	strings.Repeat("cobran piso <b>", 100<<10/15),
	strings.Repeat("🚨", 5000),
}

// update builds a raw update with a private message.
func rawUpdate(id int, message string) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x","language_code":"es"},%s}}`, id, message)
}

func textField(s string) string {
	b, _ := json.Marshal(s)
	return `"text":` + string(b)
}

// deepReply nests reply_to_message n levels deep.
func deepReply(n int) string {
	inner := `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"fondo"}`
	for range n {
		inner = `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":6,"first_name":"y"},"text":"r","reply_to_message":` + inner + `}`
	}
	return `"text":"reenvío","reply_to_message":` + inner
}

func telegramSeeds() [][]byte {
	var seeds [][]byte
	for i, s := range hostileTexts {
		seeds = append(seeds, rawUpdate(i, textField(s)))
	}
	for _, m := range []string{
		// Lone and reversed surrogates, invalid escapes decode to U+FFFD.
		`"text":"a\ud800b \udc00 \udbff\udfff \ud83d","entities":[{"type":"bot_command","offset":0,"length":2}]`,
		// A command after an emoji (2 UTF-16 units) and accented letters.
		`"text":"🚨 é /status x","entities":[{"type":"bot_command","offset":5,"length":7}]`,
		// Offsets that cut a surrogate pair, overflow, or point outside.
		`"text":"🚨/a","entities":[{"type":"bot_command","offset":1,"length":3}]`,
		`"text":"/a","entities":[{"type":"bot_command","offset":1,"length":9223372036854775807}]`,
		`"text":"/a @VigiaBot","entities":[{"type":"mention","offset":3,"length":9223372036854775806},{"type":"bot_command","offset":-1,"length":3}]`,
		`"text":"mira","entities":[{"type":"text_link","offset":0,"length":4,"url":"javascript:alert(1)"},{"type":"text_link","offset":0,"length":4,"url":"https://evil.example/<b>"}]`,
		`"caption":"/foto","photo":[{"file_id":"P","file_unique_id":"a","width":1,"height":1}]`,
		`"text":"x","forward_origin":{"type":"channel","date":1,"chat":{"id":-100,"type":"channel","title":"<b>Narco</b>\u202E","username":"narco"},"message_id":7}`,
		`"text":"x","forward_origin":{"type":"chat","date":1,"sender_chat":{"id":-100,"type":"supergroup","title":"Grupo"}}`,
		`"text":"x","forward_origin":{"type":"martian","date":1}`,
		`"text":"x","forward_origin":{"type":"channel","date":1}`,
		`"text":"x","forward_origin":null,"from":null`,
		deepReply(1000),
	} {
		seeds = append(seeds, rawUpdate(100, m))
	}
	seeds = append(seeds,
		[]byte(`{"update_id":7,"channel_post":{"message_id":1,"date":1,"chat":{"id":-100,"type":"channel"},"sender_chat":{"id":-100,"type":"channel"},"text":"/subscribe es","entities":[{"type":"bot_command","offset":0,"length":10}]}}`),
		[]byte(`{"update_id":8,"callback_query":{"id":"q","from":{"id":5,"first_name":"x"},"chat_instance":"c","data":"send:1","message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"}}}}`),
		[]byte(`{"update_id":9,"callback_query":{"id":"q","from":{"id":5,"first_name":"x"},"chat_instance":"c","data":"x"}}`),
		[]byte(`{"update_id":10}`), []byte(`null`), []byte(`[]`), []byte(`{"update_id":"x"}`), []byte("\xff\xfe"),
	)
	return seeds
}

// FuzzTelegramUpdate feeds raw JSON to the update decoding and translation
// path the bot runs on every getUpdates answer: it never panics, and a
// command comes only from a bot_command entity that lies inside the text.
func FuzzTelegramUpdate(f *testing.F) {
	for _, s := range telegramSeeds() {
		f.Add(s)
	}
	a := testAdapter()
	f.Fuzz(func(t *testing.T, raw []byte) {
		body := append(append([]byte(`{"ok":true,"result":[`), raw...), "]}"...)
		updates, _, next, err := a.decodeUpdates(body, 0, 200)
		if err != nil {
			return // the whole response is not JSON: retried, not a crash
		}
		for _, u := range updates {
			if next <= u.ID {
				t.Fatalf("update %d not confirmed by offset %d", u.ID, next)
			}
			req, w, ok := a.translate(u)
			if !ok {
				continue
			}
			if w == nil || req.Platform != Platform {
				t.Fatalf("translated without a replier: %+v", req)
			}
			if !utf8.ValidString(req.Text) || !utf8.ValidString(req.Args) {
				t.Fatalf("invalid UTF-8 in request")
			}
			if req.Command == "" {
				continue
			}
			var text string
			var entities []models.MessageEntity
			switch {
			case u.Message != nil && u.Message.Text != "":
				text, entities = u.Message.Text, u.Message.Entities
			case u.Message != nil:
				text, entities = u.Message.Caption, u.Message.CaptionEntities
			case u.ChannelPost != nil:
				text, entities = u.ChannelPost.Text, u.ChannelPost.Entities
			default:
				t.Fatalf("a command from a callback: %+v", req)
			}
			if !fromEntity(text, entities, req.Command) {
				t.Fatalf("command %q recognised without a bot_command entity in %q %+v", req.Command, text, entities)
			}
		}
	})
}

// fromEntity reports whether some bot_command entity inside text names
// command. It checks bounds with 128-bit care: offsets are untrusted.
func fromEntity(text string, entities []models.MessageEntity, command string) bool {
	u := utf16.Encode([]rune(text))
	for _, e := range entities {
		if e.Type != models.MessageEntityTypeBotCommand || e.Offset < 0 || e.Length < 2 {
			continue
		}
		if uint64(e.Offset) > uint64(len(u)) || uint64(e.Length) > uint64(len(u))-uint64(e.Offset) {
			continue
		}
		word := string(utf16.Decode(u[e.Offset : e.Offset+e.Length]))
		name, _, _ := strings.Cut(strings.TrimPrefix(word, "/"), "@")
		if strings.HasPrefix(word, "/") && strings.ToLower(name) == command {
			return true
		}
	}
	return false
}

// FuzzTelegramCommand places a command entity after arbitrary text (so
// its UTF-16 offset differs from its byte offset) and checks it is read
// exactly, whatever other, malformed entities come with it.
func FuzzTelegramCommand(f *testing.F) {
	f.Add("", "status", "abcd-efgh", 0, 0)
	f.Add("Señor 🚨 ", "Status", " ABCD ", 3, 9)
	f.Add("👨\u200D👩\u200D👧\u202E", "tip", "1", -1, 5)
	f.Add("日本語\U0001F600", "recent", "", 9223372036854775807, 9223372036854775807)
	f.Add("\xed\xa0\x80", "help", "\x00", 1, 2)
	a := testAdapter()
	f.Fuzz(func(t *testing.T, prefix, name, rest string, off, n int) {
		prefix, name, rest = strings.ToValidUTF8(prefix, "\uFFFD"), strings.ToValidUTF8(name, "\uFFFD"), strings.ToValidUTF8(rest, "\uFFFD")
		if name == "" || strings.ContainsAny(name, "@ \t\n") {
			return
		}
		text := prefix + "/" + name + " " + rest
		cmd := models.MessageEntity{Type: models.MessageEntityTypeBotCommand, Offset: len(utf16.Encode([]rune(prefix))), Length: 1 + len(utf16.Encode([]rune(name)))}
		junk := []models.MessageEntity{
			{Type: models.MessageEntityTypeMention, Offset: off, Length: n},
			{Type: models.MessageEntityTypeBotCommand, Offset: off, Length: 1},
			{Type: models.MessageEntityTypeBotCommand, Offset: -1 - max(off, -off), Length: n},
		}
		for _, entities := range [][]models.MessageEntity{append([]models.MessageEntity{cmd}, junk...), append(junk, cmd)} {
			m := &models.Message{ID: 1, Chat: models.Chat{ID: 5, Type: models.ChatTypePrivate}, From: &models.User{ID: 5}, Text: text, Entities: entities}
			req, ok := a.request(1, m)
			if !ok {
				t.Fatal("message dropped")
			}
			if req.Command != strings.ToLower(name) || req.Args != strings.TrimSpace(rest) || req.CommandAtStart != (strings.TrimSpace(prefix) == "") {
				t.Fatalf("text %q: command %q args %q at start %v", text, req.Command, req.Args, req.CommandAtStart)
			}
		}
	})
}

// visible parses Telegram HTML with an HTML5 tokenizer: it fails on any
// tag, comment or doctype (the bot emits no markup of its own, so none is
// allowed) and returns the text a reader sees.
func visible(t *testing.T, message string) string {
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
			t.Fatalf("rendered message has an active %v token %q in %q", tt, z.Token().String(), message)
		}
	}
}

// FuzzTelegramRender renders arbitrary text as the bot sends it to
// Telegram (parse_mode HTML): no tag, no attribute, no comment may appear,
// every chunk is within Telegram's limit, and the text a reader sees is
// exactly the text given, save line breaks at the cuts.
func FuzzTelegramRender(f *testing.F) {
	for _, s := range hostileTexts {
		f.Add(s)
	}
	f.Add("<a href=\"x\">\n" + strings.Repeat("é", 3799) + "<")
	f.Add("\r\n<\r>\x00&")
	f.Add(commands.QuoteMark + " " + strings.Repeat("a <│ ", 1500))
	f.Fuzz(func(t *testing.T, text string) {
		chunks := renderText(text)
		var seen strings.Builder
		for _, c := range chunks {
			if strings.ContainsAny(c, "<>\"'") {
				t.Fatalf("markup character left unescaped in %q", c)
			}
			raw := html.UnescapeString(c)
			if n := len(utf16.Encode([]rune(raw))); n > maxText {
				t.Fatalf("chunk of %d UTF-16 units", n)
			}
			// The tokenizer turns CR and CRLF into LF, as a browser would;
			// compare after the same normalisation.
			if got, want := visible(t, c), tokenizerText(raw); got != want {
				t.Fatalf("visible text %q, want %q", got, want)
			}
			seen.WriteString(raw)
		}
		// A quoted line cut between two chunks goes on behind the mark in
		// the next: that mark is the only text added.
		flat := func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, "\n", ""), commands.QuoteMark+" ", "")
		}
		if got := seen.String(); strings.ReplaceAll(got, "\n", "") != strings.ReplaceAll(text, "\n", "") && flat(got) != flat(text) {
			t.Fatalf("rendering lost or changed text")
		}
	})
}

func tokenizerText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
