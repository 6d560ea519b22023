package commands_test

import (
	"testing"
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
		replyDelivers(t, "¿Te volvieron a llamar?", after, want)
	}
}
