package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// inDigits writes code's digits as another keyboard types them: from is
// that keyboard's zero ('٠' Arabic-Indic, '۰' Persian, '０' full-width).
func inDigits(code string, from rune) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return from + r - '0'
		}
		return r
	}, code)
}

// A receipt or invitation code typed on an Arabic or Persian keyboard (or
// a full-width one) is the code, as numbers in commands are: /status and
// /redeem read it, a code sent alone is a status check, and one posted in
// a group's conversation is removed (and an invitation voided).
func TestCodesTypedInArabicDigitsAreRead(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "send:")})[0].Text)
	if receipt == "" {
		t.Fatal("no receipt")
	}
	status := en("status_received", map[string]any{"Age": en("age_under_minute", nil)})
	for _, zero := range []rune{'٠', '۰', '０'} {
		typed := inDigits(receipt, zero)
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: typed}); len(r) != 1 || r[0].Text != status {
			t.Errorf("/status %q: %+v", typed, r)
		}
		if r := tm.as(reporterID, "Rosa", commands.Request{Text: "código " + typed}); len(r) != 1 || r[0].Text != status {
			t.Errorf("%q alone: %+v", typed, r)
		}
	}

	// In a group's conversation: removed, as in ASCII digits.
	w := &adminReplier{recorder: &recorder{}}
	tm.event++
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
		Text: "mi código es " + inDigits(receipt, '٠'), EventID: tm.event}, w)
	if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed", nil) {
		t.Errorf("a receipt code in Arabic-Indic digits in a group: deleted %v, %+v", w.deleted, r)
	}
	invite := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	w = &adminReplier{recorder: &recorder{}}
	tm.event++
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
		Text: "entra con " + inDigits(invite, '۰'), EventID: tm.event}, w)
	if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed", nil)+"\n\n"+en("redeem_void_in_group", nil) {
		t.Errorf("an invitation code in Persian digits in a group: deleted %v, %+v", w.deleted, r)
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: invite}); r[0].Text != en("redeem_bad", nil) {
		t.Errorf("an invitation code seen in a group in Persian digits still works: %q", r[0].Text)
	}

	// /redeem with an invitation code in Persian digits.
	invite = codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	if r := tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: inDigits(invite, '۰')}); r[0].Text != en("redeem_ok", map[string]any{"Role": en("role_investigator", nil)}) {
		t.Errorf("/redeem in Persian digits: %q", r[0].Text)
	}
}
