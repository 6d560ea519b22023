package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// On Discord, /help names the commands as the member's client shows them:
// under the names registered for the client's language ("/estado CÓDIGO",
// "/répondre", "(/desuscribir …)"), whatever language the help is in;
// under their own names to a client in a language Vigía has no names in,
// as Discord shows them there. On Telegram, whose menu is typed as is,
// the help names them as before.
// Mutation: help not calling commandsAsShown (as before) -> the Spanish,
// French and chosen-language cases fail: "/status CÓDIGO" where the client
// shows "/estado".
func TestHelpOnDiscordNamesCommandsAsTheClientShowsThem(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct {
		client string
		shown  []string // as the client shows them
		not    []string
	}{
		{"es-ES", []string{"/ayuda", "/estado ", "/responder ", "/denunciar", "/borrar", "/desuscribir"}, []string{"/status ", "/reply ", "/help", "/wipe"}},
		{"fr", []string{"/aide", "/statut ", "/répondre ", "/signaler", "/effacer", "/désabonner"}, []string{"/status ", "/reply ", "/help", "/wipe"}},
		{"en-US", []string{"/help", "/status ", "/reply ", "/report", "/wipe"}, []string{"/estado ", "/ayuda"}},
		{"de", []string{"/help", "/status ", "/reply ", "/report", "/wipe"}, []string{"/estado ", "/ayuda"}},
	} {
		r := e.do("7701"+c.client, commands.Request{Platform: "discord", Command: "help", Language: c.client, KeepLanguage: true})
		if len(r) != 1 {
			t.Fatalf("/help, client in %s: %q", c.client, texts(r))
		}
		for _, w := range c.shown {
			if !strings.Contains(r[0].Text, w) {
				t.Errorf("/help, client in %s: no %q in\n%s", c.client, w, r[0].Text)
			}
		}
		for _, w := range c.not {
			if strings.Contains(r[0].Text, w) {
				t.Errorf("/help, client in %s: says %q in\n%s", c.client, w, r[0].Text)
			}
		}
	}
	// A member who chose French for the bot's words, their client in
	// Spanish: French words, Spanish names.
	e.do("7702", commands.Request{Platform: "discord", Command: "language", Args: "fr", Language: "es-419", KeepLanguage: true})
	r := e.do("7702", commands.Request{Platform: "discord", Command: "help", Language: "es-419", KeepLanguage: true})
	if len(r) != 1 || !strings.Contains(r[0].Text, "/estado ") || !strings.Contains(r[0].Text, "signalement") {
		t.Errorf("/help in French, client in Spanish: %q", texts(r))
	}
	// Telegram: as before.
	if r := e.do("7703", commands.Request{Command: "help", Language: "es"}); len(r) != 1 || r[0].Text != e.text("es", "help", nil) {
		t.Errorf("/help on Telegram, in Spanish: %q", texts(r))
	}
}
