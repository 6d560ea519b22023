package tests

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

const (
	discordToken  = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GfAkE1.fake-discord-token-value-0123456789abcdefgh"
	dReporter     = "412345678901234567"
	dReporterName = "vecina_valiente"
	dDMReporter   = "412345678901234999"
	dInvestigator = "498765432109876543"
	dGuild        = "600000000000000001"
	dChannel      = "700000000000000001"
	dDMChannel    = "800000000000000001"
	dInvChannel   = "700000000000000009"
	dTipText      = "Extorsionan a los tenderos del barrio Obrero, ver https://cobros.example/lista"
	dDMText       = "foto del camión que usan los halcones"
	dPhoto        = "\xff\xd8\xff\xe0 fake jpeg bytes with a secret inside"
)

// unescape undoes Discord markdown escaping, as a client shows the text.
func unescape(s string) string {
	return regexp.MustCompile(`\\(.)`).ReplaceAllString(s, "$1")
}

var interactionSeq = 1400000000000000000

func interaction(typ int, channel, guild string, user map[string]any, data map[string]any, locale string) map[string]any {
	interactionSeq++
	i := map[string]any{
		"id": itoa(interactionSeq), "application_id": "1100000000000000001", "type": typ, "token": "itoken-" + itoa(interactionSeq),
		"channel_id": channel, "data": data, "locale": locale, "version": 1,
	}
	if guild != "" {
		i["guild_id"] = guild
		i["member"] = map[string]any{"user": user, "roles": []string{}}
		// As Discord: the bot's permissions in the channel (View Channel,
		// Send Messages).
		i["app_permissions"] = "3072"
	} else {
		i["user"] = user
	}
	return i
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func duser(id, name string) map[string]any {
	return map[string]any{"id": id, "username": name, "global_name": name, "discriminator": "0"}
}

// callback returns the interaction callbacks for interaction id.
func callbackFor(id string) func(discordCall) bool {
	return func(c discordCall) bool {
		return c.Method == "POST" && strings.HasPrefix(c.Path, "/interactions/"+id+"/")
	}
}

func TestDiscordEndToEnd(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	dc := newFakeDiscord(t)
	dc.files["photo.jpg"] = []byte(dPhoto)
	tg := newFakeTelegram(t, token) // both platforms in one process, one engine
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + dc.URL(),
		"VIGIA_DISCORD_GUILD_ID=" + dGuild, "VIGIA_LOG_LEVEL=debug",
		"VIGIA_INVESTIGATOR_CHATS=discord:" + dInvChannel,
		"VIGIA_TELEGRAM_TOKEN=" + token, "VIGIA_TELEGRAM_API_URL=" + tg.URL(), "VIGIA_INVESTIGATORS=discord:" + dInvestigator + ",telegram:9001",
	}
	bot := launch(t, cmd)

	// 1. One bulk overwrite on the test guild: every command, every locale.
	reg := dc.waitCalls(1, pathHas("PUT", "/guilds/"+dGuild+"/commands"))[0]
	var cmds []map[string]any
	if err := jsonUnmarshal(reg.Raw, &cmds); err != nil {
		t.Fatal(err)
	}
	names := map[string]map[string]any{}
	for _, c := range cmds {
		names[c["name"].(string)] = c
		for _, field := range []string{"name_localizations", "description_localizations"} {
			loc, _ := c[field].(map[string]any)
			for _, l := range []string{"en-US", "en-GB", "es-ES", "es-419", "pt-BR", "fr"} {
				if s, _ := loc[l].(string); s == "" {
					t.Errorf("command %s lacks %s for %s", c["name"], field, l)
				}
			}
		}
	}
	for _, n := range []string{"start", "help", "report", "status", "language", "cancel", "recent", "tip"} {
		if names[n] == nil {
			t.Errorf("command %s not registered", n)
		}
	}
	if got := names["report"]["name_localizations"].(map[string]any)["es-419"]; got != msg.Localize("es", "command_report_name", nil) {
		t.Errorf("es-419 name of report: %v", got)
	}
	statusOpt := names["status"]["options"].([]any)[0].(map[string]any)
	if statusOpt["description_localizations"].(map[string]any)["fr"] != msg.Localize("fr", "arg_status_code", nil) || statusOpt["required"] != true {
		t.Errorf("status option: %v", statusOpt)
	}
	if ident := dc.ident; ident == nil || ident["d"].(map[string]any)["token"] != "Bot "+discordToken {
		t.Errorf("identify: %v", dc.ident)
	}

	// 2. /report in a server channel opens the form.
	member := duser(dReporter, dReporterName)
	i1 := interaction(2, dChannel, dGuild, member, map[string]any{"id": "1", "name": "report", "type": 1}, "es-419")
	dc.dispatch("INTERACTION_CREATE", i1)
	form := dc.waitCalls(1, callbackFor(i1["id"].(string)))[0]
	if form.JSON["type"] != float64(9) || form.JSON["data"].(map[string]any)["custom_id"] != "report" ||
		form.JSON["data"].(map[string]any)["title"] != msg.Localize("es", "report_form_title", nil) {
		t.Fatalf("report answer: %s", form.Raw)
	}

	// 3. The form comes back: the draft starts, privately (ephemeral).
	i2 := interaction(5, dChannel, dGuild, member, map[string]any{"custom_id": "report", "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "tip", "value": dTipText}}},
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "links", "value": ""}}},
	}}, "es-419")
	dc.dispatch("INTERACTION_CREATE", i2)
	started := dc.waitCalls(1, callbackFor(i2["id"].(string)))[0]
	d := started.JSON["data"].(map[string]any)
	if started.JSON["type"] != float64(4) || int(d["flags"].(float64))&64 == 0 {
		t.Fatalf("draft answer not an ephemeral message: %s", started.Raw)
	}
	if !strings.Contains(unescape(d["content"].(string)), msg.Localize("es", "draft_started_server", nil)) {
		t.Fatalf("draft answer: %q", d["content"])
	}
	send := findCustomID(d["components"], "send:")
	if send == "" {
		t.Fatalf("no Send button: %s", started.Raw)
	}

	// 4. Send: the receipt, ephemeral, then the safety advice as a follow-up.
	i3 := interaction(3, dChannel, dGuild, member, map[string]any{"custom_id": send, "component_type": 2}, "es-419")
	dc.dispatch("INTERACTION_CREATE", i3)
	sent := dc.waitCalls(1, callbackFor(i3["id"].(string)))[0]
	sd := sent.JSON["data"].(map[string]any)
	receipt := receiptPattern.FindString(unescape(sd["content"].(string)))
	if receipt == "" || int(sd["flags"].(float64))&64 == 0 {
		t.Fatalf("send answer: %s", sent.Raw)
	}
	advice := dc.waitCalls(1, pathHas("POST", "/webhooks/1100000000000000001/"+i3["token"].(string)))[0]
	if unescape(advice.JSON["content"].(string)) != asShownIn(msg, "es", msg.Localize("es", "safety_advice_discord", map[string]any{"Platform": "Discord", "Receipt": receipt})) || int(advice.JSON["flags"].(float64))&64 == 0 {
		t.Fatalf("advice: %s", advice.Raw)
	}

	// 5. A tip by DM, with a photo, like a Telegram private chat.
	dmUser := duser(dDMReporter, "otro_vecino")
	dc.dispatch("MESSAGE_CREATE", map[string]any{
		"id": "1600000000000000001", "channel_id": dDMChannel, "author": dmUser, "content": dDMText, "timestamp": "2026-11-28T10:00:00Z",
		"attachments": []any{map[string]any{"id": "1", "filename": "IMG_casa_de_juan.jpg", "content_type": "image/jpeg", "size": len(dPhoto), "url": dc.URL() + "/cdn/photo.jpg"}},
	})
	dm := dc.waitCalls(1, pathHas("POST", "/channels/"+dDMChannel+"/messages"))[0]
	if !strings.Contains(unescape(dm.JSON["content"].(string)), msg.Localize("es", "draft_started", nil)) {
		t.Fatalf("DM answer: %s", dm.Raw)
	}
	dmSend := findCustomID(dm.JSON["components"], "send:")
	i4 := interaction(3, dDMChannel, "", dmUser, map[string]any{"custom_id": dmSend, "component_type": 2}, "en-US")
	dc.dispatch("INTERACTION_CREATE", i4)
	dmReceipt := receiptPattern.FindString(unescape(dc.waitCalls(1, callbackFor(i4["id"].(string)))[0].JSON["data"].(map[string]any)["content"].(string)))
	if dmReceipt == "" {
		t.Fatal("no receipt for the DM tip")
	}

	// An edit of the DM is answered (what is kept does not change), once;
	// the update Discord sends when it adds a link's preview is not an
	// edit (no edit time) and is not answered. Each waits its turn behind
	// the author's earlier events, so the answers come in their order.
	dmPosts := len(dc.waitCalls(1, pathHas("POST", "/channels/"+dDMChannel+"/messages")))
	for _, u := range []map[string]any{
		{"id": "1600000000000000004", "channel_id": dDMChannel, "author": dmUser, "content": "mira https://cobros.example/lista", "timestamp": "2026-11-28T10:00:00Z", "edited_timestamp": nil,
			"embeds": []any{map[string]any{"type": "link", "url": "https://cobros.example/lista"}}},
		{"id": "1600000000000000001", "channel_id": dDMChannel, "author": dmUser, "content": "sin nombres", "timestamp": "2026-11-28T10:00:00Z", "edited_timestamp": "2026-11-28T10:05:00Z"},
		{"id": "1600000000000000001", "channel_id": dDMChannel, "author": dmUser, "content": "sin nombres 2", "timestamp": "2026-11-28T10:00:00Z", "edited_timestamp": "2026-11-28T10:06:00Z"},
		{"id": "1600000000000000002", "channel_id": dDMChannel, "author": dmUser, "content": "otra", "timestamp": "2026-11-28T10:01:00Z", "edited_timestamp": "2026-11-28T10:07:00Z"},
	} {
		dc.dispatch("MESSAGE_UPDATE", u)
	}
	// A command after them: its answer comes after theirs. The answers
	// are in English: the member's Discord speaks en-US, as their press of
	// Send said (a DM carries no locale; the last interaction's counts).
	dc.dispatch("MESSAGE_CREATE", map[string]any{"id": "1600000000000000003", "channel_id": dDMChannel, "author": dmUser, "content": "/help", "timestamp": "2026-11-28T10:08:00Z"})
	posts := dc.waitCalls(dmPosts+3, pathHas("POST", "/channels/"+dDMChannel+"/messages"))
	for n, p := range posts[dmPosts : dmPosts+3] {
		if got := unescape(p.JSON["content"].(string)); (got == msg.Localize("en", "edit_not_applied", nil)) != (n < 2) {
			t.Fatalf("answer %d to a preview's update, three edits of two messages, then /help: %q (want one answer per edited message)", n, got)
		}
	}

	// 6. A non-investigator asking for /recent is answered like an unknown command.
	i5 := interaction(2, dChannel, dGuild, member, map[string]any{"id": "2", "name": "recent", "type": 1}, "es-419")
	dc.dispatch("INTERACTION_CREATE", i5)
	refused := dc.waitCalls(1, callbackFor(i5["id"].(string)))[0]
	if unescape(refused.JSON["data"].(map[string]any)["content"].(string)) != asShownIn(msg, "es", msg.Localize("es", "unknown_command", nil)) {
		t.Fatalf("reporter /recent: %s", refused.Raw)
	}

	// 7. The investigator lists both tips and reads the DM one with its photo.
	inv := duser(dInvestigator, "fiscal")
	i6 := interaction(2, dChannel, dGuild, inv, map[string]any{"id": "2", "name": "recent", "type": 1}, "en-US")
	dc.dispatch("INTERACTION_CREATE", i6)
	list := unescape(dc.waitCalls(1, callbackFor(i6["id"].(string)))[0].JSON["data"].(map[string]any)["content"].(string))
	if !strings.Contains(list, "#1 ") || !strings.Contains(list, "#2 ") || !strings.Contains(list, "hxxps://cobros[.]example/lista") {
		t.Fatalf("/recent: %q", list)
	}
	i7 := interaction(2, dChannel, dGuild, inv, map[string]any{"id": "3", "name": "tip", "type": 1,
		"options": []any{map[string]any{"name": "number", "type": 4, "value": 2}}}, "en-US")
	dc.dispatch("INTERACTION_CREATE", i7)
	tipCall := dc.waitCalls(1, callbackFor(i7["id"].(string)))[0]
	if !strings.Contains(unescape(tipCall.JSON["data"].(map[string]any)["content"].(string)), dDMText) {
		t.Fatalf("/tip 2: %s", tipCall.Raw)
	}
	// The photo follows as its own message (Discord caps files per message).
	var photo []byte
	for _, b := range dc.waitCalls(1, pathHas("POST", "/webhooks/1100000000000000001/"+i7["token"].(string)))[0].Files {
		photo = b
	}
	if !bytes.Equal(photo, []byte(dPhoto)) {
		t.Fatalf("photo copy: %q", photo)
	}
	if strings.Contains(string(tipCall.Raw), "IMG_casa") {
		t.Fatal("the original file name reached the investigator")
	}

	// In the investigators' channel the answer is for the channel, not ephemeral.
	i8 := interaction(2, dInvChannel, dGuild, inv, map[string]any{"id": "2", "name": "recent", "type": 1}, "en-US")
	dc.dispatch("INTERACTION_CREATE", i8)
	pub := dc.waitCalls(1, callbackFor(i8["id"].(string)))[0].JSON["data"].(map[string]any)
	if int(pub["flags"].(float64))&64 != 0 || !strings.Contains(unescape(pub["content"].(string)), "#2 ") {
		t.Fatalf("/recent in the investigators' channel: %v", pub)
	}

	// A reporter command in the investigators' channel stays ephemeral.
	i9 := interaction(2, dInvChannel, dGuild, member, map[string]any{"id": "4", "name": "status", "type": 1,
		"options": []any{map[string]any{"name": "code", "type": 3, "value": receipt}}}, "es-419")
	dc.dispatch("INTERACTION_CREATE", i9)
	if f := dc.waitCalls(1, callbackFor(i9["id"].(string)))[0].JSON["data"].(map[string]any)["flags"]; int(f.(float64))&64 == 0 {
		t.Fatal("a reporter's /status in the investigators' channel was public")
	}

	// The Telegram side of the same process sees the same tips.
	tgInv := user(investigatorID, "detective", "Ana", "en")
	tg.push(message(1, tgInv, privateChat(investigatorID, "detective", "Ana"), command("", "/recent", "")))
	if got := tg.waitCalls(1, messagesTo("9001"))[0].Fields["text"]; !strings.Contains(got, "#2 ") || !strings.Contains(got, "#1 ") {
		t.Fatalf("Telegram /recent in the same process: %q", got)
	}

	// 8. A tip posted in a public channel is deleted, answered privately by
	// DM (saying it was removed), and never stored.
	dc.dispatch("MESSAGE_CREATE", map[string]any{
		"id": "1600000000000000777", "channel_id": dChannel, "guild_id": dGuild, "author": member,
		"content": "<@1100000000000000001> los halcones cobran en la plaza", "timestamp": "2026-11-28T10:00:00Z",
		"mentions": []any{map[string]any{"id": "1100000000000000001", "username": "Vigia", "bot": true}},
	})
	dc.waitCalls(1, pathHas("DELETE", "/channels/"+dChannel+"/messages/1600000000000000777"))
	private := dc.waitCalls(1, pathHas("POST", "/channels/1300000000000000001/messages"))
	// (In words of a server's channel, /report under its Spanish name,
	// as the member's client shows it.)
	removed := strings.Replace(msg.Localize("es", "group_private_only_server_removed", nil), "/report", "/"+msg.Localize("es", "command_report_name", nil), 1)
	if got := unescape(private[len(private)-1].JSON["content"].(string)); got != removed {
		t.Fatalf("answer to a public tip: %q, want %q", got, removed)
	}
	if n, _ := rs.Client().XLen(context.Background(), "vigia:{tips}:triage").Result(); n != 2 {
		t.Fatalf("%d tips stored, want 2", n)
	}

	// 9. SIGTERM: a clean exit.
	bot.stop(t)

	// 10. Privacy canary.
	canaries := []string{
		"tenderos", "Obrero", "cobros.example", "camión", "halcones", "plaza", dReporter, dReporterName, dDMReporter, "otro_vecino",
		dDMChannel, dChannel, "itoken-", receipt, dmReceipt, strings.ReplaceAll(receipt, "-", ""), "fake jpeg", "IMG_casa", discordToken, "fake-discord-token",
	}
	checkRedis(t, rs, canaries...)
	logs := bot.stderr.String()
	if !strings.Contains(logs, "tip stored") {
		t.Fatalf("no log:\n%s", logs)
	}
	for _, s := range canaries {
		if strings.Contains(logs, s) || strings.Contains(logs, html.EscapeString(s)) {
			t.Errorf("log holds %q:\n%s", s, logs)
		}
	}
}

var receiptPattern = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// findCustomID finds a button whose custom_id starts with prefix.
func findCustomID(components any, prefix string) string {
	rows, _ := components.([]any)
	for _, r := range rows {
		row, _ := r.(map[string]any)
		cs, _ := row["components"].([]any)
		for _, c := range cs {
			b, _ := c.(map[string]any)
			if id, _ := b["custom_id"].(string); strings.HasPrefix(id, prefix) {
				return id
			}
		}
	}
	return ""
}

// Discord rejecting the token (gateway close 4004) stops start-up with
// exit status 2 naming the variable, without printing the token.
func TestDiscordBadTokenExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	dc := newFakeDiscord(t)
	wrong := strings.Repeat("x", 60)
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + wrong, "VIGIA_DISCORD_API_URL=" + dc.URL(),
	}
	prepare(t, cmd)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "VIGIA_DISCORD_TOKEN") || strings.Contains(string(out), wrong) {
		t.Fatalf("exit %v, output %q", err, out)
	}
}

// Discord refusing the token while the bot runs (reset in the Developer
// Portal: the gateway dropped, the reconnection closed with 4004) stops
// the whole process, Telegram included, with exit status 2 naming
// VIGIA_DISCORD_TOKEN, without printing the token, rather than retry
// forever while looking merely disconnected.
// Mutation: the adapter's reconnect not checking refusal -> vigia still
// running 30 s on.
func TestDiscordTokenRevokedWhileRunningExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	dc := newFakeDiscord(t)
	bot := startBot(t, tg, rs.URL(), "VIGIA_DISCORD_TOKEN="+discordToken, "VIGIA_DISCORD_API_URL="+dc.URL())
	dc.waitCalls(1, pathHas("PUT", "/commands")) // registered: Run is under way
	dc.revoke()
	select {
	case err := <-bot.done:
		out := bot.stderr.String()
		var ee *exec.ExitError
		if !errorsAs(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(out, "VIGIA_DISCORD_TOKEN") || strings.Contains(out, discordToken) {
			t.Fatalf("exit %v, output %q", err, out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("vigia still running 30 s after its Discord token was refused\n%s", bot.stderr.String())
	}
}

// An investigators' channel that is a Discord forum takes no message of
// the bot's (only its posts, threads, do): every alert would be refused.
// Start-up stops with exit status 2 naming VIGIA_INVESTIGATOR_CHATS,
// without printing the channel's id.
// Mutation: main without the discord.ErrNoPostChannel case → exit 1.
func TestDiscordForumInvestigatorChannelExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	dc := newFakeDiscord(t)
	dc.setChannel(dInvChannel, `{"id":"`+dInvChannel+`","type":15,"guild_id":"`+dGuild+`"}`)
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + dc.URL(),
		"VIGIA_INVESTIGATOR_CHATS=discord:" + dInvChannel,
	}
	prepare(t, cmd)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "VIGIA_INVESTIGATOR_CHATS") || strings.Contains(string(out), dInvChannel) {
		t.Fatalf("exit %v, output %q", err, out)
	}
}

// A member posts a tip in a server channel where the bot may not delete
// it (no Manage Messages: 50013), and their DMs are closed to the bot
// (50007): they would never hear that it is still in view. The channel is
// told, by a notice that names, quotes and pings no one, that whoever
// posted it is to delete it now. Nothing of the tip reaches the log.
// Mutation: the adapter posting discord_dms_closed whatever became of the
// deletion → the plain notice, which asks no one to delete anything.
func TestDiscordPublicTipNotRemovedWithClosedDMs(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	dc := newFakeDiscord(t)
	dc.refuse("DELETE /channels/"+dChannel+"/messages/", 50013)
	dc.refuse("POST /channels/1300000000000000001/messages", 50007) // the member's DM channel
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off", "VIGIA_LOG_LEVEL=debug",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + dc.URL(),
		"VIGIA_DISCORD_GUILD_ID=" + dGuild,
	}
	bot := launch(t, cmd)
	dc.waitCalls(1, pathHas("PUT", "/guilds/"+dGuild+"/commands"))
	dc.dispatch("MESSAGE_CREATE", map[string]any{
		"id": "1600000000000000777", "channel_id": dChannel, "guild_id": dGuild, "author": duser(dReporter, dReporterName),
		"content": "<@1100000000000000001> " + dTipText, "timestamp": "2026-11-28T10:00:00Z",
		"mentions": []any{map[string]any{"id": "1100000000000000001", "username": "Vigia", "bot": true}},
	})
	dc.waitCalls(1, pathHas("DELETE", "/channels/"+dChannel+"/messages/1600000000000000777"))
	dc.waitCalls(1, pathHas("POST", "/channels/1300000000000000001/messages"))
	notice := dc.waitCalls(1, pathHas("POST", "/channels/"+dChannel+"/messages"))[0]
	if got := unescape(notice.JSON["content"].(string)); got != msg.Localize("en", "discord_dms_closed_not_removed", nil) {
		t.Errorf("notice in the channel: %q", got)
	}
	if am, _ := notice.JSON["allowed_mentions"].(map[string]any); notice.JSON["message_reference"] != nil || am == nil || fmt.Sprint(am["parse"]) != "[]" {
		t.Errorf("the notice points at someone: %s", notice.Raw)
	}
	for _, leak := range []string{dReporter, dReporterName, "Extorsionan", "Obrero", "cobros.example", "1600000000000000777", dChannel} {
		if strings.Contains(string(notice.Raw), leak) {
			t.Errorf("the notice holds %q: %s", leak, notice.Raw)
		}
		if strings.Contains(bot.stderr.String(), leak) {
			t.Errorf("the log holds %q:\n%s", leak, bot.stderr.String())
		}
	}
}

// Discord refusing the bot's commands with a long 429 (an application
// that overwrote them too often that day) stops start-up with exit status
// 2 naming VIGIA_DISCORD_TOKEN and saying why, without printing the
// token: discordgo would retry it forever, and the adapter waited it out
// (600 s here) before the registration had a deadline.
// Mutation: register without its deadline → the bot waits out the 429 and
// the test's own deadline kills it.
func TestDiscordCommandsNotRegisteredExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	dc := newFakeDiscord(t)
	var puts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/commands") {
			puts.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":600,"global":false}`)
			return
		}
		dc.serve(w, r)
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + srv.URL,
		"VIGIA_DISCORD_GUILD_ID=" + dGuild,
	}
	prepare(t, cmd)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "VIGIA_DISCORD_TOKEN") ||
		!strings.Contains(string(out), "commands") || strings.Contains(string(out), discordToken) {
		t.Fatalf("exit %v, output %q", err, out)
	}
	if puts.Load() == 0 {
		t.Fatal("the commands were never sent")
	}
}

// A reporter presses Send on their draft (ephemeral, in a server channel);
// Discord drops that interaction (10062, its follow-ups 10015) and their
// DMs are closed (50007): the receipt reached no one. It now replaces the
// draft's message, through the token of the form's interaction that
// posted it, which only the reporter sees; nothing is posted in the
// channel and the token reaches no log.
// Mutations: instead without insteadEdited → no PATCH (timed out);
// editInstead by the message's id → refused (10008), no edit (timed out).
func TestDiscordReceiptOfADroppedSendWithClosedDMs(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	cmds := recordCommands(t, rs)
	dc := newFakeDiscord(t)
	dc.refuse("POST /channels/1300000000000000001/messages", 50007) // the member's DM channel
	cmd := exec.Command(binary, "serve")
	cmd.Env = []string{
		"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"VIGIA_INVESTIGATOR_2FA=off", "VIGIA_LOG_LEVEL=debug", "VIGIA_LIMIT_MESSAGES=1",
		"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + dc.URL(),
		"VIGIA_DISCORD_GUILD_ID=" + dGuild,
	}
	bot := launch(t, cmd)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the bot's log:\n%s", bot.stderr.String())
		}
	})
	dc.waitCalls(1, pathHas("PUT", "/guilds/"+dGuild+"/commands"))
	member := duser(dReporter, dReporterName)
	i1 := interaction(2, dChannel, dGuild, member, map[string]any{"id": "1", "name": "report", "type": 1}, "es-419")
	dc.dispatch("INTERACTION_CREATE", i1)
	dc.waitCalls(1, callbackFor(i1["id"].(string)))
	i2 := interaction(5, dChannel, dGuild, member, map[string]any{"custom_id": "report", "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "tip", "value": dTipText}}},
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "links", "value": ""}}},
	}}, "es-419")
	dc.dispatch("INTERACTION_CREATE", i2)
	started := dc.waitCalls(1, callbackFor(i2["id"].(string)))[0]
	send := findCustomID(started.JSON["data"].(map[string]any)["components"], "send:")
	if send == "" {
		t.Fatalf("no Send button: %s", started.Raw)
	}
	i3 := interaction(3, dChannel, dGuild, member, map[string]any{"custom_id": send, "component_type": 2}, "es-419")
	i3["message"] = map[string]any{
		"id": "1700000000000000001", "channel_id": dChannel, "content": "", "flags": 64, "timestamp": "2026-11-28T10:00:00Z",
		"interaction_metadata": map[string]any{"id": i2["id"], "type": 5, "user": member},
	}
	dc.refuse("POST /interactions/"+i3["id"].(string)+"/", 10062)
	dc.refuse("POST /webhooks/1100000000000000001/"+i3["token"].(string), 10015)
	dc.dispatch("INTERACTION_CREATE", i3)
	// The draft is the form interaction's response: edited as @original
	// (the fake, as Discord documents, takes no response by its id).
	edits := dc.waitCalls(2, pathHas("PATCH", "/webhooks/1100000000000000001/"+i2["token"].(string)+"/messages/@original"))
	got := unescape(edits[1].JSON["content"].(string))
	receipt := receiptPattern.FindString(got)
	if receipt == "" || !strings.Contains(got, asShownIn(msg, "es", msg.Localize("es", "safety_advice_discord", map[string]any{"Platform": "Discord", "Receipt": receipt}))) {
		t.Errorf("the draft's message now: %q", got)
	}
	dc.mu.Lock()
	for _, c := range dc.calls {
		if c.Method == "POST" && strings.HasPrefix(c.Path, "/channels/"+dChannel) {
			t.Errorf("posted in the channel: %s", c.Raw)
		}
	}
	dc.mu.Unlock()
	for _, leak := range []string{i2["token"].(string), receipt, dReporter} {
		if strings.Contains(bot.stderr.String(), leak) {
			t.Errorf("the log holds %q", leak)
		}
	}

	// A second form, past VIGIA_LIMIT_MESSAGES: refused, and told so
	// (form_not_received) with its text given back, in an answer only
	// the member sees; none of it goes to the channel, Redis or the log.
	const refusedTip = "Cobran piso en la ferretería Canario de la calle Hidalgo, ver https://piso-canario.example/x"
	i4 := interaction(5, dChannel, dGuild, member, map[string]any{"custom_id": "report", "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "tip", "value": refusedTip}}},
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "links", "value": ""}}},
	}}, "es-419")
	dc.dispatch("INTERACTION_CREATE", i4)
	refused := dc.waitCalls(1, callbackFor(i4["id"].(string)))[0]
	data, _ := refused.JSON["data"].(map[string]any)
	text, _ := data["content"].(string)
	flags, _ := data["flags"].(float64)
	if !strings.Contains(unescape(text), "ferretería Canario") || int(flags)&64 == 0 {
		t.Errorf("the refused form's answer: %s", refused.Raw)
	}

	// Redis and the log: the held token, the receipt, the member and both
	// forms' text, in any form.
	var marks []string
	for _, s := range []string{i2["token"].(string), i3["token"].(string), i4["token"].(string), receipt, strings.ReplaceAll(receipt, "-", ""),
		dReporter, dReporterName, dTipText, "tenderos", "cobros.example", refusedTip, "ferretería Canario", "piso-canario"} {
		marks = append(marks, canaryForms(s)...)
	}
	if cmds != nil {
		for _, args := range cmds.commands(t, rs) {
			for _, s := range marks {
				if strings.Contains(args, s) {
					t.Errorf("a command sent to Redis holds %q: %.200q", s, args)
				}
			}
		}
	}
	checkRedis(t, rs, marks...)
	for _, s := range marks {
		if strings.Contains(bot.stderr.String(), s) {
			t.Errorf("the log holds %q", s)
		}
	}
	dc.mu.Lock()
	for _, c := range dc.calls {
		if c.Method == "POST" && strings.HasPrefix(c.Path, "/channels/"+dChannel) {
			t.Errorf("posted in the channel: %s", c.Raw)
		}
	}
	dc.mu.Unlock()
}

// commandWritten is a command as the message files write it: "/" and its
// name, after the start of a line, a space or an opening mark.
var commandWritten = regexp.MustCompile(`(^|[\s(“"«])/([a-z0-9]+)`)

// asShownIn is text with each command it names as a Discord client in
// lang lists it (command_<name>_name: "/borrar" for /wipe in Spanish),
// as the bot writes it there.
func asShownIn(msg *locales.Bundle, lang, text string) string {
	return commandWritten.ReplaceAllStringFunc(text, func(w string) string {
		i := strings.Index(w, "/")
		id := "command_" + w[i+1:] + "_name"
		name := strings.ToLower(msg.Localize(lang, id, nil))
		if name == "" || name == strings.ToLower(id) || strings.ContainsAny(name, " /@") {
			return w
		}
		return w[:i+1] + name
	})
}
