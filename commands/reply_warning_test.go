package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply with a warning's code says it is a warning's, as /forget and
// /status do: not "there is no open question for that tip", which tells
// the sender a tip under that code waits for a question. Whoever sends it
// (its reporter, or a team member who holds the code), in their language;
// nothing delivered, nobody named.
func TestReplyWithAWarningCodeSaysItIsAWarning(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	code := codeRE.FindString(r[0].Text)
	if code == "" {
		t.Fatalf("no code: %+v", r)
	}
	for _, tc := range []struct{ user, lang string }{{reporterID, "en"}, {reporterID, "es"}, {adminID, "fr"}, {adminID, "pt-BR"}} {
		r := tm.as(tc.user, "R", commands.Request{Command: "reply", Args: code + " en la esquina norte", Language: tc.lang})
		if len(r) != 1 || r[0].Text != tm.msg.Localize(tc.lang, "reply_warning", nil) {
			t.Fatalf("/reply with a warning's code from %s in %s: %+v", tc.user, tc.lang, r)
		}
	}
	if r := tm.as(reporterID, "R", commands.Request{Command: "forget", Args: code}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "forget_warning", nil) {
		t.Fatalf("/forget of a warning: %+v", r)
	}
}
