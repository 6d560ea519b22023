package tests

import (
	"html"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// The triage lifecycle through the real binary on Telegram: invite, redeem,
// submit (allowing questions), next, ask, the reporter answers by replying,
// verified by button, the reporter sees it, and the audit log has it all.
func TestTelegramTriageLifecycle(t *testing.T) {
	msg, _ := locales.Load()
	en := func(id string, data map[string]any) string { return html.EscapeString(msg.Localize("en", id, data)) }
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
		"VIGIA_ADMINS=telegram:1001", "VIGIA_DEFAULT_LANGUAGE=en", "VIGIA_LOG_LEVEL=debug",
	}
	bot := launch(t, cmd)
	admin := user(1001, "ada_admin", "Ada", "en")
	adminChat := privateChat(1001, "ada_admin", "Ada")
	inv := user(2002, "ana_fiscal", "Ana", "en")
	invChat := privateChat(2002, "ana_fiscal", "Ana")
	rep := user(reporterID, reporterName, reporterFirst, "es")
	repChat := privateChat(reporterID, reporterName, reporterFirst)
	upd := 0
	nextID := func() int { upd++; return upd }
	cb := func(from, chat map[string]any, data string) map[string]any {
		return map[string]any{"update_id": nextID(), "callback_query": map[string]any{
			"id": "cb" + data, "from": from, "chat_instance": "ci", "data": data,
			"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": chat},
		}}
	}

	// Invite and redeem.
	tg.push(message(nextID(), admin, adminChat, command("", "/invite", "investigator")))
	inviteMsg := tg.waitCalls(1, messagesTo("1001"))[0]
	code := receiptPattern.FindString(inviteMsg.Fields["text"])
	if code == "" || inviteMsg.Fields["protect_content"] != "true" {
		t.Fatalf("invite: %+v", inviteMsg.Fields)
	}
	tg.push(message(nextID(), inv, invChat, command("", "/redeem", code)))
	if got := tg.waitCalls(1, messagesTo("2002"))[0].Fields["text"]; got != en("redeem_ok", map[string]any{"Role": msg.Localize("en", "role_investigator", nil)}) {
		t.Fatalf("redeem: %q", got)
	}

	// A tip, with questions allowed.
	tg.push(message(nextID(), rep, repChat, map[string]any{"text": tipText}))
	first := tg.waitCalls(1, messagesTo(reporterID5))[0]
	var send, allow string
	for _, d := range buttons(first) {
		if strings.HasPrefix(d, "send:") {
			send = d
		}
		if strings.HasPrefix(d, "fu:") && strings.HasSuffix(d, ":1") {
			allow = d
		}
	}
	if allow == "" {
		t.Fatalf("no follow-up toggle: %v", buttons(first))
	}
	tg.push(cb(rep, repChat, allow))
	tg.push(cb(rep, repChat, send))
	receipt := receiptPattern.FindString(tg.waitCalls(4, messagesTo(reporterID5))[2].Fields["text"])
	if receipt == "" {
		t.Fatal("no receipt")
	}

	// Next, ask; the question reaches the reporter in Spanish, unsigned.
	tg.push(message(nextID(), inv, invChat, command("", "/next", "")))
	nextMsg := tg.waitCalls(2, messagesTo("2002"))[1]
	if !strings.Contains(nextMsg.Fields["text"], "mercado Hidalgo") || !strings.Contains(nextMsg.Fields["reply_markup"], "tr:1:verified") {
		t.Fatalf("next: %+v", nextMsg.Fields)
	}
	tg.push(message(nextID(), inv, invChat, command("", "/ask", "1 ¿A qué hora llegan?")))
	question := tg.waitCalls(5, messagesTo(reporterID5))[4]
	if !strings.Contains(question.Fields["text"], "¿A qué hora llegan?") || strings.Contains(question.Fields["text"], "Ana") || !strings.Contains(question.Fields["reply_markup"], "ans:1") {
		t.Fatalf("question: %+v", question.Fields)
	}
	// Once the question is recorded (the investigator is told it went),
	// the reporter replies to it. (Chats are handled in parallel: a reply
	// sent the instant the question left could overtake the recording; a
	// person reads it first.)
	tg.waitCalls(3, messagesTo("2002"))
	qid, _ := strconv.Atoi(question.Fields["_message_id"])
	reply := message(nextID(), rep, repChat, map[string]any{"text": "A las nueve de la noche",
		"reply_to_message": map[string]any{"message_id": qid, "date": 1, "chat": repChat, "from": map[string]any{"id": 999000, "is_bot": true, "first_name": "Vigía"}}})
	tg.push(reply)
	if got := tg.waitCalls(6, messagesTo(reporterID5))[5].Fields["text"]; got != html.EscapeString(msg.Localize("es", "answer_done", nil)) {
		t.Fatalf("answer: %q", got)
	}
	if got := tg.waitCalls(4, messagesTo("2002"))[3].Fields["text"]; !strings.Contains(got, "A las nueve de la noche") {
		t.Fatalf("the investigator was not told the answer: %q", got)
	}

	// Verified by button; the reporter sees the public status.
	tg.push(cb(inv, invChat, "tr:1:verified"))
	if got := tg.waitCalls(5, messagesTo("2002"))[4].Fields["text"]; got != en("triage_done", map[string]any{"ID": "1", "Status": msg.Localize("en", "status_verified", nil)}) {
		t.Fatalf("verify button: %q", got)
	}
	tg.push(message(nextID(), rep, repChat, command("", "/status", receipt)))
	status := tg.waitCalls(7, messagesTo(reporterID5))[6].Fields["text"]
	if !strings.Contains(status, html.EscapeString(strings.Split(msg.Localize("es", "status_confirmed", map[string]any{"Age": "x"}), "x")[1])) {
		t.Fatalf("reporter status: %q", status)
	}

	// The audit log has every team step; of a question, its length (the
	// text is in the tip's history, and goes with the tip).
	tg.push(message(nextID(), admin, adminChat, command("", "/audit", "")))
	audit := html.UnescapeString(tg.waitCalls(2, messagesTo("1001"))[1].Fields["text"])
	audit = strings.NewReplacer("\u2068", "", "\u2069", "").Replace(audit) // the isolates around names and arguments
	asked := "/ask 1 " + msg.Localize("en", "audit_text_withheld", nil, len([]rune("¿A qué hora llegan?")))
	for _, want := range []string{"/invite investigator", "/redeem investigator", "/next", asked, "/triage 1 verified (button)", "Ana @ana_fiscal"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
	if strings.Contains(audit, "A qué hora") {
		t.Errorf("audit holds a question's text:\n%s", audit)
	}
	bot.stop(t)

	// Nothing about the reporter reached the investigator or the admin, Redis or the log.
	for _, c := range tg.calls {
		if c.Method == "sendMessage" && (c.Fields["chat_id"] == "2002" || c.Fields["chat_id"] == "1001") {
			for _, leak := range []string{reporterID5, reporterName, reporterFirst} {
				if strings.Contains(c.Fields["text"], leak) {
					t.Errorf("a team member was shown %q: %s", leak, c.Fields["text"])
				}
			}
		}
	}
	checkRedis(t, rs, "mercado Hidalgo", "nueve de la noche", "A qué hora", reporterID5, "54afb1", reporterName, reporterFirst, receipt, code, "ana_fiscal")
	logs := bot.stderr.String()
	for _, leak := range []string{"mercado Hidalgo", "nueve", reporterID5, reporterName, reporterFirst, receipt, code} {
		if strings.Contains(logs, leak) {
			t.Errorf("log holds %q", leak)
		}
	}
}

const reporterID5 = "5550001"

// The same lifecycle on Discord: a member reports by /report, an
// investigator vetted by invitation takes it with /next and asks; the
// question reaches the member by DM; they press Answer and write.
func TestDiscordTriageLifecycle(t *testing.T) {
	msg, _ := locales.Load()
	rs := redistest.Start(t)
	dc := newFakeDiscord(t)
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + dc.URL(),
		"VIGIA_DISCORD_GUILD_ID=" + dGuild, "VIGIA_ADMINS=discord:" + dInvestigator, "VIGIA_DEFAULT_LANGUAGE=en",
	}
	bot := launch(t, cmd)
	dc.waitCalls(1, pathHas("PUT", "/commands"))
	respond := func(i map[string]any) map[string]any {
		dc.dispatch("INTERACTION_CREATE", i)
		return dc.waitCalls(1, callbackFor(i["id"].(string)))[0].JSON["data"].(map[string]any)
	}
	content := func(d map[string]any) string { return unescape(d["content"].(string)) }
	admin := duser(dInvestigator, "fiscal")
	newInv := duser("498765432109870001", "nueva_fiscal")
	member := duser(dReporter, dReporterName)

	// The admin invites; the new investigator redeems in a DM.
	code := receiptPattern.FindString(content(respond(interaction(2, dChannel, dGuild, admin, map[string]any{"id": "1", "name": "invite", "type": 1,
		"options": []any{map[string]any{"name": "role", "type": 3, "value": "investigator"}}}, "en-US"))))
	if code == "" {
		t.Fatal("no invitation code")
	}
	if got := content(respond(interaction(2, dDMChannel, "", newInv, map[string]any{"id": "2", "name": "redeem", "type": 1,
		"options": []any{map[string]any{"name": "code", "type": 3, "value": code}}}, "en-US"))); got != msg.Localize("en", "redeem_ok", map[string]any{"Role": msg.Localize("en", "role_investigator", nil)}) {
		t.Fatalf("redeem: %q", got)
	}

	// A member reports through the form and allows questions.
	respond(interaction(2, dChannel, dGuild, member, map[string]any{"id": "3", "name": "report", "type": 1}, "es-419"))
	d := respond(interaction(5, dChannel, dGuild, member, map[string]any{"custom_id": "report", "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "tip", "value": dTipText}}},
	}}, "es-419"))
	allow, send := findCustomID(d["components"], "fu:"), findCustomID(d["components"], "send:")
	respond(interaction(3, dChannel, dGuild, member, map[string]any{"custom_id": allow, "component_type": 2}, "es-419"))
	respond(interaction(3, dChannel, dGuild, member, map[string]any{"custom_id": send, "component_type": 2}, "es-419"))

	// The investigator takes it and asks; the question goes to the member by DM.
	next := content(respond(interaction(2, dChannel, dGuild, newInv, map[string]any{"id": "4", "name": "next", "type": 1}, "en-US")))
	if !strings.Contains(next, "tenderos") || strings.Contains(next, dReporterName) {
		t.Fatalf("next: %q", next)
	}
	respond(interaction(2, dChannel, dGuild, newInv, map[string]any{"id": "5", "name": "ask", "type": 1, "options": []any{
		map[string]any{"name": "number", "type": 4, "value": 1}, map[string]any{"name": "question", "type": 3, "value": "¿Cuánto cobran?"}}}, "en-US"))
	dm := dc.waitCalls(1, pathHas("POST", "/channels/1300000000000000001/messages"))[0]
	answer := findCustomID(dm.JSON["components"], "ans:1:")
	if !strings.Contains(unescape(dm.JSON["content"].(string)), "¿Cuánto cobran?") || answer == "" {
		t.Fatalf("question by DM: %s", dm.Raw)
	}
	// The member presses Answer in the DM and writes the answer.
	if got := content(respond(interaction(3, "1300000000000000001", "", member, map[string]any{"custom_id": answer, "component_type": 2}, "es-419"))); got != msg.Localize("es", "answer_prompt", nil) {
		t.Fatalf("answer prompt: %q", got)
	}
	dc.dispatch("MESSAGE_CREATE", map[string]any{"id": "1600000000000000900", "channel_id": "1300000000000000001", "author": member,
		"content": "Quinientos pesos por semana", "timestamp": "2026-11-28T10:00:00Z"})
	dc.waitCalls(2, pathHas("POST", "/channels/1300000000000000001/messages"))
	tip := content(respond(interaction(2, dChannel, dGuild, newInv, map[string]any{"id": "6", "name": "tip", "type": 1,
		"options": []any{map[string]any{"name": "number", "type": 4, "value": 1}}}, "en-US")))
	if !strings.Contains(tip, "Quinientos pesos por semana") || !strings.Contains(tip, "¿Cuánto cobran?") {
		t.Fatalf("tip history: %q", tip)
	}
	bot.stop(t)
	checkRedis(t, rs, "tenderos", "Quinientos", "Cuánto cobran", dReporter, dReporterName, "nueva_fiscal", code)
}
