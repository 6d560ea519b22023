package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// unisolated is text without its isolates (FSI, PDI): what a test of a
// view's words compares.
func unisolated(s string) string { return strings.NewReplacer("\u2068", "", "\u2069", "").Replace(s) }

// An /audit entry's arguments and its member's name are isolated, as
// text someone wrote is in every view: in Arabic or Hebrew they would
// otherwise take the numbers and separators around them, and the entry
// would read in another order.
func TestAuditIsolatesArgumentsAndNames(t *testing.T) {
	tm := newTeam(t)
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "أحمد", commands.Request{Command: "redeem", Args: code})
	tm.as("2002", "أحمد", commands.Request{Command: "search", Args: "ابتزاز 5"})
	r := tm.as(adminID, "Ada", commands.Request{Command: "audit", Args: "1"})
	if want := "\u2068telegram:2002 أحمد\u2069 · /search \u2068ابتزاز 5\u2069"; !strings.HasSuffix(r[0].Text, want) {
		t.Fatalf("/audit 1:\n%q\nwant it to end with %q", r[0].Text, want)
	}
}
