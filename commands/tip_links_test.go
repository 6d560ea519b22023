package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A link written again and again, in one part or across parts, is listed
// once under the tip's links: a tip of the same link hundreds of times
// must not bury the view, over several messages, under a list of copies.
func TestTipListsEachLinkOnce(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "pagar en https://cobro.example/x y https://cobro.example/x"})
	tm.as(reporterID, "R", commands.Request{Text: "otra vez https://cobro.example/x, también https://otro.example/y"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	view := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"})[0].Text
	_, links, ok := strings.Cut(view, tm.msg.Localize("en", "tip_links", nil)+"\n")
	if !ok {
		t.Fatalf("no links in:\n%s", view)
	}
	links, _, _ = strings.Cut(links, "\n\n")
	if want := "• hxxps://cobro[.]example/x\n• hxxps://otro[.]example/y"; links != want {
		t.Fatalf("links listed:\n%s\nwant:\n%s", links, want)
	}
}
