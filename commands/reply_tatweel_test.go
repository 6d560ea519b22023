package commands_test

import (
	"testing"
)

// The Arabic tatweel (U+0640, a letter-extender) counts as a dash in
// /reply (tips.LineLike) only where /reply looks for one: a word of
// nothing but dashes after the code, or marks right against it. There a
// run of tatweels is what Arabic typing draws as a rule, and parts the
// code from the answer as "—" does; inside or ending a word, where it
// extends a letter ("كـبير", the hijri year's "هـ"), it is never looked
// at, and is delivered. Decided to keep (pinned, no change): excluding
// it would deliver "ـــ" alone as an answer, closing the question. So
// does a block element drawn as a line ("▁").
func TestReplyReadsTatweelAsADashOnlyStandingAlone(t *testing.T) {
	for after, want := range map[string]string{
		" ـــ نعم":   "نعم",
		" كـبير":     "كـبير",
		" هـ 1445":   "هـ 1445",
		" ـ كـبير ـ": "كـبير ـ",
		" ▁ sí":      "sí",
	} {
		replyDelivers(t, "¿Cuánto?", after, want)
	}
	for _, after := range []string{" ـــ", "ـ", " ـ ـ"} {
		replyIsUsage(t, "¿Cuánto?", after)
	}
}
