package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /tip with a number too large for any tip (past 63 bits) answers that
// there is no such tip, in the investigator's language, as a number not
// yet used does, not the usage: it was written as the usage asks. The
// number is shown as ASCII digits without leading zeros, a long one cut.
// Mutation: showTip without its tipIDPastRange check fails this (the
// usage).
func TestTipNumberPastAnyTipIsNoSuchTip(t *testing.T) {
	tm := newTeam(t)
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		for arg, shown := range map[string]string{
			"99999999999999999999999":    "99999999999999999999999",
			"9223372036854775808":        "9223372036854775808", // 2^63
			"#0099999999999999999999999": "99999999999999999999999",
			"９９９９９９９９９９９９９９９９９９９９": "99999999999999999999",
			strings.Repeat("9", 300): strings.Repeat("9", 24) + "…",
		} {
			got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: arg, Language: lang})
			if want := tm.msg.Localize(lang, "tip_not_found", map[string]any{"ID": shown}); len(got) != 1 || got[0].Text != want {
				t.Errorf("/tip %s in %s: %q, want %q", arg, lang, texts(got), want)
			}
		}
		// The largest number a tip can have is read as one, as before.
		got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "9223372036854775807", Language: lang})
		if want := tm.msg.Localize(lang, "tip_not_found", map[string]any{"ID": "9223372036854775807"}); len(got) != 1 || got[0].Text != want {
			t.Errorf("/tip 9223372036854775807 in %s: %q, want %q", lang, texts(got), want)
		}
		for _, arg := range []string{"99999999999999999999x", "-99999999999999999999", "1e99"} {
			if got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: arg, Language: lang}); len(got) != 1 || got[0].Text != tm.msg.Localize(lang, "tip_usage", nil) {
				t.Errorf("/tip %s in %s: %q, want the usage", arg, lang, texts(got))
			}
		}
	}
}
