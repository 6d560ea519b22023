package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// An emoticon made of the marks that part a code from an answer (":-|",
// ";-;", ",-,") is an answer, delivered as typed: dropPartingWord keeps
// a word that mixes them, so it was delivered before 6094567, which
// refused any answer of those marks alone. Only words that part the code
// from the answer and nothing else are no answer ("- -", ": -").
// Mutation: partingOnly back to "only dashes, :;,| and spaces" -> the
// three are answered with the usage and the question stays open.
func TestReplyOfAnEmoticonOfPartingMarksIsDelivered(t *testing.T) {
	for after, want := range map[string]string{" :-|": ":-|", " ;-;": ";-;", " - ;-;": ";-;", " ,-,": ",-,"} {
		tm, receipt := questioned(t, "¿Te volvieron a llamar?")
		a := receipt + after
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Te volvieron a llamar?", want) {
			t.Errorf("/reply %q: Ana was told %q, want %q", a, n, want)
		}
	}
}
