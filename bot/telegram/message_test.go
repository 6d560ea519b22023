package telegram

import (
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

func testAdapter() *Adapter {
	return &Adapter{o: Options{Token: "123:SECRETSECRETSECRETSECRET"}, log: slog.New(slog.DiscardHandler), id: 42, username: "VigiaBot"}
}

func decode(t *testing.T, js string) *models.Message {
	t.Helper()
	var m models.Message
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func cmdEntity(prefix, cmd string) string {
	off := len(utf16.Encode([]rune(prefix)))
	n := len(utf16.Encode([]rune(cmd)))
	b, _ := json.Marshal([]map[string]any{{"type": "bot_command", "offset": off, "length": n}})
	return string(b)
}

func TestCommandsAfterNonASCIIText(t *testing.T) {
	a := testAdapter()
	for _, prefix := range []string{"", "Ñandú ", "🚨🚨 ", "日本語 "} {
		text := prefix + "/status@VigiaBot abcd-efgh-jkmn-pqrs"
		m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"text":`+
			mustJSON(text)+`,"entities":`+cmdEntity(prefix, "/status@VigiaBot")+`}`)
		req, ok := a.request(9, m)
		if !ok || req.Command != "status" || req.Args != "abcd-efgh-jkmn-pqrs" || req.CommandAtStart != (prefix == "") {
			t.Errorf("prefix %q: %+v", prefix, req)
		}
	}
}

func TestCommandForAnotherBotIsNotOurs(t *testing.T) {
	a := testAdapter()
	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":-5,"type":"group"},"from":{"id":5,"first_name":"x"},"text":"/status@OtherBot x","entities":`+cmdEntity("", "/status@OtherBot")+`}`)
	req, _ := a.request(1, m)
	if req.Command != "" || req.Addressed {
		t.Fatalf("another bot's command taken: %+v", req)
	}
	// In a private chat with us it is a command no one here has (answered
	// as unknown), not tip text, and never taken for ours (/cancel would
	// drop the reporter's draft).
	m = decode(t, `{"message_id":2,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"text":"/cancel@OtherBot x","entities":`+cmdEntity("", "/cancel@OtherBot")+`}`)
	if req, _ = a.request(2, m); req.Command != "cancel@otherbot" || !req.CommandAtStart {
		t.Fatalf("another bot's command in private: %+v", req)
	}
}

func TestMentionAndReplyAddressTheBotInGroups(t *testing.T) {
	a := testAdapter()
	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":-5,"type":"supergroup"},"from":{"id":5,"first_name":"x"},"text":"hola @VigiaBot","entities":[{"type":"mention","offset":5,"length":9}]}`)
	if req, _ := a.request(1, m); !req.Addressed || req.ChatKind != commands.Group {
		t.Fatalf("mention: %+v", req)
	}
	m = decode(t, `{"message_id":2,"date":1,"chat":{"id":-5,"type":"supergroup"},"from":{"id":5,"first_name":"x"},"text":"ok","reply_to_message":{"message_id":1,"date":1,"chat":{"id":-5,"type":"supergroup"},"from":{"id":42,"is_bot":true,"first_name":"V"}}}`)
	if req, _ := a.request(2, m); !req.Addressed {
		t.Fatalf("reply to the bot: %+v", req)
	}
	m = decode(t, `{"message_id":3,"date":1,"chat":{"id":-5,"type":"supergroup"},"from":{"id":5,"first_name":"x"},"text":"chatter"}`)
	if req, _ := a.request(3, m); req.Addressed {
		t.Fatalf("chatter addressed: %+v", req)
	}
	// A channel's post Telegram copies into its discussion group, from its
	// service account: no member's message, for the bot to remove.
	m = decode(t, `{"message_id":4,"date":1,"chat":{"id":-5,"type":"supergroup"},"from":{"id":777000,"first_name":"Telegram"},"is_automatic_forward":true,`+
		`"sender_chat":{"id":-6,"type":"channel","title":"C"},"forward_origin":{"type":"channel","date":1,"message_id":5,"chat":{"id":-6,"type":"channel","title":"C"}},`+
		`"text":"Manden sus denuncias a @VigiaBot","entities":[{"type":"mention","offset":23,"length":9}]}`)
	if req, ok := a.request(4, m); ok {
		t.Fatalf("an automatic forward taken as a member's message: %+v", req)
	}
}

// Forwarded text is never a command: Telegram keeps the original's
// bot_command entities, and evidence that begins "/cancel" must not drop
// the reporter's draft.
func TestForwardedTextIsNotACommand(t *testing.T) {
	a := testAdapter()
	const text = "/cancel o pagan 5000 el viernes"
	for _, origin := range []string{
		`{"type":"user","date":1,"sender_user":{"id":777,"first_name":"X"}}`,
		`{"type":"hidden_user","date":1,"sender_user_name":"X"}`,
		`{"type":"channel","date":1,"chat":{"id":-100,"type":"channel","title":"C","username":"c"},"message_id":7}`,
	} {
		m := decode(t, `{"message_id":2,"date":1,"chat":{"id":555,"type":"private"},"from":{"id":555,"first_name":"R"},"forward_origin":`+origin+
			`,"text":"`+text+`","entities":[{"type":"bot_command","offset":0,"length":7}]}`)
		req, _ := a.request(1, m)
		if req.Command != "" || req.Text != text {
			t.Errorf("forward from %s: command %q, text %q", origin, req.Command, req.Text)
		}
	}
	m := decode(t, `{"message_id":2,"date":1,"chat":{"id":555,"type":"private"},"from":{"id":555,"first_name":"R"},"text":"`+text+`","entities":[{"type":"bot_command","offset":0,"length":7}]}`)
	if req, _ := a.request(1, m); req.Command != "cancel" {
		t.Errorf("the reporter's own /cancel: %q", req.Command)
	}
}

func TestForwardOrigins(t *testing.T) {
	a := testAdapter()
	base := `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"text":"post",`
	m := decode(t, base+`"forward_origin":{"type":"channel","date":1,"chat":{"id":-100,"type":"channel","title":"Narco Noticias","username":"narconews"},"message_id":77}}`)
	req, _ := a.request(1, m)
	if req.Forward == nil || req.Forward.Title != "Narco Noticias" || req.Forward.Username != "narconews" || req.Forward.PostID != 77 {
		t.Fatalf("channel origin: %+v", req.Forward)
	}
	m = decode(t, base+`"forward_origin":{"type":"user","date":1,"sender_user":{"id":777,"first_name":"Victim","username":"victim_user"}}}`)
	req, _ = a.request(1, m)
	if req.Forward != nil || !req.ForwardedFromPerson {
		t.Fatalf("user origin kept: %+v", req)
	}
	// A private channel's title would say who is in it: not named.
	m = decode(t, base+`"forward_origin":{"type":"channel","date":1,"chat":{"id":-100,"type":"channel","title":"Familia Pérez"},"message_id":5}}`)
	req, _ = a.request(1, m)
	if req.Forward != nil || !req.ForwardedFromPerson {
		t.Fatalf("private channel named: %+v", req.Forward)
	}
	m = decode(t, base+`"forward_origin":{"type":"hidden_user","date":1,"sender_user_name":"Someone"}}`)
	req, _ = a.request(1, m)
	if req.Forward != nil || !req.ForwardedFromPerson {
		t.Fatalf("hidden user origin kept: %+v", req)
	}
}

func TestAttachmentsAndUnsupported(t *testing.T) {
	a := testAdapter()
	base := `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},`
	m := decode(t, base+`"caption":"foto","photo":[{"file_id":"s","file_unique_id":"a","width":1,"height":1},{"file_id":"BIG","file_unique_id":"b","width":9,"height":9}]}`)
	req, _ := a.request(1, m)
	if req.Attachment == nil || req.Attachment.FileRef != "BIG" || req.Attachment.Kind != tips.Photo || req.Text != "foto" {
		t.Fatalf("photo: %+v", req)
	}
	m = decode(t, base+`"document":{"file_id":"DOC","file_unique_id":"d","file_name":"lista.pdf"}}`)
	if req, _ = a.request(1, m); req.Attachment == nil || req.Attachment.Kind != tips.Document || req.Attachment.Name != "" {
		t.Fatalf("document: %+v", req)
	}
	m = decode(t, base+`"location":{"latitude":19.432608,"longitude":-99.133209}}`)
	if req, _ = a.request(1, m); req.Location == nil || req.Location.Lat != 19.432608 {
		t.Fatalf("location: %+v", req)
	}
	// A place picked from the map (a venue): its coordinates alone, as a
	// location's (coarsened by the engine); its name and address, the
	// reporter's own surroundings as often as the place they mean, never.
	// Telegram sends a venue's location field too; either way.
	for _, fields := range []string{`"location":{"latitude":20.640123,"longitude":-103.311456},`, ""} {
		m = decode(t, base+fields+`"venue":{"location":{"latitude":20.640123,"longitude":-103.311456},"title":"Casa Robles","address":"Calle Roble 12, Col. Centro","google_place_id":"ChIJplace"}}`)
		req, _ = a.request(1, m)
		if j := mustJSON(req); req.Location == nil || req.Location.Lat != 20.640123 || req.Unsupported || strings.Contains(j, "Robles") || strings.Contains(j, "Roble 12") || strings.Contains(j, "ChIJplace") {
			t.Fatalf("venue: %+v", req)
		}
	}
	// A shared contact carries a phone number: never kept.
	m = decode(t, base+`"contact":{"phone_number":"+5215512345678","first_name":"Me"}}`)
	if req, _ = a.request(1, m); !req.Unsupported || strings.Contains(mustJSON(req), "5512345678") {
		t.Fatalf("contact: %+v", req)
	}
	m = decode(t, base+`"sticker":{"file_id":"st","file_unique_id":"u","type":"regular","width":1,"height":1,"is_animated":false,"is_video":false}}`)
	if req, _ = a.request(1, m); !req.Unsupported {
		t.Fatalf("sticker: %+v", req)
	}
	// What a message carries from elsewhere is not dropped without a word:
	// the words it quotes of a message in another chat are kept, as a
	// quote; paid media, or the other message's file, make the reporter
	// told the file was not received.
	m = decode(t, base+`"text":"esto me mandaron","external_reply":{"origin":{"type":"hidden_user","date":1,"sender_user_name":"X"}},`+
		`"quote":{"text":"te vamos a matar\nsi no pagas","position":0}}`)
	if req, _ = a.request(1, m); req.Text != "> te vamos a matar\n> si no pagas\n\nesto me mandaron" || req.FileLost || req.Unsupported {
		t.Fatalf("a quote of a message in another chat: %+v", req)
	}
	m = decode(t, base+`"external_reply":{"origin":{"type":"hidden_user","date":1,"sender_user_name":"X"},"photo":[{"file_id":"P","file_unique_id":"p","width":1,"height":1}]},`+
		`"quote":{"text":"pagas o te quemamos","position":0}}`)
	if req, _ = a.request(1, m); req.Text != "> pagas o te quemamos" || !req.FileLost || req.Unsupported {
		t.Fatalf("a quote of a photo's caption in another chat: %+v", req)
	}
	m = decode(t, base+`"caption":"foto del halcón","paid_media":{"star_count":5,"paid_media":[{"type":"photo","photo":[{"file_id":"PAID","file_unique_id":"u","width":9,"height":9}]}]}}`)
	if req, _ = a.request(1, m); req.Text != "foto del halcón" || !req.FileLost {
		t.Fatalf("paid media: %+v", req)
	}
	m = decode(t, `{"message_id":1,"date":1,"chat":{"id":-100,"type":"channel"},"text":"channel post"}`)
	if _, ok := a.request(1, m); ok {
		t.Fatal("a message without a sender was handled")
	}
}

func TestRedactHidesTokenAndBodies(t *testing.T) {
	a := testAdapter()
	err := errString("Post \"https://api.telegram.org/bot123:SECRETSECRETSECRETSECRET/sendMessage\": dial tcp: refused")
	if s := a.redact(err); strings.Contains(s, "SECRET") {
		t.Fatalf("token in %q", s)
	}
	err = errString("error decode response body for method sendMessage, {\"text\":\"cobran piso\"}, invalid character")
	if s := a.redact(err); strings.Contains(s, "cobran") {
		t.Fatalf("body in %q", s)
	}
}

// A Bot API description may quote the chat id or the text it was sent
// (an entity it could not parse, a proxy echoing the request), also in
// plain words ("Bad Request: cobran piso en Tonala"): redact keeps only
// the known descriptions, without the details Telegram adds to some, and
// withholds any other whole.
func TestRedactWithholdsDescriptionDetails(t *testing.T) {
	a := testAdapter()
	const echo = `: chat 7731001111 refused: "cobran piso en Tonalá"`
	for _, err := range []error{
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: can't parse entities"+echo),
		fmt.Errorf("%w, %s", bot.ErrorForbidden, "Forbidden: bot was blocked by the user"+echo),
		fmt.Errorf("error response from telegram for method sendMessage, %d %s", 500, "Internal Server Error"+echo),
		&bot.TooManyRequestsError{Message: "too many requests, Too Many Requests" + echo, RetryAfter: 3},
		a.sendErr("sendMessage", fmt.Errorf("%w, %s", bot.ErrorNotFound, "Not Found"+echo)),
		// Words in single quotes, ASCII letters only, before any colon.
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: text 'cobran piso en Tonala' refused"),
		// Plain words, no colon, digit or quote: the text itself.
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: cobran piso en Tonala"),
		fmt.Errorf("%w, %s", bot.ErrorForbidden, "cobran piso en Tonala"),
		fmt.Errorf("error response from telegram for method sendMessage, %d %s", 500, "cobran piso en Tonala"),
		// getUpdates' own errors (polling reads its answer itself).
		func() error {
			_, _, _, err := a.decodeUpdates([]byte(`{"ok":false,"error_code":502,"description":"Bad Gateway: chat 7731001111 refused: cobran piso en Tonala"}`), 0, 502)
			return err
		}(),
		func() error {
			_, _, _, err := a.decodeUpdates([]byte(`{"ok":false,"error_code":-1,"description":"Oops: chat 7731001111 refused: cobran piso en Tonala"}`), 0, 200)
			return err
		}(),
		func() error {
			_, _, _, err := a.decodeUpdates([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: chat 7731001111 refused: cobran piso en Tonala","parameters":{"retry_after":3}}`), 0, 429)
			return err
		}(),
		fmt.Errorf("error response from telegram for method sendMessage, %d %s", -1, "Oops"+echo),
	} {
		s := a.redact(err)
		for _, leak := range []string{"7731001111", "cobran", "Tonal"} {
			if strings.Contains(s, leak) {
				t.Errorf("redact(%q) = %q holds %q", err, s, leak)
			}
		}
		if !strings.Contains(s, " withheld") {
			t.Errorf("redact(%q) = %q does not say details were withheld", err, s)
		}
	}
	for err, want := range map[error]string{
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: message is too long"):                            "bad request, Bad Request: message is too long",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: can't parse entities: at 7"):                     "bad request, Bad Request: can't parse entities (details withheld)",
		fmt.Errorf("%w, %s", bot.ErrorForbidden, "Forbidden: bot was blocked by the user"):                       "forbidden, Forbidden: bot was blocked by the user",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: message can't be edited"):                        "bad request, Bad Request: message can't be edited",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: chat not found"):                                 "bad request, Bad Request: chat not found",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: cobran piso en Tonala"):                          "bad request, Bad Request: (description withheld, 34 bytes)",
		fmt.Errorf("%w, %s", bot.ErrorForbidden, "cobran piso en Tonala"):                                        "forbidden, (description withheld, 21 bytes)",
		&bot.TooManyRequestsError{Message: "too many requests, Too Many Requests: retry after 7", RetryAfter: 7}: "too many requests, Too Many Requests: retry after 7: retry_after 7",
		// What helps tell why a file or a long text did not go.
		fmt.Errorf("error response from telegram for method sendDocument, %d %s", 413, "Request Entity Too Large"):      "error response from telegram for method sendDocument, 413 Request Entity Too Large",
		fmt.Errorf("error response from telegram for method sendDocument, %d %s", 413, "Request Entity Too Large"+echo): "error response from telegram for method sendDocument, 413 Request Entity Too Large (details withheld)",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: file is too big"):                                       "bad request, Bad Request: file is too big",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: message caption is too long"):                           "bad request, Bad Request: message caption is too long",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: MEDIA_CAPTION_TOO_LONG"):                                "bad request, Bad Request: MEDIA_CAPTION_TOO_LONG",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: wrong file_id or the file is temporarily unavailable"):  "bad request, Bad Request: wrong file_id or the file is temporarily unavailable",
		fmt.Errorf("%w, %s", bot.ErrorBadRequest, "Bad Request: message caption is too long: cobran piso en Tonala"):    "bad request, Bad Request: message caption is too long (details withheld)",
	} {
		if got := a.redact(err); got != want {
			t.Errorf("redact(%q) = %q, want %q", err, got, want)
		}
	}
}

func TestSplitKeepsEverything(t *testing.T) {
	text := strings.Repeat("línea de texto\n", 600)
	parts := split(text, 3800)
	if len(parts) < 3 {
		t.Fatalf("%d parts", len(parts))
	}
	total := 0
	for _, p := range parts {
		if n := len([]rune(p)); n > 3800 {
			t.Fatalf("part of %d runes", n)
		}
		total += strings.Count(p, "línea")
	}
	if total != 600 {
		t.Fatalf("lost lines: %d", total)
	}
	if got := split("", 10); len(got) != 1 {
		t.Fatalf("empty: %q", got)
	}
	// Telegram counts UTF-16 units: 3000 emoji are 6000 units, two
	// messages, the second going on behind the quote mark.
	emoji := strings.Repeat("🚨", 3000)
	parts = split(emoji, 3800)
	if len(parts) != 2 || !strings.HasPrefix(parts[1], commands.QuoteMark+" ") || strings.ReplaceAll(strings.Join(parts, ""), commands.QuoteMark+" ", "") != emoji {
		t.Fatalf("emoji split into %d parts", len(parts))
	}
	for _, p := range parts {
		if n := len(utf16.Encode([]rune(p))); n > 3800 {
			t.Fatalf("part of %d UTF-16 units", n)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestHiddenLinksAreKept(t *testing.T) {
	a := testAdapter()
	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"text":"mira aquí","entities":[{"type":"text_link","offset":5,"length":4,"url":"https://evil.example/p"}]}`)
	req, _ := a.request(1, m)
	if req.Text != "mira aquí" || !slices.Equal(req.HiddenLinks, []string{"https://evil.example/p"}) {
		t.Fatalf("text %q, links %q", req.Text, req.HiddenLinks)
	}
}

func TestMalformedEntitiesDoNotPanic(t *testing.T) {
	a := testAdapter()
	for _, ents := range []string{
		`[{"type":"bot_command","offset":0,"length":-5}]`,
		`[{"type":"bot_command","offset":-3,"length":4}]`,
		`[{"type":"bot_command","offset":2,"length":400}]`,
		`[{"type":"mention","offset":1,"length":-1}]`,
		`[{"type":"mention","offset":90,"length":3}]`,
		// offset+length overflows int: once sliced u[2:negative] and panicked.
		`[{"type":"bot_command","offset":1,"length":9223372036854775807}]`,
		`[{"type":"mention","offset":6,"length":9223372036854775807}]`,
		`[{"type":"bot_command","offset":9223372036854775807,"length":9223372036854775807}]`,
	} {
		m := decode(t, `{"message_id":1,"date":1,"chat":{"id":-5,"type":"group"},"from":{"id":5,"first_name":"x"},"text":"/hola @VigiaBot","entities":`+ents+`}`)
		a.request(1, m)
	}
}

// Only a bot_command entity makes a command: a leading "/" Telegram did not
// mark stays text (and a caption keeps its photo).
func TestCommandOnlyFromEntity(t *testing.T) {
	a := testAdapter()
	base := `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},`
	for _, js := range []string{
		`"text":"/ñandú cobra piso"}`,
		`"text":"/status abcd","entities":[{"type":"bold","offset":0,"length":7}]}`,
		`"caption":"/foto del halcón","photo":[{"file_id":"P","file_unique_id":"a","width":1,"height":1}]}`,
		// An entity that does not start at a "/" is not a command.
		`"text":"hola /status","entities":[{"type":"bot_command","offset":0,"length":4}]}`,
	} {
		req, ok := a.request(1, decode(t, base+js))
		if !ok || req.Command != "" {
			t.Errorf("%s: command %q recognised", js, req.Command)
		}
	}
	req, _ := a.request(1, decode(t, base+`"text":"hola /status x","entities":[{"type":"bot_command","offset":5,"length":7}]}`))
	if req.Command != "status" || req.Args != "x" || req.CommandAtStart {
		t.Fatalf("entity command: %+v", req)
	}
}

// An origin of a type the library does not know no longer drops the
// message unanswered: it is handled as forwarded from a person.
func TestUnknownOriginIsSalvaged(t *testing.T) {
	a := testAdapter()
	raw := `{"ok":true,"result":[{"update_id":3,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},` +
		`"text":"cobran piso","forward_origin":{"type":"martian","date":1,"who":"x"}}},` +
		`{"update_id":4,"message":{"message_id":2,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},` +
		`"text":"otra","reply_to_message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"forward_origin":{"type":"martian"}}}},` +
		`{"update_id":5,"message":"not an object"}]}`
	updates, _, next, err := a.decodeUpdates([]byte(raw), 0, 200)
	if err != nil || next != 6 || len(updates) != 2 {
		t.Fatalf("decoded %d updates, next %d, err %v", len(updates), next, err)
	}
	req, _, ok := a.translate(updates[0])
	if !ok || req.Text != "cobran piso" || !req.ForwardedFromPerson || req.Forward != nil {
		t.Fatalf("salvaged request: %+v", req)
	}
	if req, _, ok := a.translate(updates[1]); !ok || req.Text != "otra" {
		t.Fatalf("salvaged reply: %+v", req)
	}
}

// A message with content of a kind the library cannot read (a media type
// newer than it) is no longer dropped unanswered: kept to who and where
// (its caption goes with the content lost), it reaches the engine, which
// answers that it cannot take that kind of message.
func TestUnknownContentIsSalvaged(t *testing.T) {
	a := testAdapter()
	raw := `{"ok":true,"result":[{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},` +
		`"caption":"mira esto","paid_media":{"star_count":1,"paid_media":[{"type":"hologram"}]}}}]}`
	updates, _, next, err := a.decodeUpdates([]byte(raw), 0, 200)
	if err != nil || next != 8 || len(updates) != 1 {
		t.Fatalf("decoded %d updates, next %d, err %v", len(updates), next, err)
	}
	req, _, ok := a.translate(updates[0])
	if !ok || req.ChatID != "5" || req.UserID != "5" || req.Text != "" || req.Attachment != nil {
		t.Fatalf("salvaged request: %+v", req)
	}
}

// Hidden links are passed on apart from the text the reporter wrote, so
// that they never make it too long for the engine: a forwarded post at
// Telegram's limit keeps its text whole and every link, each once.
func TestHiddenLinksAreApartFromTheText(t *testing.T) {
	a := testAdapter()
	text := strings.Repeat("Los halcones vigilan la plaza. ", 130)[:4000]
	var ents []map[string]any
	var want []string
	for i := range 5 {
		url := fmt.Sprintf("https://canal-narco.example/publicacion/%d?ref=tg", i)
		ents = append(ents, map[string]any{"type": "text_link", "offset": i * 100, "length": 10, "url": url})
		want = append(want, url)
	}
	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"text":`+mustJSON(text)+`,"entities":`+mustJSON(ents)+`}`)
	req, _ := a.request(1, m)
	if req.Text != text || !slices.Equal(req.HiddenLinks, want) {
		t.Fatalf("text of %d characters, links %q", len([]rune(req.Text)), req.HiddenLinks)
	}

	m = decode(t, `{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"x"},"text":"aquí y aquí","entities":[`+
		`{"type":"text_link","offset":0,"length":4,"url":"https://evil.example/p"},{"type":"text_link","offset":7,"length":4,"url":"https://evil.example/p"}]}`)
	if req, _ = a.request(1, m); req.Text != "aquí y aquí" || !slices.Equal(req.HiddenLinks, []string{"https://evil.example/p"}) {
		t.Fatalf("text %q, links %q", req.Text, req.HiddenLinks)
	}
}

// An edit in a private chat comes to the engine as an edit, without its new
// text (Vigía keeps each message as first sent, and says so); an edit in a
// group is not ours.
func TestEditsAreEditsInPrivateOnly(t *testing.T) {
	a := testAdapter()
	translate := func(raw string) (commands.Request, bool) {
		t.Helper()
		var u models.Update
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			t.Fatal(err)
		}
		req, _, ok := a.translate(&u)
		return req, ok
	}
	req, ok := translate(`{"update_id":9,"edited_message":{"message_id":3,"date":1,"edit_date":2,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"R"},"text":"sin mi nombre"}}`)
	if !ok || !req.Edited || req.Text != "" || req.ChatKind != commands.Private || req.UserID != "5" || req.EventID != 9 || req.MessageID != "3" {
		t.Fatalf("a private edit: %v %+v", ok, req)
	}
	if _, ok := translate(`{"update_id":10,"edited_message":{"message_id":3,"date":1,"edit_date":2,"chat":{"id":-100,"type":"supergroup"},"from":{"id":5,"first_name":"R"},"text":"x"}}`); ok {
		t.Fatal("a group edit was taken")
	}
	// A live location's moves come as edits: not the reporter's edits.
	if _, ok := translate(`{"update_id":11,"edited_message":{"message_id":4,"date":1,"edit_date":3,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"R"},"location":{"latitude":19.43,"longitude":-99.13,"live_period":3600}}}`); ok {
		t.Fatal("a live location's move was taken as an edit")
	}
}

// A group message edited to name the bot (a tip, or a code, now in view)
// reaches the engine as a new one would, to be removed; an edit of chatter
// or of a reply to the bot (a community correcting its answer) does not.
func TestGroupEditNamingTheBotIsHandled(t *testing.T) {
	a := testAdapter()
	edit := func(js string) (commands.Request, *replier, bool) {
		t.Helper()
		return a.translate(&models.Update{ID: 1, EditedMessage: decode(t, js)})
	}
	req, w, ok := edit(`{"message_id":9,"from":{"id":7001,"is_bot":false,"first_name":"R"},"chat":{"id":-100555,"type":"supergroup","title":"Barrio"},` +
		`"date":1,"edit_date":2,"text":"@VigiaBot extorsionan a los tenderos, el jefe es Juan Perez","entities":[{"type":"mention","offset":0,"length":9}]}`)
	if !ok || !req.Addressed || req.ChatKind != commands.Group || w.messageID != 9 || !req.Edited {
		t.Fatalf("an edit naming the bot: taken %v, %+v", ok, req)
	}
	// An edit that puts a code-like word in view (a receipt or invitation
	// code typed again, its typo fixed): for the engine to remove and void
	// if it is one, as in a new message.
	req, w, ok = edit(`{"message_id":10,"from":{"id":7001,"is_bot":false,"first_name":"R"},"chat":{"id":-100555,"type":"supergroup"},` +
		`"date":1,"edit_date":2,"text":"ya denuncié, mi código es K7QD-9XMA-2B4C-ZZ81"}`)
	if !ok || req.Addressed || req.Text != "ya denuncié, mi código es K7QD-9XMA-2B4C-ZZ81" || w.messageID != 10 || !req.Edited {
		t.Fatalf("an edit with a code-like word: taken %v, %+v", ok, req)
	}
	// One edited to link words to a code ("mira aquí" pointing to
	// …?c=CODE): the same, the link handed on with it.
	req, _, ok = edit(`{"message_id":11,"from":{"id":7001,"is_bot":false,"first_name":"R"},"chat":{"id":-100555,"type":"supergroup"},` +
		`"date":1,"edit_date":2,"text":"mira aquí","entities":[{"type":"text_link","offset":0,"length":9,"url":"https://example.org/e?c=K7QD-9XMA-2B4C-ZZ81"}]}`)
	if !ok || len(req.HiddenLinks) != 1 || !req.Edited {
		t.Fatalf("an edit with a code-like word in a hidden link: taken %v, %+v", ok, req)
	}
	for _, js := range []string{
		`{"message_id":9,"from":{"id":7001,"is_bot":false,"first_name":"R"},"chat":{"id":-100555,"type":"supergroup"},"date":1,"edit_date":2,"text":"hola a todos"}`,
		`{"message_id":9,"from":{"id":7001,"is_bot":false,"first_name":"R"},"chat":{"id":-100555,"type":"supergroup"},"date":1,"edit_date":2,"text":"gracias, corregido",` +
			`"reply_to_message":{"message_id":3,"date":1,"chat":{"id":-100555,"type":"supergroup"},"from":{"id":42,"is_bot":true,"first_name":"V"}}}`,
	} {
		if req, _, ok := edit(js); ok {
			t.Errorf("a group edit not naming the bot taken: %+v", req)
		}
	}
}

// A quoted line (a tip's, an answer's) too long for one message is cut
// between two, and its rest goes on behind the quote mark: without it, the
// rest opened the next message as a line of the bot's own, so a reporter
// could make "Claimed by Bea…" or "Answer: …" read as the bot's.
func TestSplitKeepsACutQuotedLineQuoted(t *testing.T) {
	own := []string{"Tip #1 · Extortion · New", "", "Claimed by Ana 5 minutes ago"}
	long := strings.Repeat("Claimed by Bea 1 minute ago · Bea: dismissed ", 200) // ~9,000 characters on one line
	for _, body := range []string{long, strings.Repeat("🚨", 5000), strings.Repeat("x", 9000)} {
		text := own[0] + "\n\n" + commands.QuoteMark + " " + body + "\n" + commands.QuoteMark + " fin\n\n" + own[2]
		chunks := renderText(text)
		if len(chunks) < 3 {
			t.Fatalf("%d chunks", len(chunks))
		}
		var words []string
		for i, c := range chunks {
			raw := html.UnescapeString(c)
			if n := len(utf16.Encode([]rune(raw))); n > maxText {
				t.Fatalf("chunk %d of %d UTF-16 units", i, n)
			}
			for _, l := range strings.Split(raw, "\n") {
				if !slices.Contains(own, l) && !strings.HasPrefix(l, commands.QuoteMark) {
					t.Fatalf("chunk %d has a line of the quoted text without the mark: %.60q…", i, l)
				}
			}
			words = append(words, strings.Fields(strings.ReplaceAll(raw, commands.QuoteMark, ""))...)
		}
		if want := strings.Fields(strings.ReplaceAll(text, commands.QuoteMark, "")); strings.Join(words, "") != strings.Join(want, "") {
			t.Fatalf("the split lost or changed text")
		}
	}
}

// A line of the page's own that holds someone's long text (a history
// entry: a note or an answer of up to 2,000 characters, after others),
// cut between two messages, goes on behind the quote mark too: the rest
// does not open the next message as a line of the bot's own, and the mark
// says the line goes on. A cut at a line break adds nothing.
func TestSplitMarksTheRestOfACutLine(t *testing.T) {
	own := []string{"History:", "2026-12-04 10:00 UTC · [K7QXM] Ana took it"}
	entry := "2026-12-04 10:05 UTC · note by [K7QXM] Ana: "
	for _, body := range []string{
		string([]rune(strings.Repeat("2026-12-04 10:06 UTC · [K7QXM] Ana: dismissed ", 50))[:2000]),
		strings.Repeat("ñ", 2000), strings.Repeat("🚨", 1990),
	} {
		text := own[0] + "\n" + own[1] + "\n" + strings.Repeat(own[1]+"\n", 40) + entry + body + "\n" + own[1]
		chunks := renderText(text)
		if len(chunks) < 2 {
			t.Fatalf("%d chunks", len(chunks))
		}
		var words []string
		marked := 0
		for i, c := range chunks {
			raw := html.UnescapeString(c)
			if n := len(utf16.Encode([]rune(raw))); n > maxText {
				t.Fatalf("chunk %d of %d UTF-16 units", i, n)
			}
			for _, l := range strings.Split(raw, "\n") {
				switch {
				case strings.HasPrefix(l, commands.QuoteMark):
					marked++
				case !slices.Contains(own, l) && !strings.HasPrefix(l, entry):
					t.Fatalf("chunk %d opens a line with the rest of a cut one, unmarked: %.60q…", i, l)
				}
			}
			words = append(words, strings.Fields(strings.ReplaceAll(raw, commands.QuoteMark, ""))...)
		}
		if marked != 1 {
			t.Errorf("%d lines behind the mark, want the rest of the one cut", marked)
		}
		if want := strings.Fields(text); strings.Join(words, "") != strings.Join(want, "") {
			t.Fatalf("the split lost or changed text")
		}
	}
}

// An edit the library cannot decode (an origin of a type it does not
// know, content newer than it) is salvaged as a new message is: a group
// message or a channel's post edited to put a code in view still reaches
// the engine, to be removed.
func TestUndecodableEditsAreSalvaged(t *testing.T) {
	a := testAdapter()
	raw := `{"ok":true,"result":[` +
		`{"update_id":3,"edited_message":{"message_id":1,"date":1,"edit_date":2,"chat":{"id":-1005,"type":"supergroup","title":"g"},"from":{"id":7,"first_name":"x"},` +
		`"text":"mi código es K7QD-9XMA-2B4C-ZZ81","reply_to_message":{"message_id":9,"date":1,"chat":{"id":-1005,"type":"supergroup"},"forward_origin":{"type":"martian"}}}},` +
		`{"update_id":4,"edited_channel_post":{"message_id":2,"date":1,"edit_date":2,"chat":{"id":-1006,"type":"channel","title":"c"},"sender_chat":{"id":-1006,"type":"channel","title":"c"},` +
		`"text":"K7QD-9XMA-2B4C-ZZ81","paid_media":{"star_count":1,"paid_media":[{"type":"hologram"}]}}}]}`
	updates, _, next, err := a.decodeUpdates([]byte(raw), 0, 200)
	if err != nil || next != 5 || len(updates) != 2 {
		t.Fatalf("decoded %d updates, next %d, err %v", len(updates), next, err)
	}
	for i, u := range updates {
		req, _, ok := a.translate(u)
		if !ok || !req.Edited || req.ChatKind == commands.Private || !strings.Contains(req.Text, "K7QD-9XMA-2B4C-ZZ81") {
			t.Errorf("salvaged edit %d: ok %v, %+v", i, ok, req)
		}
	}
	// Through the inbox too (polling's queue, and the webhook's).
	for _, r := range []string{`{"update_id":3,"edited_message":{"message_id":1,"date":1,"chat":{"id":-1005,"type":"supergroup"},"from":{"id":7,"first_name":"x"},"text":"K7QD-9XMA-2B4C-ZZ81","forward_origin":{"type":"martian"}}}`} {
		if u, ok := decodeEntry([]byte(r)); !ok || u.EditedMessage == nil {
			t.Errorf("inbox entry not salvaged: %s", r)
		}
	}
}
