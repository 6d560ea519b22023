package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /tip with a whole number no tip can have answers one line, in the
// investigator's language, saying it is not a tip number: too large for
// any tip (past 63 bits), 0 or below it alike. Before, a number past 63
// bits answered "there is no tip #N" while "/tip -1" answered the usage.
// The number is shown as ASCII digits without leading zeros, a long one
// cut. Mutation: readTipNumber without its tipIDOutOfRange check fails this
// (0 looked up as a tip, the others shown as typed, a long one uncut).
func TestTipNumberNoTipCanHaveIsNotATipNumber(t *testing.T) {
	tm := newTeam(t)
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		for arg, shown := range map[string]string{
			"99999999999999999999999":    "99999999999999999999999",
			"9223372036854775808":        "9223372036854775808", // 2^63
			"#0099999999999999999999999": "99999999999999999999999",
			"９９９９９９９９９９９９９９９９９９９９": "99999999999999999999",
			strings.Repeat("9", 300):       strings.Repeat("9", 24) + "…",
			"-1":                           "-1",
			"#-0012":                       "-12",
			"-99999999999999999999":        "-99999999999999999999",
			"0":                            "0",
			"000":                          "0",
			"-0":                           "0",
			"٠":                            "0",
			"-" + strings.Repeat("9", 300): "-" + strings.Repeat("9", 24) + "…",
		} {
			got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: arg, Language: lang})
			if want := tm.msg.Localize(lang, "tip_not_a_number", map[string]any{"ID": shown}); len(got) != 1 || got[0].Text != want {
				t.Errorf("/tip %s in %s: %q, want %q", arg, lang, texts(got), want)
			}
		}
		// The largest number a tip can have is read as one, as before.
		got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "9223372036854775807", Language: lang})
		if want := tm.msg.Localize(lang, "tip_not_found", map[string]any{"ID": "9223372036854775807"}); len(got) != 1 || got[0].Text != want {
			t.Errorf("/tip 9223372036854775807 in %s: %q, want %q", lang, texts(got), want)
		}
		// No whole number is not a tip number either, shown as typed (the
		// usage before: TestMalformedTipNumberIsAnsweredAlikeByEveryCommand).
		for _, arg := range []string{"99999999999999999999x", "-1x", "--1", "-", "+1", "1e99"} {
			if got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: arg, Language: lang}); len(got) != 1 || got[0].Text != tm.msg.Localize(lang, "tip_not_a_number", map[string]any{"ID": arg}) {
				t.Errorf("/tip %s in %s: %q, want it named not a tip number", arg, lang, texts(got))
			}
		}
	}
}
