package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /team after every member invited was revoked does not say that nobody
// has joined "yet": some did. Its last line says who is on the team now.
func TestTeamAfterEveryInvitedMemberRevoked(t *testing.T) {
	tm := newTeam(t)
	last := func() string {
		t.Helper()
		lines := strings.Split(tm.as(adminID, "Ada", commands.Request{Command: "team"})[0].Text, "\n")
		return lines[len(lines)-1]
	}
	none := tm.text("en", "team_none", nil)
	if got := last(); got != none {
		t.Fatalf("/team before anyone joined ends %q", got)
	}
	tm.investigators("2002 Ana", "2003 Bob")
	if got := last(); got == none || !strings.Contains(got, "telegram:200") {
		t.Fatalf("/team with two members ends %q", got)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2002"})
	tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2003"})
	if got := last(); got != none {
		t.Fatalf("/team after every member was revoked ends %q", got)
	}
}
