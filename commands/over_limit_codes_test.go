package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A group over its hourly limit: an invitation code written there (after
// /redeem, in a /warn, after any command) was seen by everyone, and is
// void as within the limit, its message removed.
func TestGroupOverItsLimitVoidsInvitationCodes(t *testing.T) {
	sent := &recorder{}
	limits := commands.DefaultLimits
	limits.ChatPerHour = 3
	e, srv := newEngine(t, "w", sent, commands.Options{Retention: 24 * time.Hour, Limits: limits, Roles: commands.Roles{"telegram:" + adminID: commands.Admin}})
	tm := &team{env: e, srv: srv, sent: sent}
	for range 3 { // someone else spends the group's counter
		tm.inGroup("6666", "-1", false, commands.Request{Command: "help"})
	}
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	for i, cmd := range []string{"redeem", "warn", "help"} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		if code == "" {
			t.Fatal("no invitation code")
		}
		w, r := tm.inGroupAsIs("7777", "-1", commands.Request{Command: cmd, Args: code, CommandAtStart: true})
		if !w.deleted {
			t.Errorf("/%s CODE over the group's limit was left in view", cmd)
		}
		if len(r) != 1 || !strings.HasSuffix(r[0].Text, en("redeem_void_in_group")) {
			t.Errorf("/%s CODE over the group's limit: %+v, want the group told the code is void", cmd, r)
		}
		if r := tm.as("400"+string(rune('4'+i)), "Eve", commands.Request{Command: "redeem", Args: code}); len(r) == 0 || r[0].Text != en("redeem_bad") {
			t.Errorf("/%s CODE over the group's limit: the code still works: %+v", cmd, r)
		}
	}
}
