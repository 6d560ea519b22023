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

// /revoke reads its argument whole as a code, in any form NormalizeReceipt
// reads (the groups cut elsewhere, a space between every character): the
// audit log keeps none of them, only the code's tag.
func TestAuditKeepsNoCodeInAnyFormRevokeReads(t *testing.T) {
	tm := newTeam(t)
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	if code == "" {
		t.Fatal("no invitation code")
	}
	compact := strings.ReplaceAll(code, "-", "")
	forms := []string{
		code,
		compact[:5] + " " + compact[5:10] + " " + compact[10:15] + " " + compact[15:], // groups of five
		strings.Join(strings.Split(compact, ""), " "),                                 // a space between every character
		code[:18] + " " + code[18:],                                                   // the last character apart
	}
	for _, form := range forms {
		tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: form})
	}
	entries, err := tm.store.AuditLog(context.Background(), len(forms))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(forms) {
		t.Fatalf("%d audit entries, want %d", len(entries), len(forms))
	}
	tag := entries[len(entries)-1].Args // the code as printed
	for _, e := range entries {
		read := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(e.Args))
		if e.Args != tag || strings.Contains(read, compact) || strings.Contains(read, compact[:8]) {
			t.Errorf("/revoke recorded %q, want %q (the code's tag)", e.Args, tag)
		}
	}
}

// /invite shows the invitation's tag as the audit log keeps it, so an
// admin can match the entries of its redemption and revocation to it.
// Mutation: invite without the invite_audit_tag line → no tag shown;
// redeem audited with its role alone → its entry has no tag.
func TestInviteShowsItsAuditTag(t *testing.T) {
	tm := newTeam(t)
	shown := tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text
	code := codeRE.FindString(shown)
	tag := tm.store.CodeTag(code)
	if code == "" || !strings.Contains(shown, tm.text("en", "invite_audit_tag", map[string]any{"Tag": tag})) {
		t.Fatalf("/invite answered %q, want its tag %q", shown, tag)
	}
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: code})
	entries, err := tm.store.AuditLog(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.Contains(e.Args, tag) {
			t.Errorf("audit entry %s %q lacks the invitation's tag %q", e.Action, e.Args, tag)
		}
	}
}

// /team shows each member's invitation tag, as /invite and the audit log
// show it, so an admin can match the audit lines of a redemption to the
// member who joined with it.
// Mutation: Redeem not keeping the tag in the member record → /team
// shows none.
func TestTeamShowsInvitationAuditTags(t *testing.T) {
	tm := newTeam(t)
	shown := tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text
	code := codeRE.FindString(shown)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	want := "telegram:2002 · " + tm.text("en", "role_investigator", nil)
	team := tm.as(adminID, "Ada", commands.Request{Command: "team"})[0].Text
	for _, line := range strings.Split(team, "\n") {
		if strings.Contains(line, want) {
			if tag := " · " + tm.text("en", "team_invite", map[string]any{"Tag": tm.store.CodeTag(code)}); !strings.HasSuffix(line, tag) {
				t.Errorf("/team line %q, want it to end with %q", line, tag)
			}
			return
		}
	}
	t.Fatalf("/team does not list Ana:\n%s", team)
}

// A receipt code of letters alone (given out before every code held a
// digit) pasted in an audited command is kept as its tag too, when a tip
// has it; words shaped like one that no tip has stay as they were typed.
func TestAuditKeepsNoOldReceiptCodeOfLettersAlone(t *testing.T) {
	var real string
	const old = "ABCD-EFGH-JKMN-PQRS"
	e := newEnv(t, func(s commands.Store) commands.Store { return oldReceipts{s, old, &real} })
	real = e.sendTip(reporterID, "me cobran piso en el mercado")
	e.do(investigatorID, commands.Request{Command: "search", Args: "piso " + strings.ToLower(strings.ReplaceAll(old, "-", " ")) + " y esta casa para mama"})
	entries, err := e.store.AuditLog(context.Background(), 1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	if want := "piso " + e.store.CodeTag(old) + " y esta casa para mama"; entries[0].Args != want {
		t.Fatalf("/search recorded %q, want %q", entries[0].Args, want)
	}
}
