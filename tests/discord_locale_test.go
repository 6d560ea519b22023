package tests

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Discord gives a member's locale with each interaction, never with a
// DM: the engine keeps the last one under the member's pseudonym, in
// Redis, so a reporter whose Discord speaks Spanish is answered in
// Spanish by DM after the bot restarts (or by another process), without
// choosing a language. /forget drops it (their next interaction gives it
// again); a language chosen with /language still comes first; Redis holds
// no Discord id in clear.
// Mutations: the interaction's request without KeepLanguage fails it (the
// DM after the restart answered in English); /forget without dropping it
// fails it (Spanish after /forget); the kept language before the chosen
// one fails it (Spanish after /language fr).
func TestDiscordInteractionLocaleOutlivesARestart(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	serve := func(dc *fakeDiscord) *botProcess {
		cmd := exec.Command(binary, "serve")
		cmd.Env = []string{
			"VIGIA_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
			"VIGIA_INVESTIGATOR_2FA=off", "VIGIA_DEFAULT_LANGUAGE=en",
			"VIGIA_REDIS_URL=" + rs.URL(), "VIGIA_DISCORD_TOKEN=" + discordToken, "VIGIA_DISCORD_API_URL=" + dc.URL(),
			"VIGIA_DISCORD_GUILD_ID=" + dGuild,
		}
		bot := launch(t, cmd)
		dc.waitCalls(1, pathHas("PUT", "/guilds/"+dGuild+"/commands"))
		return bot
	}
	reporter := duser(dDMReporter, "otro_vecino")
	dmID := 1600000000000000100
	// dmAnswer sends a DM and returns the bot's answer to it.
	dmAnswer := func(dc *fakeDiscord, text string) string {
		t.Helper()
		n := len(dc.waitCalls(0, pathHas("POST", "/channels/"+dDMChannel+"/messages")))
		dmID++
		dc.dispatch("MESSAGE_CREATE", map[string]any{"id": itoa(dmID), "channel_id": dDMChannel, "author": reporter, "content": text, "timestamp": "2026-11-28T10:00:00Z"})
		posts := dc.waitCalls(n+1, pathHas("POST", "/channels/"+dDMChannel+"/messages"))
		return unescape(posts[n].JSON["content"].(string))
	}
	// probe says, by DM, which language the bot answers the reporter's
	// DMs in ("/language" alone: the choice offered, in that language).
	probe := func(dc *fakeDiscord, want, when string) {
		t.Helper()
		if got := dmAnswer(dc, "/language"); got != msg.Localize(want, "choose_language", nil) {
			t.Fatalf("%s: a DM answered %q, want it in %s", when, got, want)
		}
	}

	// A tip by DM, before any interaction: the default language. Sent
	// with a press of Send, whose locale is es-ES.
	dc := newFakeDiscord(t)
	bot := serve(dc)
	dc.dispatch("MESSAGE_CREATE", map[string]any{"id": "1600000000000000001", "channel_id": dDMChannel, "author": reporter, "content": dDMText, "timestamp": "2026-11-28T10:00:00Z"})
	draft := dc.waitCalls(1, pathHas("POST", "/channels/"+dDMChannel+"/messages"))[0]
	if got := unescape(draft.JSON["content"].(string)); !strings.Contains(got, msg.Localize("en", "draft_started", nil)) {
		t.Fatalf("a DM before any interaction: %q, want the default language", got)
	}
	press := interaction(3, dDMChannel, "", reporter, map[string]any{"custom_id": findCustomID(draft.JSON["components"], "send:"), "component_type": 2}, "es-ES")
	dc.dispatch("INTERACTION_CREATE", press)
	receipt := receiptPattern.FindString(unescape(dc.waitCalls(1, callbackFor(press["id"].(string)))[0].JSON["data"].(map[string]any)["content"].(string)))
	if receipt == "" {
		t.Fatal("no receipt for the DM tip")
	}
	bot.stop(t)

	// Another process on the same Redis: the DM is answered in Spanish.
	dc = newFakeDiscord(t)
	bot = serve(dc)
	probe(dc, "es", "after a restart")

	// /forget, by DM: the kept locale goes; the next DM has the default.
	if got := dmAnswer(dc, "/forget "+receipt); got != msg.Localize("es", "forget_done", nil) {
		t.Fatalf("/forget: %q", got)
	}
	probe(dc, "en", "after /forget")

	// An interaction gives it again; a language chosen with /language
	// comes before it.
	help := interaction(2, dDMChannel, "", reporter, map[string]any{"id": "1", "name": "help", "type": 1}, "es-419")
	dc.dispatch("INTERACTION_CREATE", help)
	dc.waitCalls(1, callbackFor(help["id"].(string)))
	probe(dc, "es", "after an es-419 interaction")
	if got := dmAnswer(dc, "/language fr"); got != msg.Localize("fr", "language_set", nil) {
		t.Fatalf("/language fr: %q", got)
	}
	probe(dc, "fr", "after /language fr")
	bot.stop(t)

	checkRedis(t, rs, dDMReporter, "otro_vecino", dDMChannel, receipt, strings.ReplaceAll(receipt, "-", ""), "camión", "halcones")
}
