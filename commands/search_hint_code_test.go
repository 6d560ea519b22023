package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A word of /search shaped like a filter it does not know (code:…) is
// named back in a hint; where that word, made safe to show, holds a
// receipt code, the hint must not repeat it: the answer may be read in
// the investigators' group.
func TestSearchWordHintRepeatsNoCode(t *testing.T) {
	tm := newTeam(t)
	for _, args := range []string{
		"piso code:K7QDé9XMAR2TP4WZN.zn",
		"piso code:K7QD\u0080\u0080\u0080\u00809XMAR2TP4WZN",
	} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: args, Language: "es"})
		if len(r) == 0 {
			t.Fatalf("/search %q: no answer", args)
		}
		for _, m := range r {
			noCodeGroup(t, args, m.Text, "K7QD", "9XMA", "R2TP", "4WZN")
		}
	}
}
