package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A tip number written with leading zeros names the same tip, in commands
// and in buttons; signs, other characters and numbers too large for a tip
// are refused as before.
func TestTipNumbersWithLeadingZeros(t *testing.T) {
	tm := newTeam(t)
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})

	for _, arg := range []string{"01", "#001", " 0001 "} {
		r = tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: arg})
		if !strings.HasPrefix(r[0].Text, "Tip #1 ·") || !strings.Contains(r[0].Text, "cobran piso") {
			t.Errorf("/tip %q: %q", arg, r[0].Text)
		}
	}
	for _, arg := range []string{"-1", "+1", "1e3", "0x1", "1_0", "١", "99999999999999999999"} {
		if r = tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: arg}); r[0].Text != en("tip_usage", nil) {
			t.Errorf("/tip %q: %q, want the usage", arg, r[0].Text)
		}
	}
	if r = tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "00"}); r[0].Text != en("tip_not_found", map[string]any{"ID": "0"}) {
		t.Errorf("/tip 00: %q", r[0].Text)
	}
	if r = tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "01 escalated"}); r[0].Text != en("triage_done", map[string]any{"ID": "1", "Status": en("status_escalated", nil)}) {
		t.Errorf("/triage 01 escalated: %q", r[0].Text)
	}
	if r = tm.as(adminID, "Ada", commands.Request{Callback: "tr:01:new"}); len(r) == 0 || r[0].Text != en("triage_done", map[string]any{"ID": "1", "Status": en("status_new", nil)}) {
		t.Errorf("button tr:01:new: %+v", r)
	}
}
