package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// On Discord, /start and the usage texts name the commands as the
// member's client shows them, as /help does: "/borrar" and "/ayuda" in
// the welcome, "/estado" in /status's usage, to a client in Spanish; in a
// server's channel too ("/denunciar"); "/search" becomes "/rechercher" in
// the team's usage, to a client in French. A client in a language Vigía
// has no names in sees the commands' own names. On Telegram, whose menu
// is typed as is, the texts are as before.
// Mutations: start not calling commandsAsShown -> the welcome's cases
// fail; T not calling it for a usage text -> the usage cases fail.
func TestStartAndUsageOnDiscordNameCommandsAsTheClientShowsThem(t *testing.T) {
	const discordInvestigator = "700000000000000007"
	e := newHookedEnv(t, nil, nil, func(o *commands.Options) {
		o.Roles["discord:"+discordInvestigator] = commands.Investigator
	})
	check := func(what string, r []commands.Reply, shown, not []string) {
		t.Helper()
		if len(r) != 1 {
			t.Fatalf("%s: %q", what, texts(r))
		}
		for _, w := range shown {
			if !strings.Contains(r[0].Text, w) {
				t.Errorf("%s: no %q in\n%s", what, w, r[0].Text)
			}
		}
		for _, w := range not {
			if strings.Contains(r[0].Text, w) {
				t.Errorf("%s: says %q in\n%s", what, w, r[0].Text)
			}
		}
	}
	dm := func(cmd, client string) commands.Request {
		return commands.Request{Platform: "discord", Command: cmd, Language: client, KeepLanguage: true}
	}
	check("/start in a DM, client in es-ES", e.do("7801", dm("start", "es-ES")), []string{"/borrar ", "/ayuda."}, []string{"/wipe", "/help"})
	check("/start in a DM, client in fr", e.do("7802", dm("start", "fr")), []string{"/effacer ", "/aide."}, []string{"/wipe", "/help"})
	check("/start in a DM, client in de", e.do("7803", dm("start", "de")), []string{"/wipe ", "/help."}, nil)
	inServer := dm("start", "es-ES")
	inServer.ChannelID = "600000000000000001"
	check("/start in a server's channel, client in es-ES", e.do("7804", inServer), []string{"/denunciar", "/borrar "}, []string{"/report", "/wipe"})
	check("/status's usage, client in es-ES", e.do("7805", dm("status", "es-ES")), []string{"/estado "}, []string{"/status"})
	check("/status's usage, client in pt-BR", e.do("7806", dm("status", "pt-BR")), []string{"/status "}, nil)
	check("/reply's usage, client in fr", e.do("7807", dm("reply", "fr")), []string{"/répondre "}, []string{"/reply"})
	search := dm("search", "fr")
	check("/search's usage, client in fr", e.do(discordInvestigator, search), []string{"/rechercher "}, []string{"/search"})
	// Telegram: as before.
	if r := e.do("7808", commands.Request{Command: "status", Language: "es"}); len(r) != 1 || r[0].Text != e.text("es", "status_usage", nil) {
		t.Errorf("/status's usage on Telegram, in Spanish: %q", texts(r))
	}
	if r := e.do("7809", commands.Request{Command: "start", Language: "es"}); len(r) != 1 || !strings.Contains(r[0].Text, "/wipe ") || !strings.Contains(r[0].Text, "/help.") {
		t.Errorf("/start on Telegram, in Spanish: %q", texts(r))
	}
}
