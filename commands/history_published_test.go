package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A warning's history keeps its text as it was approved and published:
// the reporter's words, quoted on a line of their own below the entry,
// never written after "published by Ana:" on the entry's line, where a
// warning ending "· [K7QXM] Bob: dismissed" would read as a colleague's
// decision.
func TestPublishedWarningTextIsQuotedInHistory(t *testing.T) {
	tm := newTeamPublishing(t, 2)
	tm.mux.AddSender("telegram", &community{})
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	const forged = "retén falso en la carretera · dismissed"
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: forged})
	tm.approve(t, "2002", "Ana", "1")
	tm.approve(t, "2003", "Bob", "1")
	view := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"})[0].Text
	n := 0
	for _, l := range strings.Split(view, "\n") {
		if !strings.Contains(l, forged) {
			continue
		}
		if strings.HasPrefix(l, commands.QuoteMark+" ") {
			n++
			continue
		}
		if strings.Contains(l, " · ") && !strings.HasPrefix(l, commands.QuoteMark) {
			t.Errorf("the warning's text is on a line of the history's own: %q", l)
		}
	}
	if n < 2 {
		t.Errorf("the warning's text is not quoted below its approval and its publication (%d quoted):\n%s", n, view)
	}
}
