package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply with a character drawn as a line for a dash against the code
// (a box-drawing "─", "━", a small tilde "˜": what some keyboards'
// symbol pages give for one, and what tips reads as a dash between a
// code's groups, lineLike) reads it as it reads a dash: before a
// number it is kept ("CODE─5" may be "-5", "CODE─€5"), before words it
// parts ("CODE─El lunes", "CODE ─ El lunes" deliver "El lunes"), and
// alone it answers nothing ("CODE─" is the usage, as "CODE—" is, not
// "─" delivered, which closed the question). Mutation: lineDash as
// unicode.Pd alone (as before) -> "─El lunes", " ─ El lunes", "━El
// lunes" and "─->sí" delivered with the line, "─" delivered as the
// answer; the number cases pass either way (pinned).
func TestReplyReadsALineDrawnDashAsADash(t *testing.T) {
	for _, c := range []struct{ after, want string }{
		{"─5", "─5"},
		{"─€5", "─€5"},
		{" ─ 5 hombres", "─ 5 hombres"},
		{"━5", "━5"},
		{"˜5", "˜5"},
		{"─El lunes", "El lunes"},
		{" ─ El lunes", "El lunes"},
		{"━El lunes", "El lunes"},
		{"─->sí", "sí"},
		// As before: a dash of Unicode's dashes.
		{"—5", "—5"},
		{"—El lunes", "El lunes"},
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
	for _, after := range []string{"─", "━", "—"} {
		tm, receipt := questioned(t, "¿Cuánto?")
		a := receipt + after
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
			t.Errorf("/reply %q: %q, want the usage", a, texts(r))
		}
		if n := tm.notices("2002"); len(n) != 0 {
			t.Errorf("/reply %q: Ana was told %q", a, n)
		}
	}
}
