package tips

import (
	"strings"
	"testing"
)

// A text written a character at a time ("Ⓐ ① Ⓐ ① …", "A🔥A🔥…"), a
// code-like word at every character, each read sixteen characters on
// and normalised, is read up to maxReceiptSpans of them: 2,000 in a
// message cost 17 ms, a draft of such messages joined 95 ms. Past the
// bound, words that repeat one read just before are not read
// (repeatsRead), but within loneReach periods before each place the
// repeat breaks (each of a draft's four joins, two words a period
// here). A message
// of words, however many of them are code-like, is read whole: its
// receipt code after them is still cut.
func TestReceiptCandidatesAreBounded(t *testing.T) {
	for _, unit := range []string{"Ⓐ ① ", "A🔥", "🔥A", "A\u200b1\u200b", "🇦 ① ", "A 1 "} {
		s := strings.Repeat(unit, 4096/len([]rune(unit)))
		if n := len(receiptSpans(s, true)); n <= maxReceiptSpans {
			t.Fatalf("%q: %d code-like words, the test needs more", unit, n)
		}
		// (Past the bound, the scan reads no word of one character
		// that repeats one read: none of these.)
		if cands, _ := receiptCandidates([]string{s}); len(cands) > maxReceiptSpans {
			t.Errorf("%q: %d code-like words read, more than %d", unit, len(cands), maxReceiptSpans)
		}
		// (A draft's messages, read joined: CutReceiptsAcross.)
		if cands, _ := receiptCandidates([]string{strings.Join([]string{s, s, s, s, s}, partSeparator)}); len(cands) > maxReceiptSpans+4*2*loneReach+8 {
			t.Errorf("%q: a draft of them: %d code-like words read, more than %d", unit, len(cands), maxReceiptSpans+4*2*loneReach+8)
		}
	}
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, words := range []string{"AB12 ", "[AB12] ", "AB12 🚗 ", "casa ", "tkAB12AB12AB12AB12xy "} {
		in := strings.Repeat(words, (4096-len(code)-10)/len([]rune(words))) + "mi código " + code
		if len([]rune(in)) > 4096 {
			t.Fatalf("%q: %d characters", words, len([]rune(in)))
		}
		out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
		if err != nil || !cut || strings.Contains(out[0], "K7QD") {
			t.Errorf("%q…: the code after a message of them not cut (%v %v)", words, cut, err)
		}
	}
}
