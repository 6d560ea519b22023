package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A label's length is counted in characters as the investigator sees
// them (extended grapheme clusters, as uniseg counts them): a label of ten
// family emoji (seventy code points), of flags, of Hindi syllables (a
// consonant and its vowel sign) or of decomposed accented letters is
// short and kept,
// as typed; one of 41 such characters is refused, the answer naming the
// limit, and one of forty characters stacked with dozens
// of marks each (kept whole it would be thousands of code points,
// however short it looks). A refused decision changes nothing.
// Mutation: the length counted in code points (as before) → the emoji,
// flag, Hindi and accented labels are refused; the grapheme clusters
// alone, without the bound in code points → the stacked label is kept.
func TestLabelLengthIsCountedInCharactersAsSeen(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	tm.report("7001", "cobran piso en el mercado", "")
	family := "👨\u200d👩\u200d👧\u200d👦"
	kept := []string{
		strings.Repeat(family, 10),                         // 10 characters, 70 code points
		strings.Repeat("🇲🇽", 40),                           // 40 flags, 80 code points
		strings.Repeat("कि", 40),                           // 40 syllables, 80 code points
		strings.Repeat("क्ष", 20),                          // 20 conjuncts, 60 code points: 40 clusters in Unicode 15.0
		strings.Repeat("e\u0301", 40),                      // 40 accented letters, 80 code points
		strings.Repeat("👍🏽", 20) + strings.Repeat("x", 20), // 40 characters, 60 code points
	}
	for i, label := range kept {
		args := fmt.Sprintf("1 escalated %s", label)
		r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: args})
		if want := tm.text("en", "triage_done", map[string]any{"ID": "1", "Status": tm.text("en", "status_escalated", nil)}); r[0].Text != want {
			t.Errorf("label %d (%d code points): %q, want %q", i, len([]rune(label)), r[0].Text, want)
			continue
		}
		tip, err := tm.store.Tip(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		if len(tip.Labels) != 1 || tip.Labels[0] != label {
			t.Errorf("label %d kept as %q, want %q", i, tip.Labels, label)
		}
	}
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 verified low kept"})
	usage := tm.text("en", "triage_usage", map[string]any{"MaxLabels": 10, "LabelLen": 40})
	for i, label := range []string{
		strings.Repeat(family, 41),
		strings.Repeat("🇲🇽", 41),
		strings.Repeat("कि", 41),
		strings.Repeat("क्ष", 21),
		strings.Repeat("e\u0301", 41),
		strings.Repeat("x", 41),
	} {
		// Longer than forty characters: said so (triage_label_too_long).
		shown := []rune(label)
		want := tm.text("en", "triage_label_too_long", map[string]any{"Text": string(shown[:min(len(shown), 40)]) + "…", "Max": 40})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 escalated urgent " + label}); r[0].Text != want {
			t.Errorf("label %d refused with %q, want %q", i, r[0].Text, want)
		}
	}
	// Forty characters of thousands of code points: the usage.
	label := strings.Repeat("h"+strings.Repeat("\u0301\u0316", 30), 40) // 40 characters, 2,440 code points
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 escalated urgent " + label}); !strings.HasSuffix(r[0].Text, usage) {
		t.Errorf("a label of %d code points refused with %q, want the usage", len([]rune(label)), r[0].Text)
	}
	tip, err := tm.store.Tip(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if tip.Status != "verified" || tip.Priority != "low" || fmt.Sprint(tip.Labels) != "[kept]" {
		t.Errorf("a refused decision changed the tip: %s %s %q", tip.Status, tip.Priority, tip.Labels)
	}
}

// A label that shows nothing (zero-width spaces, bidi marks, a joiner, a
// variation selector, a lone accent: what Neutralize drops or what draws
// nothing alone) is refused with the usage, as a label too long is, and
// the tip is left as it was: it was kept as "" or as an invisible label.
// Mutation: no visibility check (as before) → the decision is taken and
// the tip holds an empty label.
func TestInvisibleLabelIsRefused(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	tm.report("7001", "cobran piso en el mercado", "")
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 verified low kept"})
	usage := tm.text("en", "triage_usage", map[string]any{"MaxLabels": 10, "LabelLen": 40})
	for _, label := range []string{"\u200b", "\u200e\u202e\u2066", "\u200d", "\ufe0f", "\u0301", "\u00ad\u034f", "\u200b\u200d\ufe0f"} {
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 escalated urgent ok " + label}); r[0].Text != usage {
			t.Errorf("label %+q: %q, want the usage", label, r[0].Text)
		}
	}
	tip, err := tm.store.Tip(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if tip.Status != "verified" || tip.Priority != "low" || fmt.Sprint(tip.Labels) != "[kept]" {
		t.Errorf("a refused decision changed the tip: %s %s %+q", tip.Status, tip.Priority, tip.Labels)
	}
	// A label with something to see among invisible characters is kept.
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 escalated \u200bok\ufe0f"}); r[0].Text == usage {
		t.Errorf("a visible label refused")
	}
}
