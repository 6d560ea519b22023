package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/pquerna/otp/totp"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

const (
	token          = "123456789:AAHsecretTokenValue_0123456789abcdef"
	reporterID     = 5550001
	reporterName   = "informante_anonimo"
	reporterFirst  = "Rosalinda"
	investigatorID = 9001
	groupID        = -1001234567
	tipText        = "Cobran derecho de piso en el mercado Hidalgo, ver https://cobro.example/pagar"
	tipText2       = "los martes llega una camioneta gris"
	photoID        = "AgACAgQAAxkBAAIPHOTOID"
)

type botProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan error
}

func startBot(t *testing.T, tg *fakeTelegram, redisURL string, env ...string) *botProcess {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"PATH=/usr/bin:/bin",
		"VIGIA_SECRET=" + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + redisURL,
		"VIGIA_TELEGRAM_TOKEN=" + token,
		"VIGIA_TELEGRAM_API_URL=" + tg.URL(),
		"VIGIA_INVESTIGATORS=telegram:9001",
		"VIGIA_DEFAULT_LANGUAGE=en",
		"VIGIA_LOG_LEVEL=debug",
	}
	cmd.Env = append(cmd.Env, env...) // the last value of a variable wins
	p := launch(t, cmd)
	return p
}

// stop sends SIGTERM and waits for a clean exit.
func (p *botProcess) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("vigia exited with %v after SIGTERM\n%s", err, p.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("vigia did not stop after SIGTERM\n%s", p.stderr.String())
	}
}

func user(id int, username, first, lang string) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": first, "username": username, "language_code": lang}
}

func privateChat(id int, username, first string) map[string]any {
	return map[string]any{"id": id, "type": "private", "username": username, "first_name": first}
}

var msgSeq = 100

func message(updateID int, from, chat map[string]any, fields map[string]any) map[string]any {
	msgSeq++
	m := map[string]any{"message_id": msgSeq, "date": time.Now().Unix(), "from": from, "chat": chat}
	for k, v := range fields {
		m[k] = v
	}
	return map[string]any{"update_id": updateID, "message": m}
}

// command builds a text message whose bot_command entity sits after prefix,
// with the offset counted in UTF-16 code units as Telegram does.
func command(prefix, cmd, args string) map[string]any {
	off := len(utf16.Encode([]rune(prefix)))
	text := prefix + cmd
	if args != "" {
		text += " " + args
	}
	return map[string]any{"text": text, "entities": []map[string]any{{"type": "bot_command", "offset": off, "length": len(utf16.Encode([]rune(cmd)))}}}
}

func buttons(c sent) []string {
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	_ = json.Unmarshal([]byte(c.Fields["reply_markup"]), &kb)
	var out []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.CallbackData)
		}
	}
	return out
}

func TestTelegramEndToEnd(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	es := func(id string, data map[string]any, n ...int) string {
		return html.EscapeString(msg.Localize("es", id, data, n...))
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	// The bot runs as the least-privilege ACL user the README prescribes.
	// Investigators give a second factor, as serve does by default.
	bot := startBot(t, tg, rs.LeastPrivilegeURL("vigia"), "VIGIA_INVESTIGATOR_2FA=totp")

	rep := user(reporterID, reporterName, reporterFirst, "es-MX")
	chat := privateChat(reporterID, reporterName, reporterFirst)
	chatID := "5550001"

	// 1. A tip in two messages plus a photo.
	tg.push(message(1, rep, chat, map[string]any{"text": tipText}))
	first := tg.waitCalls(1, messagesTo(chatID))[0]
	if !strings.Contains(first.Fields["text"], es("draft_started", nil)) {
		t.Fatalf("first reply: %q", first.Fields["text"])
	}
	if first.Fields["parse_mode"] != "HTML" || !strings.Contains(first.Fields["link_preview_options"], `"is_disabled":true`) {
		t.Fatalf("reply not HTML with previews off: %+v", first.Fields)
	}
	if !strings.HasPrefix(first.Content, "multipart/form-data") {
		t.Fatalf("library sent %q, the fake expects multipart", first.Content)
	}
	var send, extortion string
	for _, d := range buttons(first) {
		if strings.HasPrefix(d, "send:") {
			send = d
		}
		if strings.HasSuffix(d, ":extortion") {
			extortion = d
		}
	}
	if send == "" || extortion == "" {
		t.Fatalf("no Send or category button: %v", buttons(first))
	}
	tg.push(message(2, rep, chat, map[string]any{"text": tipText2}))
	tg.push(message(3, rep, chat, map[string]any{"photo": []map[string]any{
		{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
		{"file_id": photoID, "file_unique_id": "b", "width": 1280, "height": 960},
	}}))
	got := tg.waitCalls(3, messagesTo(chatID))
	if got[2].Fields["text"] != es("draft_added", nil, 3) {
		t.Fatalf("third reply: %q", got[2].Fields["text"])
	}
	cb := func(updateID int, data string) map[string]any {
		return map[string]any{"update_id": updateID, "callback_query": map[string]any{
			"id": "cbq" + data, "from": rep, "chat_instance": "ci", "data": data,
			"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": chat},
		}}
	}
	// While the draft is open, Redis holds nothing in clear either.
	checkRedis(t, rs, "mercado Hidalgo", "camioneta", "cobro.example", "5550001", "54afb1", reporterName, reporterFirst, photoID)

	tg.push(cb(4, extortion))
	tg.waitCalls(4, messagesTo(chatID))
	tg.push(cb(5, send))
	got = tg.waitCalls(6, messagesTo(chatID))
	receipt := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(got[4].Fields["text"])
	if receipt == "" || got[4].Fields["text"] != es("sent", map[string]any{"Receipt": receipt}) || got[5].Fields["text"] != es("safety_advice", map[string]any{"Platform": "Telegram", "Receipt": receipt}) {
		t.Fatalf("send replies: %q / %q", got[4].Fields["text"], got[5].Fields["text"])
	}
	if b := buttons(got[5]); !slices.Contains(b, "wipe:0") || !slices.Contains(b, "wipe:60") {
		t.Fatalf("no wipe buttons under the safety advice: %v", b)
	}
	if n := len(tg.waitCalls(2, func(c sent) bool { return c.Method == "answerCallbackQuery" })); n < 2 {
		t.Fatalf("callback queries not answered")
	}

	// The command menu is set in every language, without investigator commands.
	menus := tg.waitCalls(5, func(c sent) bool { return c.Method == "setMyCommands" })
	for _, m := range menus {
		if strings.Contains(m.Fields["commands"], `"recent"`) || !strings.Contains(m.Fields["commands"], `"status"`) {
			t.Errorf("menu for %q: %s", m.Fields["language_code"], m.Fields["commands"])
		}
		if m.Fields["language_code"] == "pt" && !strings.Contains(m.Fields["commands"], msg.Localize("pt-BR", "command_status", nil)) {
			t.Errorf("Portuguese menu: %s", m.Fields["commands"])
		}
	}

	// 2. The reporter checks the status, addressing the bot by name, and
	// after non-ASCII characters (offsets in UTF-16: an emoji is two
	// units). (After words, a command is part of the text: see
	// TestCommandWordInsideTextIsText.)
	tg.push(message(6, rep, chat, command("", "/status@VigiaBot", strings.ToLower(receipt))))
	tg.push(message(7, rep, chat, command("🚨 ¿ ", "/status", receipt)))
	got = tg.waitCalls(8, messagesTo(chatID))
	want := es("status_received", map[string]any{"Age": msg.Localize("es", "age_under_minute", nil)})
	if got[6].Fields["text"] != want || got[7].Fields["text"] != want {
		t.Fatalf("status replies: %q / %q, want %q", got[6].Fields["text"], got[7].Fields["text"], want)
	}

	// 3. Redelivered updates (as after a crash before confirming) are
	// handled once: no second tip, no stray draft, and no second answer
	// (the reporter's next message, below, gets the next answer).
	tg.redeliver(message(1, rep, chat, map[string]any{"text": tipText}))
	tg.redeliver(message(2, rep, chat, map[string]any{"text": tipText2}))
	tg.redeliver(cb(5, send))

	// 4. The investigator lists and reads the tip; the photo comes as a
	// protected copy; the link is defanged.
	inv := user(investigatorID, "detective", "Ana", "en")
	invChat := privateChat(investigatorID, "detective", "Ana")
	// Locked until the second factor is given: enrol, then unlock.
	en := func(id string, data map[string]any) string { return html.EscapeString(msg.Localize("en", id, data)) }
	tg.push(message(8, inv, invChat, command("", "/recent", "")))
	if m := tg.waitCalls(1, messagesTo("9001"))[0]; m.Fields["text"] != en("locked", nil) {
		t.Fatalf("locked /recent: %q", m.Fields["text"])
	}
	tg.push(message(9, inv, invChat, command("", "/enroll", "")))
	enrol := tg.waitCalls(2, messagesTo("9001"))[1]
	secret := strings.ReplaceAll(regexp.MustCompile(`(?m)^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$`).FindString(enrol.Fields["text"]), " ", "")
	if len(secret) != 32 || enrol.Fields["protect_content"] != "true" {
		t.Fatalf("enrolment message: %+v", enrol.Fields)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tg.push(message(10, inv, invChat, command("", "/unlock", code)))
	if m := tg.waitCalls(3, messagesTo("9001"))[2]; m.Fields["text"] != en("unlocked", map[string]any{"Period": "12 hours"}) {
		t.Fatalf("unlock: %q", m.Fields["text"])
	}
	tg.push(message(11, inv, invChat, command("", "/recent", "")))
	tg.push(message(12, inv, invChat, command("", "/tip", "1")))
	invMsgs := tg.waitCalls(5, messagesTo("9001"))[3:]
	if !strings.Contains(invMsgs[0].Fields["text"], "#1 ") || invMsgs[0].Fields["protect_content"] != "true" {
		t.Fatalf("/recent: %+v", invMsgs[0].Fields)
	}
	full := invMsgs[1].Fields["text"]
	for _, w := range []string{"hxxps://cobro[.]example/pagar", tipText2, "Extortion"} {
		if !strings.Contains(full, w) {
			t.Errorf("/tip lacks %q:\n%s", w, full)
		}
	}
	if strings.Contains(full, "https://cobro") {
		t.Errorf("/tip shows a live link:\n%s", full)
	}
	photo := tg.waitCalls(1, func(c sent) bool { return c.Method == "sendPhoto" })[0]
	if photo.Fields["photo"] != photoID || photo.Fields["chat_id"] != "9001" || photo.Fields["protect_content"] != "true" {
		t.Fatalf("photo copy: %+v", photo.Fields)
	}
	for _, c := range tg.calls {
		if strings.HasPrefix(c.Method, "forward") {
			t.Fatalf("the bot forwarded a message: %s", c.Method)
		}
	}
	// A reporter asking the same gets the unknown-command answer.
	tg.push(message(13, rep, chat, command("", "/tip", "1")))
	got = tg.waitCalls(9, messagesTo(chatID))
	if got[8].Fields["text"] != es("unknown_command", nil) {
		t.Fatalf("reporter /tip: %q (the redelivered updates answered again?)", got[8].Fields["text"])
	}
	ctx := context.Background()
	c := rs.Client()
	if keys, _ := c.Keys(ctx, "vigia:{tips}:tip:*").Result(); len(keys) != 1 {
		t.Fatalf("%d tips in Redis, want 1: %v", len(keys), keys)
	}
	if n, _ := c.XLen(ctx, "vigia:{tips}:triage").Result(); n != 1 {
		t.Fatalf("%d triage entries, want 1", n)
	}
	if keys, _ := c.Keys(ctx, "vigia:*:draft").Result(); len(keys) != 0 {
		t.Fatalf("redelivered parts started a draft: %v", keys)
	}

	// 5. A tip attempted in a group is not stored, nor quoted back, and
	// is removed from the group to protect its sender.
	group := map[string]any{"id": groupID, "type": "supergroup", "title": "Vecinos"}
	groupTip := message(14, rep, group, map[string]any{
		"text":     "@VigiaBot " + tipText,
		"entities": []map[string]any{{"type": "mention", "offset": 0, "length": 9}},
	})
	tg.push(groupTip)
	gm := tg.waitCalls(1, messagesTo("-1001234567"))[0]
	if gm.Fields["text"] != es("group_private_only_removed", nil) {
		t.Fatalf("group answer: %q", gm.Fields["text"])
	}
	del := tg.waitCalls(1, func(c sent) bool { return c.Method == "deleteMessage" })[0]
	if del.Fields["chat_id"] != "-1001234567" || del.Fields["message_id"] != fmt.Sprint(groupTip["message"].(map[string]any)["message_id"]) {
		t.Fatalf("deleted %+v", del.Fields)
	}

	// 6. An update the library cannot decode does not wedge the bot: it is
	// answered (a forward of unknown origin, with nothing to keep), and the
	// next one too.
	tg.push(map[string]any{"update_id": 15, "message": map[string]any{"message_id": 1, "date": 1, "chat": chat, "from": rep, "forward_origin": map[string]any{"type": "martian"}}})
	tg.push(message(16, rep, chat, command("", "/help", "")))
	got = tg.waitCalls(11, messagesTo(chatID))
	if got[9].Fields["text"] != es("unsupported_message", nil) || got[10].Fields["text"] != es("help", nil) {
		t.Fatalf("after an odd update: %q / %q", got[9].Fields["text"], got[10].Fields["text"])
	}

	// The reporter wipes the chat: the bot deletes the conversation's
	// messages, its own and the reporter's, newest first, and says nothing after.
	tg.push(map[string]any{"update_id": 17, "callback_query": map[string]any{
		"id": "cbqwipe", "from": rep, "chat_instance": "ci", "data": "wipe:0",
		"message": map[string]any{"message_id": 150, "date": time.Now().Unix(), "chat": chat},
	}})
	wipes := tg.waitCalls(2, func(c sent) bool { return c.Method == "deleteMessages" && c.Fields["chat_id"] == chatID })
	var newest, next []int
	_ = json.Unmarshal([]byte(wipes[0].Fields["message_ids"]), &newest)
	_ = json.Unmarshal([]byte(wipes[1].Fields["message_ids"]), &next)
	if len(newest) != 100 || newest[0] != 250 || !slices.Contains(next, 150) || !slices.Contains(next, 101) {
		t.Fatalf("wipe batches: %v / %v", wipes[0].Fields["message_ids"], wipes[1].Fields["message_ids"])
	}
	tg.push(message(18, rep, chat, command("", "/help", "")))
	got = tg.waitCalls(12, messagesTo(chatID))
	if got[11].Fields["text"] != es("help", nil) {
		t.Fatalf("a wipe left a message, or the bot stopped answering: %q", got[11].Fields["text"])
	}

	// The indexer running in the background has indexed the tip: the
	// investigator finds it by words of its second message.
	tg.push(message(19, inv, invChat, command("", "/search", "CAMIONETA gris")))
	if m := tg.waitCalls(6, messagesTo("9001"))[5]; !strings.Contains(m.Fields["text"], "#1 ") {
		t.Fatalf("/search: %q", m.Fields["text"])
	}

	// 7. SIGTERM: a clean exit, with every handled update confirmed.
	bot.stop(t)
	if !tg.confirmedBeyond(19) {
		t.Fatal("handled updates were not confirmed before exit")
	}

	// 8. Privacy canary: nothing identifying in Redis or in the log, in
	// decimal, hex or clear form.
	canaries := []string{
		"mercado Hidalgo", "camioneta", "cobro.example", "5550001", "54afb1", "54AFB1", reporterName, reporterFirst,
		"1001234567", "3bada087", receipt, strings.ReplaceAll(receipt, "-", ""), photoID, token, "AAHsecretTokenValue",
		secret, groupsOf(secret),
	}
	checkRedis(t, rs, canaries...)
	logs := bot.stderr.String()
	if !strings.Contains(logs, "tip stored") {
		t.Fatalf("expected the bot's log, got:\n%s", logs)
	}
	for _, s := range canaries {
		if strings.Contains(logs, s) {
			t.Errorf("log holds %q:\n%s", s, logs)
		}
	}
}

// groupsOf spaces a TOTP secret as the enrolment message shows it.
func groupsOf(s string) string {
	var parts []string
	for len(s) > 4 {
		parts, s = append(parts, s[:4]), s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

// checkRedis fails if any key or value in Redis contains a canary.
func checkRedis(t *testing.T, rs *redistest.Server, canaries ...string) {
	t.Helper()
	dump, err := rs.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(dump) == 0 {
		t.Fatal("Redis is empty: the canary would prove nothing")
	}
	for k, v := range dump {
		for _, s := range canaries {
			if strings.Contains(k, s) || bytes.Contains(v, []byte(s)) {
				t.Errorf("Redis key %q holds %q in clear", k, s)
			}
		}
	}
}

// Telegram rejecting the token stops start-up with exit status 2 naming
// the variable, without printing the token.
func TestTelegramBadTokenExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, "999:DIFFERENTtokenDIFFERENTtoken00")
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
	}
	prepare(t, cmd)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "VIGIA_TELEGRAM_TOKEN") || strings.Contains(string(out), "AAHsecret") {
		t.Fatalf("exit %v, output %q", err, out)
	}
}

// A photo sent "as a file" arrives from Telegram byte for byte, EXIF and
// GPS included: the bot downloads it, strips the metadata, keeps a sealed
// copy and tells the reporter. A file it cannot clean is kept as sent and
// the reporter is warned. The download link (it holds the token) is never
// logged.
func TestTelegramDocumentsAreDownloadedAndCleaned(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	es := func(id string, n ...int) string { return html.EscapeString(msg.Localize("es", id, nil, n...)) }
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	exif := "Exif\x00\x00GPSLatitude 19.4326 N"
	jpegFile := []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, byte(len(exif) + 2)}
	jpegFile = append(jpegFile, exif...)
	jpegFile = append(jpegFile, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00, // frame header: 1×1, one component
		0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x11, 0x22, 0xFF, 0xD9)
	tg.addFile("DOCJPEG", jpegFile)
	tg.addFile("DOCPDF", []byte("%PDF-1.7 /Author (Juan Perez)"))
	bot := startBot(t, tg, rs.URL())

	rep := user(reporterID, reporterName, reporterFirst, "es-MX")
	chat := privateChat(reporterID, reporterName, reporterFirst)
	chatID := "5550001"
	tg.push(message(1, rep, chat, map[string]any{"document": map[string]any{
		"file_id": "DOCJPEG", "file_unique_id": "dj", "file_name": "IMG_casa.jpg", "mime_type": "image/jpeg", "file_size": len(jpegFile)}}))
	first := tg.waitCalls(1, messagesTo(chatID))[0]
	if !strings.HasPrefix(first.Fields["text"], es("file_cleaned", 1)) {
		t.Fatalf("reply to a JPEG document: %q", first.Fields["text"])
	}
	tg.push(message(2, rep, chat, map[string]any{"document": map[string]any{
		"file_id": "DOCPDF", "file_unique_id": "dp", "file_name": "denuncia.pdf", "mime_type": "application/pdf", "file_size": 29}}))
	second := tg.waitCalls(2, messagesTo(chatID))[1]
	if !strings.HasPrefix(second.Fields["text"], es("file_not_cleaned")) {
		t.Fatalf("reply to a PDF: %q", second.Fields["text"])
	}
	// A compressed photo is downloaded and cleaned too; a document over
	// 20 MB stays a Telegram file id and the reporter hears it was not cleaned.
	tg.addFile("PHOTOJPEG", jpegFile)
	tg.push(message(3, rep, chat, map[string]any{"photo": []map[string]any{
		{"file_id": "PHOTOSMALL", "file_unique_id": "ps", "width": 90, "height": 90, "file_size": 10},
		{"file_id": "PHOTOJPEG", "file_unique_id": "pj", "width": 1280, "height": 960, "file_size": len(jpegFile)},
	}}))
	tg.push(message(4, rep, chat, map[string]any{"document": map[string]any{
		"file_id": "DOCHUGE", "file_unique_id": "dh", "file_name": "video.mov", "mime_type": "video/quicktime", "file_size": 21 << 20}}))
	got := tg.waitCalls(4, messagesTo(chatID))
	if !strings.HasPrefix(got[2].Fields["text"], es("file_cleaned", 1)) || !strings.HasPrefix(got[3].Fields["text"], es("file_not_cleaned")) {
		t.Fatalf("photo / huge document: %q / %q", got[2].Fields["text"], got[3].Fields["text"])
	}
	if n := len(tg.waitCalls(3, func(c sent) bool { return c.Method == "getFile" })); n != 3 {
		t.Fatalf("%d getFile calls, want 3 (the huge document is not fetched)", n)
	}
	// A caption that begins like a command ("/calle 5 de mayo") is the
	// tip's text: the file is cleaned all the same.
	tg.addFile("DOCCAPTION", jpegFile)
	tg.push(message(5, rep, chat, map[string]any{"caption": "/calle 5 de mayo, el halcón", "caption_entities": []map[string]any{{"type": "bot_command", "offset": 0, "length": 6}},
		"document": map[string]any{"file_id": "DOCCAPTION", "file_unique_id": "dc", "file_name": "IMG_calle.jpg", "mime_type": "image/jpeg", "file_size": len(jpegFile)}}))
	if got := tg.waitCalls(5, messagesTo(chatID)); !strings.HasPrefix(got[4].Fields["text"], es("file_cleaned", 1)) {
		t.Fatalf("a document captioned with a command: %q", got[4].Fields["text"])
	}
	checkRedis(t, rs, "GPSLatitude", "Juan Perez", "DOCJPEG", "DOCPDF", "IMG_casa", "PHOTOJPEG", "PHOTOSMALL", "DOCHUGE", "video.mov", "DOCCAPTION", "IMG_calle")
	bot.stop(t)
	if logs := bot.stderr.String(); strings.Contains(logs, token) || strings.Contains(logs, "/file/bot") {
		t.Fatalf("log holds the token or a download link:\n%s", logs)
	}
}

// A token revoked while the bot runs (401 on getUpdates) stops the bot
// with exit status 2, as a refused token at start-up does: one ERROR line
// says Telegram refused the token, stderr names the variable, and the
// token is never printed. (It used to warn every 30 s forever.)
func TestTelegramTokenRevokedWhileRunningExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL())
	rep := user(reporterID, reporterName, reporterFirst, "es-MX")
	tg.push(message(1, rep, privateChat(reporterID, reporterName, reporterFirst), command("", "/help", "")))
	tg.waitCalls(1, messagesTo(strconv.Itoa(reporterID)))
	tg.revoke()
	var err error
	select {
	case err = <-bot.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("vigia still running 20 s after its token was revoked\n%s", bot.stderr.String())
	}
	out := bot.stderr.String()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit %v, want status 2\n%s", err, out)
	}
	if strings.Count(out, `"level":"ERROR"`) != 1 || !strings.Contains(out, "refused the bot token") || !strings.Contains(out, "VIGIA_TELEGRAM_TOKEN") {
		t.Errorf("want one ERROR saying the token was refused and the variable named:\n%s", out)
	}
	if strings.Contains(out, "AAHsecret") {
		t.Errorf("the token was printed:\n%s", out)
	}
}
