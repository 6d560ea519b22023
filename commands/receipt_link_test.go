package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A receipt code written in two pieces, its first groups in a message's
// words and its last in a link's address (a link shown as words, whose
// address the investigator reads after the text; a link written out; a
// link sent as the next message), reaches investigators without the code:
// the link's address stays, less the code's piece.
func TestReceiptCodeSplitIntoALinkIsNotShown(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	head, last := code[:14], code[15:] // "K7QD-9XMA-R2TP", "4WZN"
	send := func(reqs ...commands.Request) {
		t.Helper()
		var r []commands.Reply
		for _, req := range reqs {
			r = tm.as(reporterID, "R", req)
		}
		if press(r, "send:") == "" {
			t.Fatalf("no Send after %+v: %+v", reqs, r)
		}
		tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	}
	send(commands.Request{Text: "extorsión en el mercado, mi código " + head, HiddenLinks: []string{"https://x.example/estado?c=" + last}})
	send(commands.Request{Text: "extorsión en el mercado, mi código " + head + " https://x.example/" + strings.ToLower(last) + "/ver"})
	send(commands.Request{Text: "extorsión en el mercado, mi código " + code[:12]}, commands.Request{Text: "https://x.example/?q=" + code[12:14] + "%2D" + last})
	for _, id := range []string{"2", "3", "4"} {
		shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: id})
		if len(shown) == 0 || strings.Contains(shown[0].Text, head[:9]) || strings.Contains(strings.ToUpper(shown[0].Text), last) ||
			!strings.Contains(shown[0].Text, "extorsión en el mercado") || !strings.Contains(shown[0].Text, "example") {
			t.Errorf("/tip %s shows the code split into a link: %+v", id, shown)
		}
	}
	// A code-like word that is no tip's, split the same way, stays.
	send(commands.Request{Text: "la referencia es AB12-CD34-EF56", HiddenLinks: []string{"https://pago.example/?ref=GH78"}})
	if shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "5"}); len(shown) == 0 || !strings.Contains(shown[0].Text, "AB12-CD34-EF56") || !strings.Contains(shown[0].Text, "ref=GH78") {
		t.Errorf("/tip 5 lost a split code-like word that is no tip's: %+v", shown)
	}
}
