package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply with punctuation against the code and a number or a handle after
// it ("CODE:-5 grados", "CODE:.5 litros", "CODE:+52 55…", "CODE:$500",
// "CODE:#3", "CODE:@alias") delivers the number's sign, point, currency or
// "#" and the handle's "@" with the answer: the parting ":" or "." is
// trimmed, what opens the number is not ("-5 grados" told as "5 grados"
// says the opposite). Found in review of aa0211b (rev4). Mutation:
// replyCode trimming every partingMark as aa0211b did (no opensNumber) →
// this test fails ("5 grados", "5 litros", "52 55 1234", "500 pesos",
// "3", "alias" delivered).
func TestReplyKeepsTheSignOfANumberAfterPartingPunctuation_rev4(t *testing.T) {
	for _, c := range []struct{ sep, answer, want string }{
		{":", "-5 grados", "-5 grados"},
		{".", "-5 grados", "-5 grados"},
		{":", ".5 litros", ".5 litros"},
		{":", "+52 55 1234 5678", "+52 55 1234 5678"},
		{":", "$500 pesos", "$500 pesos"},
		{"—", "#3 de la lista", "#3 de la lista"},
		{":", "@alias", "@alias"},
		{":", "El lunes", "El lunes"}, // (the parting mark still trimmed)
		{"...", "El lunes", "El lunes"},
		{":-", "El lunes", "El lunes"},
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		a := receipt + c.sep + c.answer
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuándo?", c.want) {
			t.Errorf("/reply %q: Ana was told %q, want %q", a, n, c.want)
		}
	}
	// The code after an emoji, read by the receipt scan.
	for _, c := range []struct{ sep, answer, want string }{
		{":", "-5 grados", "-5 grados"},
		{":", "$500", "$500"},
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		a := "🙏" + receipt + c.sep + c.answer
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuándo?", c.want) {
			t.Errorf("/reply %q: Ana was told %q, want %q", a, n, c.want)
		}
	}
}
