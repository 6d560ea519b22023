package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply with a dash against the code and an amount's currency, point or
// decimal comma against the dash ("CODE—€5", "CODE-$500", "CODE—.5
// litros") delivers the dash with the amount, as it does a dash before a
// number ("CODE—5") and a dash of its own before an amount ("CODE -
// €5"): "—€5" may be "-€5", a debt or a loss. A dash before words still
// parts ("CODE—El lunes"). Found in stop 44's notes: "CODE—€5" was
// delivered as "€5". Mutations: opensNumber without the dash before a
// currency, point or comma (as before) → the first six cases fail ("€5",
// "$500", "£20 al mes", ".5 litros", ",5", "€5" delivered); replyCode
// keeping only the last parting mark that opens the number (as before:
// "$", "." and "," are parting marks too) → "-$500", "—.5 litros" and
// "-,5" fail.
func TestReplyKeepsADashAgainstAnAmount(t *testing.T) {
	for _, c := range []struct{ after, want string }{
		{"—€5", "—€5"},
		{"-$500", "-$500"},
		{"–£20 al mes", "–£20 al mes"},
		{"—.5 litros", "—.5 litros"},
		{"-,5", "-,5"},
		{":—€5", "—€5"}, // the colon parts, the sign stays
		// As before: a dash before a number, or of its own before an
		// amount, is kept; before words it parts.
		{"—5", "—5"},
		{" - €5", "- €5"},
		{"—El lunes", "El lunes"},
		{"—€ y nada más", "€ y nada más"},
	} {
		tm, receipt := questioned(t, "¿Cuánto?")
		a := receipt + c.after
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuánto?", c.want) {
			t.Errorf("/reply %q: Ana was told %q, want %q", a, n, c.want)
		}
	}
}
