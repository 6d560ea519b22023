package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A new member who types something that is not an invitation code
// ("/redeem ZZZZ", a code cut short) is shown what one looks like, in
// their language, and joins nothing.
func TestRedeemOfNoCodeShowsTheCodesShape(t *testing.T) {
	tm := newTeam(t)
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		for _, args := range []string{"ZZZZ", "K7QD-9XMA", ""} {
			r := tm.as("3003", "Nuevo", commands.Request{Command: "redeem", Args: args, Language: lang})
			if len(r) != 1 || r[0].Text != tm.msg.Localize(lang, "redeem_usage", nil) {
				t.Fatalf("%s /redeem %q: %+v", lang, args, r)
			}
			if !codeRE.MatchString(r[0].Text) {
				t.Errorf("%s /redeem %q: the answer shows no code's shape: %q", lang, args, r[0].Text)
			}
			if r := tm.as("3003", "Nuevo", commands.Request{Command: "recent", Language: lang}); r[0].Text != tm.msg.Localize(lang, "unknown_command", nil) {
				t.Fatalf("%s after /redeem %q the member has a role: %+v", lang, args, r)
			}
		}
	}
}
