package commands_test

import (
	"testing"
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
		replyIsUsage(t, "¿Cuánto?", after)
	}
	// Words, or a number, after the marks are the answer, as before.
	for after, want := range map[string]string{" - - sí": "- sí", " - -5": "- -5", " - ?": "?"} {
		replyDelivers(t, "¿Cuánto?", after, want)
	}
}
