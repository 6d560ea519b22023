package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// /triage with an argument it cannot take says which one, in the
// investigator's language, before the usage; nothing is decided. Before,
// it gave the usage alone. Mutation: triageMisread answering the usage
// alone -> every case fails.
func TestTriageSaysWhichArgumentWasNotUnderstood(t *testing.T) {
	tm := newTeam(t)
	for range 2 {
		tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	}
	for _, c := range []struct{ lang, args, word string }{
		{"en", "2 verifed", "verifed"},                // no such status
		{"fr", "2 doublon d'x", "x"},                  // not an original's number
		{"en", "2 verified high low", "low"},          // a second priority
		{"en", "2 verified drugs weapons", "weapons"}, // a second category
		{"pt-BR", "2 verificada descartada", "descartada"},
		{"en", "2 duplicate 1 3", "3"}, // a second original
		// (Too many labels, or one too long, name the limit instead:
		// TestTriageNamesTheLabelLimitPassed.)
	} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: c.args, Language: c.lang})
		want := tm.msg.Localize(c.lang, "triage_not_understood", map[string]any{"Text": c.word}) + "\n\n" +
			tm.msg.Localize(c.lang, "triage_usage", map[string]any{"MaxLabels": 10, "LabelLen": 40})
		if len(r) != 1 || r[0].Text != want {
			t.Errorf("/triage %s in %s answered %q, want %q", c.args, c.lang, texts(r), want)
		}
	}
	if tip, err := tm.store.Tip(t.Context(), "2"); err != nil || tip.Status != tips.StatusNew || len(tip.Labels) != 0 {
		t.Errorf("#2 changed: %s %q (%v)", tip.Status, tip.Labels, err)
	}
	// What is missing names no word: the usage alone, as before.
	usage := tm.msg.Localize("en", "triage_usage", map[string]any{"MaxLabels": 10, "LabelLen": 40})
	for _, args := range []string{"", "2", "2 duplicate"} {
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: args}); len(r) != 1 || r[0].Text != usage {
			t.Errorf("/triage %s answered %q, want the usage", args, texts(r))
		}
	}
}
