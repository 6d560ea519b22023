package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply with punctuation that only parts the code from the answer,
// against the code ("CODE.El lunes", "CODE:El lunes", "CODE—El lunes")
// or as a word of its own on the code's line ("CODE — El lunes", "CODE
// - El lunes", "CODE -> El lunes"), delivers the answer without it
// ("El lunes"), as "CODE: El lunes" and "CODE. El lunes" do: not ".El
// lunes" or "— El lunes". What may open the answer ("CODE¿El lunes?",
// "CODE(el lunes)"), a number's sign ("CODE -5 grados"), other
// punctuation ("CODE ... el lunes") and a list's dash on a line of its
// own stay. Mutation: replyCode returning the rest after the code as
// before (no partingMark trim, no dropPartingWord) → this test fails
// (".El lunes", ":El lunes", "— El lunes", "- El lunes" delivered).
func TestReplyDeliversNoPunctuationPartingTheCodeFromTheAnswer_codes(t *testing.T) {
	for _, c := range []struct {
		args func(code string) string
		want string
	}{
		{func(code string) string { return code + ".El lunes" }, "El lunes"},
		{func(code string) string { return code + ":El lunes" }, "El lunes"},
		{func(code string) string { return code + "—El lunes" }, "El lunes"},
		{func(code string) string { return code + "...El lunes" }, "El lunes"},
		{func(code string) string { return strings.ReplaceAll(code, "-", " ") + ".El lunes" }, "El lunes"},
		{func(code string) string { return code + ": El lunes" }, "El lunes"},
		{func(code string) string { return code + " — El lunes" }, "El lunes"},
		{func(code string) string { return code + " – El lunes" }, "El lunes"},
		{func(code string) string { return code + " - El lunes" }, "El lunes"},
		{func(code string) string { return code + " -> El lunes" }, "El lunes"},
		{func(code string) string { return code + " : El lunes" }, "El lunes"},
		{func(code string) string { return "🙏" + code + " — El lunes" }, "El lunes"},
		{func(code string) string { return code + "¿El lunes?" }, "¿El lunes?"},
		{func(code string) string { return code + ".(el lunes)" }, "(el lunes)"},
		{func(code string) string { return code + " -5 grados" }, "-5 grados"},
		{func(code string) string { return code + " ... el lunes" }, "... el lunes"},
		{func(code string) string { return code + "\n- el lunes\n- el martes" }, "- el lunes\n- el martes"},
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		a := c.args(receipt)
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuándo?", c.want) {
			t.Errorf("/reply %q: Ana was told %q, want %q", a, n, c.want)
		}
	}
	// The parting mark alone after the code answers nothing: the usage.
	tm, receipt := questioned(t, "¿Cuándo?")
	for _, a := range []string{receipt + " —", receipt + " ->"} {
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
			t.Errorf("/reply %q: %q", a, texts(r))
		}
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Errorf("Ana was told %q", n)
	}
}
