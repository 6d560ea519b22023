package tips

import (
	"slices"
	"testing"
)

// MessageCodesIn reads a message's text and its hidden links joined as
// CutMessageReceipts reads them (partSeparator between them): a code
// split within a group across the text's end and a link ("… R2", then
// "TP-4WZN") is read by both, so that a reporter quoting their code so
// (to /nota, /wipe, or voiding an invitation in a group) is recognised as
// the cut recognises it. Joined with "\n", the group was two words and
// the code was not read at all, though it was cut.
// Mutation: MessageCodesIn joining with "\n" again -> the split-group
// cases are not read.
func TestMessageCodesInReadsAsTheCutDoes_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, texts := range [][]string{
		{"mira K7QD-9XMA-R2", "TP-4WZN"},
		{"mira K7Q", "D-9XMA-R2TP-4WZN"},
		{"mira K7QD-9XMA-R2TP-4W", "ZN", "https://x.example/"},
		{"mira K7QD-9XMA", "R2TP-4WZN"},
		{"mira K7QD-9XMA-", "R2TP-4WZN"},
	} {
		out, cut, err := CutMessageReceipts(texts, knowsOnly(code))
		if err != nil || !cut {
			t.Fatalf("%q: cut %q %v %v: the test reads what is cut", texts, out, cut, err)
		}
		if codes := MessageCodesIn(texts); !slices.Contains(codes, code) {
			t.Errorf("%q: read %q, want %s among them, as it is cut", texts, codes, code)
		}
	}
}
