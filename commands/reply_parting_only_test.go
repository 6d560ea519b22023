package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply CODE followed by nothing but marks that part a code from an
// answer (dashes, lines drawn for one, ":", "|") answers nothing: the
// usage, as "CODE -" already did, and the question stays open. Before,
// "CODE - -" dropped the first dash as parting and delivered "-" as the
// answer, closing the question. A dash before a number is kept, as
// before ("CODE - -5" delivers "- -5"). Mutation: replyCommand without its partingOnly
// check -> the six refused cases deliver "-", "—", "|"... and fail.
func TestReplyOfPartingMarksAloneIsTheUsage(t *testing.T) {
	for _, after := range []string{" - -", " -- —", " - ─", " : -", " | |", " -\n-"} {
		tm, receipt := questioned(t, "¿Cuánto?")
		a := receipt + after
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
			t.Errorf("/reply %q: %q, want the usage", a, texts(r))
		}
		if n := tm.notices("2002"); len(n) != 0 {
			t.Errorf("/reply %q: Ana was told %q", a, n)
		}
	}
	// Words, or a number, after the marks are the answer, as before.
	for after, want := range map[string]string{" - - sí": "- sí", " - -5": "- -5", " - ?": "?"} {
		tm, receipt := questioned(t, "¿Cuánto?")
		a := receipt + after
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuánto?", want) {
			t.Errorf("/reply %q: Ana was told %q, want %q", a, n, want)
		}
	}
}
