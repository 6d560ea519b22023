package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A forwarded post's origin is named by its title, which whoever runs
// the channel wrote: it is quoted on a line of its own, as the reporter's
// text is, never written after "Forwarded from:" on the bot's own line,
// where "· verified by [K7QXM] Ana" would read as the bot's words. A
// forward from a person names nobody.
func TestForwardOriginIsQuoted(t *testing.T) {
	tm := newTeam(t)
	const title = "Reuters · verified by [K7QXM] Ana"
	r := tm.as(reporterID, "R", commands.Request{Text: "reenviado", Forward: &tips.Forward{Title: title, Username: "noticias_mx"}})
	tm.as(reporterID, "R", commands.Request{Text: "de una persona", ForwardedFromPerson: true})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	view := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"})[0].Text
	source := commands.QuoteMark + " " + title + " @noticias_mx"
	if want := tm.msg.Localize("en", "tip_forward", map[string]any{"Source": source}); !strings.Contains(view, want) {
		t.Errorf("the origin is not quoted on a line of its own, want %q in:\n%s", want, view)
	}
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "verified by") && !strings.HasPrefix(l, commands.QuoteMark+" ") {
			t.Errorf("the origin's title is on a line of the bot's own: %q", l)
		}
	}
	if !strings.Contains(view, tm.msg.Localize("en", "tip_forward_hidden", nil)) {
		t.Errorf("the forward from a person is not said to be one:\n%s", view)
	}
}
