package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A delay of zero written with a unit ("/wipe 0m", "/wipe 0h", "/wipe
// 00m", "/wipe 0h0m") wipes the chat at once, as "/wipe 0" and "/wipe
// now" do. Decided in stop 46 against refusing it with the usage: a
// reporter who types it may be in a hurry because someone is about to
// look at their phone, and wiping early only costs them the chat's
// history (the receipt code was given to be written down). Mutation:
// wipe refusing a zero delay with a unit (d <= 0 for d < 0) -> no wipe,
// the test fails.
func TestWipeZeroDelayWipesAtOnce(t *testing.T) {
	e, p, _ := newGuarded(t)
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	rep(commands.Request{Callback: press(rep(commands.Request{Text: "Venden armas en el taller", MessageID: "40"}), "send:"), MessageID: "42"})
	for i, zero := range []string{"0m", "0M", "0h", "00m", "0h0m", "0", "now"} {
		if r := rep(commands.Request{Command: "wipe", Args: zero, MessageID: string(rune('a' + i))}); len(r) != 0 {
			t.Errorf("/wipe %s left a message behind: %+v", zero, r)
		}
		if _, w := p.took(); len(w) != i+1 || w[i] != wiperID+"/"+string(rune('a'+i)) {
			t.Fatalf("/wipe %s did not wipe at once: %v", zero, w)
		}
	}
}
