package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Text stacked with dozens of combining marks ("Zalgo") is drawn over the
// lines around it; investigators' views keep at most four marks on each
// character, which every script's own marks fit in (Burmese writes four).
// The tip sealed keeps what the reporter sent.
func TestStackedMarksAreCutInViews(t *testing.T) {
	tm := newTeam(t)
	zalgo := "h" + strings.Repeat("\u0301\u0316", 20) + "ola" + strings.Repeat("\u20dd", 9) + "\u200d" + strings.Repeat("\u0300", 9)
	// Vietnamese written decomposed, pointed Hebrew, a keycap emoji, and
	// Burmese "secret" and "incite", four marks on their first consonant.
	kept := []string{"Tie\u0302\u0301ng Vie\u0323\u0302t", "שָּׁלוֹם", "1\ufe0f\u20e3", "လျှို့ဝှက်", "လှုံ့ဆော်"}
	tm.report(reporterID, zalgo+" "+strings.Join(kept, " "), "")
	for _, q := range []commands.Request{{Command: "tip", Args: "1"}, {Command: "recent"}, {Command: "search", Args: "hola"}} {
		view := tm.as(adminID, "Ada", q)[0].Text
		if want := "h\u0301\u0316\u0301\u0316ola\u20dd\u20dd\u20dd\u20dd\u200d "; !strings.Contains(view, want) {
			t.Errorf("/%s: stacked marks not cut to four, want %q in %q", q.Command, want, view)
		}
		for _, k := range kept {
			if !strings.Contains(view, k) {
				t.Errorf("/%s: %q lost some of its marks: %q", q.Command, k, view)
			}
		}
	}
	tip, err := tm.store.Tip(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tip.Content.Text(), zalgo) {
		t.Errorf("the sealed tip was changed: %q", tip.Content.Text())
	}
}
