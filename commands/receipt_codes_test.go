package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A receipt code pasted in two goes (its first half ending one message,
// its second starting the next, as in four, one group a message) is in no
// single message, yet investigators would read it whole, in /tip and in
// /recent: it is cut from what they are shown. A code-like word that is
// no tip's code, split the same way, stays.
func TestReceiptCodeSplitAcrossMessagesIsNotShown(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	send := func(msgs ...string) {
		t.Helper()
		var r []commands.Reply
		for _, m := range msgs {
			r = tm.as(reporterID, "R", commands.Request{Text: m})
		}
		if tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")}); press(r, "send:") == "" {
			t.Fatalf("no Send after %q: %+v", msgs, r)
		}
	}
	send("mi código es "+code[:9], code[10:]+" gracias", "la cuenta es ABCD-EFGH", "JKMN-PQR5")
	send("otro: "+code[:4], code[5:9], code[10:14], code[15:], "fin")
	for _, tc := range []struct{ id, kept string }{{"2", "mi código es\n\ngracias"}, {"3", "otro:\n\nfin"}} {
		shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: tc.id})
		if len(shown) == 0 || strings.Contains(shown[0].Text, code[:9]) || strings.Contains(shown[0].Text, code[10:]) ||
			!strings.Contains(shown[0].Text, tc.kept) {
			t.Errorf("/tip %s shows the code split in parts: %+v", tc.id, shown)
		}
	}
	if shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"}); len(shown) == 0 || !strings.Contains(shown[0].Text, "ABCD-EFGH\n\nJKMN-PQR5") {
		t.Errorf("/tip 2 lost a split code-like word that is no tip's: %+v", shown)
	}
	if shown := tm.as(adminID, "Ada", commands.Request{Command: "recent"}); len(shown) == 0 || strings.Contains(shown[0].Text, code[:4]) {
		t.Errorf("/recent shows the code's first half: %+v", shown)
	}
}
