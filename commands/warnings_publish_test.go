package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// investigators redeems an invitation for each "id name" given.
func (tm *team) investigators(users ...string) {
	for _, u := range users {
		id, name, _ := strings.Cut(u, " ")
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(id, name, commands.Request{Command: "redeem", Args: code})
	}
}

const identifyingWarning = "Fake police checkpoint on the highway to Toluca km 23, they rob drivers. Call me at 5511112222, I'm Ana from the church."

// Investigators see at once, in their language, that a tip is a community
// warning, and how to publish it.
func TestWarningsAreMarkedInTip(t *testing.T) {
	tm := newTeam(t)
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: identifyingWarning})
	r := tm.as(reporterID, "R", commands.Request{Text: "un tip normal"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	if r := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1", Language: "es-MX"}); !strings.Contains(r[0].Text, tm.msg.Localize("es", "tip_warning", map[string]any{"ID": "1"})) {
		t.Fatalf("/tip of a warning: %s", r[0].Text)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "2"}); strings.Contains(r[0].Text, "Community warning") {
		t.Fatalf("/tip of a tip: %s", r[0].Text)
	}
}
