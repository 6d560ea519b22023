package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /search repeats a word written like a filter it does not have: in its
// reply, read in the investigators' group too, the word is made safe as
// reported text is: no direction override to turn the rest of the line
// around, no link to tap.
func TestSearchRepeatsWordsSafely(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", "")
	for _, args := range []string{"mercado x:\u202eevil.example/next", "mercado de:evil.example"} {
		text := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: args})[0].Text
		if strings.ContainsRune(text, '\u202e') || strings.Contains(text, "evil.example") {
			t.Errorf("/search %q repeats what it was given unsafely:\n%q", args, text)
		}
	}
}
