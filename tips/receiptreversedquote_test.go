package tips

import (
	"slices"
	"testing"
)

// A code quoted with "‟" (U+201F, the double high-reversed-9 quotation
// mark, which some fonts and keyboards give for an opening quote) is read
// and cut as one quoted with "„" or "‛" is: its groups wrapped each
// ("‟K7QD” ‟9XMA” …") are read as the code, and a code wrapped whole
// ("‟CODE”") goes with its quotes, not leaving "‟”". quoteMark counted it
// among the quotation marks, yet it opened nothing. Mutation: wrapPartner
// without '‟' -> every case fails.
func TestReversedDoubleQuoteOpensAGroup_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, in := range []string{
		"mi código ‟K7QD” ‟9XMA” ‟R2TP” ‟4WZN” ya",
		"mi código ‟K7QD”-‟9XMA”-‟R2TP”-‟4WZN” ya",
		"mi código ‟K7QD‟ ‟9XMA‟ ‟R2TP‟ ‟4WZN‟ ya",
		"mi código ‟K7QD-9XMA-R2TP-4WZN” ya",
	} {
		if codes := MessageCodesIn([]string{in}); !slices.Contains(codes, code) {
			t.Errorf("%q: read %q, want %s among them", in, codes, code)
		}
		out, cut, err := CutMessageReceipts([]string{in}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi código ya" {
			t.Errorf("%q: cut %q %v %v, want %q", in, out[0], cut, err, "mi código ya")
		}
	}
}
