package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// /triage with more labels than a decision takes, or a label longer than
// one may be, says so, naming the limit, in the investigator's language;
// nothing is decided. Before, it answered "Not understood: “k”" (the
// eleventh label) or “xxxx…”, as if the word were misspelt.
// Mutation: both limits answered by triageMisread (as before) -> every
// case fails.
func TestTriageNamesTheLabelLimitPassed(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		for _, c := range []struct{ args, id string }{
			{"1 verified a b c d e f g h i j k", "triage_too_many_labels"},
			{"1 verified high drugs l1 l2 l3 l4 l5 l6 l7 l8 l9 l10 l11 l12", "triage_too_many_labels"},
			{"1 verified " + strings.Repeat("x", 41), "triage_label_too_long"},
			{"1 verified ok " + strings.Repeat("👨\u200d👩\u200d👧", 41), "triage_label_too_long"},
		} {
			data := map[string]any{"Max": 10, "Total": len(strings.Fields(c.args)) - 2}
			if strings.Contains(c.args, "high drugs") {
				data["Total"] = 12
			}
			if c.id == "triage_label_too_long" {
				label := []rune(strings.Fields(c.args)[len(strings.Fields(c.args))-1])
				data = map[string]any{"Max": 40, "Text": string(label[:40]) + "…"}
			}
			want := tm.msg.Localize(lang, c.id, data)
			r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: c.args, Language: lang})
			if len(r) != 1 || r[0].Text != want {
				t.Errorf("/triage %s in %s answered %q, want %q", c.args, lang, texts(r), want)
			}
		}
	}
	if tip, err := tm.store.Tip(t.Context(), "1"); err != nil || tip.Status != tips.StatusNew || len(tip.Labels) != 0 {
		t.Errorf("#1 changed: %s %q (%v)", tip.Status, tip.Labels, err)
	}
	// Ten labels of forty characters are kept.
	ten := strings.TrimSpace(strings.Repeat(strings.Repeat("y", 40)+" ", 10))
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 verified " + ten}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "triage_done", map[string]any{"ID": "1", "Status": tm.msg.Localize("en", "status_verified", nil)}) {
		t.Errorf("ten labels of forty characters: %q", texts(r))
	}
}
