package commands

import (
	"testing"

	"github.com/vigia-project/vigia/locales"
)

// typedIn names the language of a command's word only where one language
// alone calls the command so: not its own name, nor a word two share
// ("cancelar": Spanish and Portuguese; "inicio": Spanish, and Portuguese's
// "início" without its accent).
func TestTypedIn(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Messages: msg})
	for _, c := range []struct{ word, name, want string }{
		{"ayuda", "help", "es"}, {"aide", "help", "fr"}, {"ajuda", "help", "pt-BR"}, {"help", "help", ""},
		{"estado", "status", "es"}, {"statut", "status", "fr"}, {"status", "status", ""},
		{"cancelar", "cancel", ""}, {"annuler", "cancel", "fr"},
		{"inicio", "start", ""}, {"início", "start", "pt-BR"}, {"demarrer", "start", "fr"}, {"démarrer", "start", "fr"},
		{"hilfe", "help", ""},
	} {
		if got := m.typedIn(c.word, c.name); got != c.want {
			t.Errorf("typedIn(%q, %q) = %q, want %q", c.word, c.name, got, c.want)
		}
	}
}
