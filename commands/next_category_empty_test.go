package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// /next with a category none of the waiting tips has says that no tip of
// that category waits, in the member's language, and claims nothing: it
// answered "No tip is waiting. Well done." while tips of other categories
// waited, which read as a queue done with.
func TestNextOfACategoryNoneWaitsSaysSo(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	r := tm.as(reporterID, "R", commands.Request{Text: "Cobran piso en el mercado a todos los puestos"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	tm.as(reporterID, "R", commands.Request{Callback: "cat:" + draft + ":" + string(tips.Extortion)})
	tm.as(reporterID, "R", commands.Request{Callback: "send:" + draft})
	for _, lang := range []string{"es", "en", "fr", "pt-BR"} {
		want := tm.text(lang, "next_empty_category", map[string]any{"Category": tm.text(lang, "category_weapons", nil)})
		if r := tm.as("2002", "Ana", commands.Request{Command: "next", Args: "weapons", Language: lang}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/next weapons in %s, an extortion tip waiting: %q, want %q", lang, texts(r), want)
		}
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "next", Language: "es"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.text("es", "next_claimed", nil)) {
		t.Fatalf("/next after: %q", texts(r))
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "next", Language: "es"}); len(r) != 1 || r[0].Text != tm.text("es", "next_empty", nil) {
		t.Fatalf("/next, none waiting: %q", texts(r))
	}
}
