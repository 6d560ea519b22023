package tests

import (
	"fmt"
	"html"
	"os/exec"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Community warnings through the real binary on Telegram: admins subscribe
// their groups (a member cannot), a warning posted in a group is deleted,
// two investigators approve, the broadcast survives a crash in the middle
// (each group gets it once), a group that removed the bot is skipped, and
// /retract deletes and corrects.
func TestTelegramCommunityWarnings(t *testing.T) {
	msg, _ := locales.Load()
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	tg.admins = map[string]bool{"7340014000": true}
	tg.forbidden = map[string]bool{"-1009470009": true}
	hold := make(chan struct{})
	t.Cleanup(func() {
		select {
		case <-hold:
		default:
			close(hold)
		}
	})
	start := func() *botProcess {
		cmd := exec.Command(binary, "serve")
		cmd.Env = []string{
			"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
			"VIGIA_INVESTIGATOR_2FA=off",
			"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(),
			"VIGIA_INVESTIGATORS=telegram:2002,telegram:2003", "VIGIA_PUBLISH_APPROVALS=2", "VIGIA_DEFAULT_LANGUAGE=en", "VIGIA_LOG_LEVEL=debug",
		}
		p := launch(t, cmd)
		return p
	}
	bot := start()
	admin := user(7340014000, "admin_del_grupo", "Admin", "es")
	member := user(7340014001, "vecina", "Vecina", "es")
	upd := 0
	nextID := func() int { upd++; return upd }
	group := func(id int) map[string]any {
		return map[string]any{"id": id, "type": "supergroup", "title": fmt.Sprintf("Vecinos %d", -id)}
	}

	// A member cannot subscribe; admins subscribe nine groups.
	tg.push(message(nextID(), member, group(-1009470001), command("", "/subscribe", "")))
	if got := tg.waitCalls(1, messagesTo("-1009470001"))[0].Fields["text"]; got != html.EscapeString(msg.Localize("es", "subscribe_not_admin", nil)) {
		t.Fatalf("member /subscribe: %q", got)
	}
	for g := 1009470001; g <= 1009470009; g++ {
		tg.push(message(nextID(), admin, group(-g), command("", "/subscribe", "")))
	}
	tg.waitCalls(8, func(c sent) bool { // -1009470009 removed the bot: its confirmation fails
		return c.Method == "sendMessage" && strings.HasPrefix(c.Fields["text"], html.EscapeString(strings.Split(msg.Localize("es", "subscribe_done", nil), " ")[0]))
	})

	// A warning posted in a group: the message is deleted; the answer names nobody.
	warning := message(nextID(), member, group(-1009470001), command("", "/warn", "Retén falso en la carretera esta noche"))
	warnMsgID := warning["message"].(map[string]any)["message_id"]
	tg.push(warning)
	del := tg.waitCalls(1, func(c sent) bool { return c.Method == "deleteMessage" })[0]
	if del.Fields["chat_id"] != "-1009470001" || del.Fields["message_id"] != fmt.Sprint(warnMsgID) {
		t.Fatalf("deleted %+v", del.Fields)
	}
	ack := tg.waitCalls(3, messagesTo("-1009470001"))[2].Fields["text"]
	if ack != html.EscapeString(msg.Localize("es", "warn_group_received", nil)+"\n\n"+msg.Localize("es", "warn_advice", nil)) || strings.Contains(ack, "ecina") {
		t.Fatalf("group acknowledgement: %q", ack)
	}

	// Two investigators approve; delivery starts and stalls at group -1009470005.
	tg.mu.Lock()
	tg.hold = map[string]chan struct{}{"-1009470005": hold}
	tg.mu.Unlock()
	for _, id := range []int{2002, 2003} {
		inv := user(id, fmt.Sprint("inv", id), "Inv", "en")
		tg.push(message(nextID(), inv, privateChat(id, fmt.Sprint("inv", id), "Inv"), command("", "/publish", "1 Cuidado: retén falso en la carretera esta noche.")))
		tg.waitCalls(1, messagesTo(fmt.Sprint(id)))
	}
	header := html.EscapeString(strings.Split(msg.Localize("es", "broadcast_header", map[string]any{"Date": "x"}), "x")[0])
	isWarning := func(c sent) bool {
		return c.Method == "sendMessage" && strings.HasPrefix(c.Fields["text"], header)
	}
	// Wait until group -1009470005 has received it (the answer is held back).
	tg.waitCalls(1, func(c sent) bool { return isWarning(c) && c.Fields["chat_id"] == "-1009470005" })
	// The process dies in the middle of the broadcast; it starts again.
	_ = bot.cmd.Process.Kill()
	<-bot.done
	close(hold)
	bot = start()
	report := tg.waitCalls(1, func(c sent) bool {
		return strings.Contains(c.Fields["text"], "Warning #1: delivered")
	})[0].Fields["text"]
	per := map[string]int{}
	for _, c := range tg.waitCalls(8, isWarning) {
		per[c.Fields["chat_id"]]++
	}
	for g := 1009470001; g <= 1009470008; g++ {
		if per[fmt.Sprint(-g)] != 1 {
			t.Errorf("group %d got the warning %d times", -g, per[fmt.Sprint(-g)])
		}
	}
	if !strings.Contains(report, "delivered to 7 of 9") || !strings.Contains(report, "1 had removed the bot") || !strings.Contains(report, "1 unconfirmed") {
		t.Fatalf("report: %q", report)
	}

	// Retract: the delivered messages are deleted and a correction posted.
	inv := user(2002, "inv2002", "Inv", "en")
	tg.push(message(nextID(), inv, privateChat(2002, "inv2002", "Inv"), command("", "/retract", "1")))
	tg.waitCalls(8, func(c sent) bool { return c.Method == "deleteMessage" }) // 1 warning + 7 broadcasts
	bot.stop(t)
	for _, c := range tg.calls {
		if c.Method == "sendMessage" && (strings.Contains(c.Fields["text"], "ecina") || strings.Contains(c.Fields["text"], "7340014001")) {
			t.Fatalf("the submitter was named: %s", c.Fields["text"])
		}
	}
	checkRedis(t, rs, "Retén", "carretera", "-1009470001", "1009470001", "vecina", "7340014001")
}

// The same on Discord: only a member with Manage Channels subscribes a
// channel; a warning sent with /warn reaches it once approved.
func TestDiscordCommunityWarnings(t *testing.T) {
	msg, _ := locales.Load()
	rs, dc, bot, respond := startDiscordWarnings(t)
	withPerms := func(i map[string]any, perms string) map[string]any {
		i["member"].(map[string]any)["permissions"] = perms
		i["guild_locale"] = "es-419"
		return i
	}
	member := duser(dReporter, dReporterName)
	mod := duser("498765432109870009", "moderadora")
	if got := respond(withPerms(interaction(2, dChannel, dGuild, member, map[string]any{"id": "1", "name": "subscribe", "type": 1}, "en-US"), "0")); got != msg.Localize("en", "subscribe_not_admin", nil) {
		t.Fatalf("member subscribe: %q", got)
	}
	if got := respond(withPerms(interaction(2, dChannel, dGuild, mod, map[string]any{"id": "1", "name": "subscribe", "type": 1}, "en-US"), "16")); !strings.HasPrefix(got, "This chat will receive community warnings in Español") {
		t.Fatalf("moderator subscribe: %q", got)
	}
	if got := respond(interaction(2, dChannel, dGuild, member, map[string]any{"id": "2", "name": "warn", "type": 1,
		"options": []any{map[string]any{"name": "text", "type": 3, "value": "Cuentas falsas piden donaciones en nombre del colectivo"}}}, "es-419")); !strings.Contains(got, "CÓDIGO") && receiptPattern.FindString(got) == "" {
		t.Fatalf("warn: %q", got)
	}
	// Each investigator sees exactly what would go out, and approves it
	// with the button under it.
	for _, id := range []string{dInvestigator, "498765432109870002"} {
		inv := duser(id, "inv"+id[len(id)-2:])
		i := interaction(2, dChannel, dGuild, inv, map[string]any{"id": "3", "name": "publish", "type": 1,
			"options": []any{map[string]any{"name": "number", "type": 4, "value": 1}}}, "en-US")
		dc.dispatch("INTERACTION_CREATE", i)
		preview := dc.waitCalls(1, callbackFor(i["id"].(string)))[0].JSON["data"].(map[string]any)
		pub := findCustomID(preview["components"], "pub:")
		if !strings.Contains(unescape(preview["content"].(string)), "\n\nCuentas falsas piden donaciones en nombre del colectivo\n\n") || pub == "" {
			t.Fatalf("preview: %v", preview)
		}
		if got := respond(interaction(3, dChannel, dGuild, inv, map[string]any{"custom_id": pub, "component_type": 2}, "en-US")); !strings.HasPrefix(got, "Approved (1") && !strings.HasPrefix(got, "Warning #1 is being delivered") {
			t.Fatalf("approval: %q", got)
		}
	}
	got := dc.waitCalls(1, func(c discordCall) bool {
		return c.Method == "POST" && c.Path == "/channels/"+dChannel+"/messages" && strings.Contains(unescape(fmt.Sprint(c.JSON["content"])), "Cuentas falsas")
	})[0]
	if !strings.HasPrefix(unescape(got.JSON["content"].(string)), strings.Split(msg.Localize("es", "broadcast_header", map[string]any{"Date": "x"}), "x")[0]) {
		t.Fatalf("broadcast: %s", got.Raw)
	}
	bot.stop(t)
	checkRedis(t, rs, "Cuentas falsas", dChannel, dReporter, dReporterName)
}

// A community warning longer than one Discord message reaches the channel
// as text every member reads: in the messages' own text, in parts if it
// must, never in an embed. Discord shows an embed to no member who turned
// off "Show embeds and preview website links" (a setting people wary of
// link previews turn off), and drops it from the message, answering 200,
// where the bot lacks Embed Links (not among the permissions the README's
// invite asks for): the community would read the header alone, recorded
// as delivered.
// Mutation: the warning in an embed under the header (9dc50cc) -> the
// messages' text held the header only.
func TestDiscordLongWarningIsInTheMessagesText(t *testing.T) {
	msg, _ := locales.Load()
	_, dc, bot, respond := startDiscordWarnings(t)
	mod := duser("498765432109870009", "moderadora")
	sub := interaction(2, dChannel, dGuild, mod, map[string]any{"id": "1", "name": "subscribe", "type": 1}, "en-US")
	sub["member"].(map[string]any)["permissions"] = "16"
	if got := respond(sub); !strings.HasPrefix(got, "This chat will receive community warnings") {
		t.Fatalf("moderator subscribe: %q", got)
	}
	var lines []string
	for n := 1; n <= 30; n++ {
		lines = append(lines, fmt.Sprintf("Tramo %d: un retén falso en la carretera a Toluca pide \"cooperación\" a quien pasa; no se detengan.", n))
	}
	warning := strings.Join(lines, "\n") // about 3,000 characters, past one message's 2,000
	if got := respond(interaction(2, dChannel, dGuild, duser(dReporter, dReporterName), map[string]any{"id": "2", "name": "warn", "type": 1,
		"options": []any{map[string]any{"name": "text", "type": 3, "value": warning}}}, "es-419")); !strings.Contains(got, "CÓDIGO") && receiptPattern.FindString(got) == "" {
		t.Fatalf("warn: %q", got)
	}
	for _, id := range []string{dInvestigator, "498765432109870002"} {
		inv := duser(id, "inv"+id[len(id)-2:])
		i := interaction(2, dChannel, dGuild, inv, map[string]any{"id": "3", "name": "publish", "type": 1,
			"options": []any{map[string]any{"name": "number", "type": 4, "value": 1}}}, "en-US")
		dc.dispatch("INTERACTION_CREATE", i)
		// The preview is long too: its button is on its last part, a
		// follow-up through the interaction's token.
		pub := findCustomID(dc.waitCalls(1, func(c discordCall) bool {
			return c.Method == "POST" && strings.Contains(c.Path, "/"+i["token"].(string)) && findCustomID(c.JSON["components"], "pub:") != ""
		})[0].JSON["components"], "pub:")
		if got := respond(interaction(3, dChannel, dGuild, inv, map[string]any{"custom_id": pub, "component_type": 2}, "en-US")); !strings.HasPrefix(got, "Approved (1") && !strings.HasPrefix(got, "Warning #1 is being delivered") {
			t.Fatalf("approval: %q", got)
		}
	}
	toChannel := func(c discordCall) bool { return c.Method == "POST" && c.Path == "/channels/"+dChannel+"/messages" }
	// Sent once its last line is: in a message's text, or in an embed.
	dc.waitCalls(1, func(c discordCall) bool { return toChannel(c) && strings.Contains(fmt.Sprint(c.JSON), "Tramo 30") })
	bot.stop(t)
	dc.mu.Lock()
	calls := append([]discordCall(nil), dc.calls...)
	dc.mu.Unlock()
	var text strings.Builder
	for _, c := range calls {
		if !toChannel(c) {
			continue
		}
		if embeds, _ := c.JSON["embeds"].([]any); len(embeds) > 0 {
			t.Errorf("a message with %d embeds: %s", len(embeds), c.Raw)
		}
		text.WriteString(unescape(fmt.Sprint(c.JSON["content"])))
	}
	header := strings.Split(msg.Localize("en", "broadcast_header", map[string]any{"Date": "x"}), "x")[0]
	if got := text.String(); !strings.HasPrefix(got, header) || !strings.HasSuffix(got, "\n\n"+warning) {
		t.Errorf("the channel's messages read %q, want the header and the whole warning", got)
	}
}

// startDiscordWarnings starts the binary on Discord with two
// investigators, two approvals to publish, and its Redis; respond
// dispatches an interaction and returns the text of its response.
func startDiscordWarnings(t *testing.T) (rs *redistest.Server, dc *fakeDiscord, bot *botProcess, respond func(i map[string]any) string) {
	t.Helper()
	rs = redistest.Start(t)
	dc = newFakeDiscord(t)
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + dc.URL(),
		"VIGIA_DISCORD_GUILD_ID=" + dGuild, "VIGIA_INVESTIGATORS=discord:" + dInvestigator + ",discord:498765432109870002",
		"VIGIA_PUBLISH_APPROVALS=2", "VIGIA_DEFAULT_LANGUAGE=en",
	}
	bot = launch(t, cmd)
	dc.waitCalls(1, pathHas("PUT", "/commands"))
	respond = func(i map[string]any) string {
		dc.dispatch("INTERACTION_CREATE", i)
		d := dc.waitCalls(1, callbackFor(i["id"].(string)))[0].JSON["data"].(map[string]any)
		return unescape(d["content"].(string))
	}
	return rs, dc, bot, respond
}
