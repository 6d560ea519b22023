package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply with the code wrapped in markdown or against an underscore and
// nothing else ("/reply _CODE_", "/reply CODE_", "/reply **CODE**")
// answers the usage, the question left open for the answer: not "_" or
// "**" delivered as the answer, the question closed. Written against the
// answer ("CODE_El lunes", "__CODE__El lunes"), the answer is what
// follows the wrapper or the underscores, as after a space.
func TestReplyWithTheCodeWrappedDeliversNoWrapper(t *testing.T) {
	for _, args := range []func(code string) string{
		func(code string) string { return "_" + code + "_" },
		func(code string) string { return code + "_" },
		func(code string) string { return "__" + code + "__" },
		func(code string) string { return "||_" + code + "_||" },
		func(code string) string { return "**" + code + "**" },
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		a := args(receipt)
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
			t.Errorf("/reply %q: %q", a, texts(r))
		}
		if n := tm.notices("2002"); len(n) != 0 {
			t.Errorf("/reply %q: Ana was told %q", a, n)
		}
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " El lunes"}); !tm.answered(r) {
			t.Errorf("/reply CODE El lunes after /reply %q: %q (the question was closed)", a, texts(r))
		}
	}
	for _, args := range []func(code string) string{
		func(code string) string { return code + "_El lunes" },
		func(code string) string { return "_" + code + "_El lunes" },
		func(code string) string { return "__" + code + "__El lunes" },
		func(code string) string { return strings.ReplaceAll(code, "-", "_") + "_El lunes" },
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		a := args(receipt)
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuándo?", "El lunes") {
			t.Errorf("/reply %q: Ana was told %q", a, n)
		}
	}
}

// /reply with the code and punctuation against it, nothing else
// ("/reply CODE.", "/reply CODE?!", "/reply ¿CODE?.", "/reply -CODE-."),
// answers the usage, the question left open: not "." delivered as the
// answer and the question closed, as "/reply _CODE_" answers the usage.
// An emoji against it is still the answer ("CODE👍"), and the words
// after that punctuation are ("🙏CODE. El lunes": "El lunes").
// Mutation: replyCode returning unwrappedRest as it is → this test fails.
func TestReplyWithTheCodeAndPunctuationAloneDeliversNothing(t *testing.T) {
	for _, args := range []func(code string) string{
		func(code string) string { return code + "." },
		func(code string) string { return code + "?!" },
		func(code string) string { return "¿" + code + "?." },
		func(code string) string { return "-" + code + "-." },
		func(code string) string { return "(" + code + ")." },
		func(code string) string { return code + "… " },
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		a := args(receipt)
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
			t.Errorf("/reply %q: %q", a, texts(r))
		}
		if n := tm.notices("2002"); len(n) != 0 {
			t.Errorf("/reply %q: Ana was told %q", a, n)
		}
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " El lunes"}); !tm.answered(r) {
			t.Errorf("/reply CODE El lunes after /reply %q: %q (the question was closed)", a, texts(r))
		}
	}
	for _, c := range []struct{ before, after, want string }{
		{"", "👍", "👍"},
		{"🙏", ". El lunes", "El lunes"},
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		a := c.before + receipt + c.after
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuándo?", c.want) {
			t.Errorf("/reply %q: Ana was told %q", a, n)
		}
	}
}
