package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply with letters typed against the code ("tkCODE", "CODEx") answers
// the usage, as before stray characters around a code were read in a
// tip: read from the word's first letter, "tkK7QD9XMAR2TP4WZN" is
// TKK7-QD9X-MAR2-TP4W and "ZN", and the reporter was told no tip matches
// their code; nothing is delivered.
func TestReplyWithLettersAgainstTheCodeIsTheUsage(t *testing.T) {
	for _, args := range []func(code string) string{
		func(code string) string { return "tk" + strings.ReplaceAll(code, "-", "") + " el lunes" },
		func(code string) string { return code + "x el lunes" },
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		a := args(receipt)
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
			t.Errorf("/reply %q: %q", a, texts(r))
		}
		if n := tm.notices("2002"); len(n) != 0 {
			t.Errorf("/reply %q: Ana was told %q", a, n)
		}
	}
}
