package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// An investigator who asks about a community warning is told that
// warnings take no questions, in their language, not that "the reporter
// did not allow questions" (its sender was never offered the choice);
// nothing reaches the sender. An ordinary tip whose reporter did not allow
// questions is still answered as before.
func TestAskAboutAWarning(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "warn", Args: "Hombres armados en la plaza esta noche"}); len(r) == 0 || codeRE.FindString(r[0].Text) == "" {
		t.Fatalf("/warn: %q", texts(r))
	}
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "Cobran piso en el mercado"})
	tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "send:")})
	tm.notices(reporterID)

	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		tm.as("2002", "Ana", commands.Request{Command: "language", Args: lang})
		r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿A qué hora?"})
		if want := tm.text(lang, "ask_warning", map[string]any{"ID": "1"}); len(r) != 1 || r[0].Text != want {
			t.Errorf("%s: /ask about warning #1: %q, want %q", lang, texts(r), want)
		}
		r = tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "2 ¿Qué mercado?"})
		if want := tm.text(lang, "ask_not_allowed", map[string]any{"ID": "2"}); len(r) != 1 || r[0].Text != want {
			t.Errorf("%s: /ask about tip #2, no questions allowed: %q, want %q", lang, texts(r), want)
		}
	}
	if n := tm.notices(reporterID); len(n) != 0 {
		t.Fatalf("the sender was told %q", n)
	}
}
