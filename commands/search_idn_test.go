package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A host copied from a view into /search finds the tips naming it in
// either form: one tip wrote it in punycode (shown so), another decoded
// (shown with its punycode after it).
func TestSearchFindsAHostInEitherForm(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en https://xn--e1afmkfd.xn--p1ai/pago", "")
	tm.report("7002", "cobran piso en https://пример.рф/pago", "")
	for _, shown := range []string{"пример[.]рф", "xn--e1afmkfd[.]xn--p1ai", "hxxps://пример[.]рф/pago"} {
		text := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: shown})[0].Text
		if !strings.Contains(text, "#1 ") || !strings.Contains(text, "#2 ") {
			t.Errorf("/search %s:\n%s", shown, text)
		}
	}
}
