package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// The audit log is kept a year and read by admins: a code given to a
// command (the invitation /revoke voids, a reporter's receipt code pasted
// there by mistake, in any form) is kept as a tag that tells codes apart,
// never as the code.
func TestAuditKeepsNoCode(t *testing.T) {
	tm := newTeam(t)
	invitation := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	r := tm.as(reporterID, "R", commands.Request{Text: "Cobran piso en el mercado"})
	receipt := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	if invitation == "" || receipt == "" {
		t.Fatal("no invitation or receipt code")
	}
	lower := strings.ToLower(strings.ReplaceAll(receipt, "-", " "))
	for _, args := range []string{invitation, invitation, receipt, lower} {
		tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: args})
	}
	tm.as(adminID, "Ada", commands.Request{Command: "search", Args: "piso " + receipt})

	entries, err := tm.store.AuditLog(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	shown := tm.as(adminID, "Ada", commands.Request{Command: "audit", Args: "10"})[0].Text
	var recorded []string
	for _, e := range entries {
		recorded = append(recorded, e.Args)
	}
	all := strings.Join(recorded, "\n") + "\n" + shown
	for _, code := range []string{invitation, receipt} {
		for _, form := range []string{code, strings.ReplaceAll(code, "-", ""), code[:4] + "-" + code[5:9]} {
			if strings.Contains(strings.ToUpper(all), form) {
				t.Errorf("the audit log holds %q:\n%s", form, all)
			}
		}
	}
	// Newest first: /search, then the four /revoke, the same code twice
	// under the same tag, two codes under two tags.
	if len(entries) < 6 || entries[1].Args != entries[2].Args || entries[3].Args != entries[4].Args || entries[1].Args == entries[3].Args ||
		!strings.HasPrefix(entries[1].Args, "code:") || entries[0].Args != "piso "+entries[1].Args {
		t.Errorf("audit entries: %q", recorded)
	}
}
