package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A private /warn signed with its sender's own name or username is told,
// with "received", that investigators will read it (and communities may):
// as a spooled tip or an answer is, since a warning is kept at once, with
// no draft to cancel. A warning naming someone else, or forwarded words,
// is not.
func TestHostileOwnNameInAPrivateWarningIsPointedOut(t *testing.T) {
	tm := newTeam(t)
	note := "\n\n" + tm.msg.Localize("en", "own_name_sent", nil)
	for _, c := range []struct {
		args string
		told bool
	}{
		{"Retén falso en la carretera esta noche. Saludos, Rosa Gómez", true},
		{"Retén falso en la carretera, avisen a @rosa_gomez_mx", true},
		{"Retén falso en la carretera, lo puso Pedro Martínez", false},
		{warningText, false},
	} {
		r := tm.as(reporterID, "Rosa Gómez @rosa_gomez_mx", commands.Request{Command: "warn", Args: c.args})
		if len(r) != 1 {
			t.Fatalf("%q: %+v", c.args, r)
		}
		got := r[0].Text
		if told := len(got) > len(note) && got[len(got)-len(note):] == note; told != c.told {
			t.Errorf("%q: own-name note %v, want %v: %q", c.args, told, c.told, got)
		}
	}
}
