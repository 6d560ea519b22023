package tips

import (
	"strings"
	"testing"
)

// floodUnits are texts of a code-like word at every character (a word of
// one character each, read sixteen characters on), and of four-character
// words, past maxReceiptSpans of them in 4,096 characters.
var floodUnits = []string{"A 1 ", "Ⓐ ① ", "A🔥", "🔥A", "A\u200b1\u200b", "🇦 ① ", "K 7 Q D ", "AB12 ", "[AB12] "}

// A reporter's receipt code after a flood of code-like words, in a
// message of 4,096 characters or a text of 64 kB, is found and cut,
// whether written as shown, typed without dashes, in small letters, with
// spaces, wrapped, or glued to a word: past maxReceiptSpans code-like
// words, the scan goes on to the text's end, reading no word of one
// character (loneCodeChar) that repeats one read just before
// (repeatsRead). Before, it stopped there, and the code after
// 1,024 of them stayed, sealed in Redis but shown to investigators.
// Mutation: scanReceipts stopping at most again -> every flood of one
// character fails (and the 64 kB ones of "AB12 ").
func TestCodeAfterAFloodIsCut_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{code, "K7QD9XMAR2TP4WZN", "k7qd 9xma r2tp 4wzn", "[K7QD]-[9XMA]-[R2TP]-[4WZN]", "códigoK7QD-9XMA-R2TP-4WZN"} {
		for _, unit := range floodUnits {
			for _, size := range []int{4096, 64 << 10} {
				tail := " mi código " + written
				n := (size - len([]rune(tail))) / len([]rune(unit))
				in := strings.Repeat(unit, n) + tail
				if size == 64<<10 && len(in) > size {
					in = strings.Repeat(unit, n*size/len(in)) + tail
				}
				out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
				if err != nil || !cut || strings.Contains(strings.ToUpper(out[0]), "9XMA") {
					t.Errorf("%q after %d bytes of %q: not cut (%v %v)", written, len(in)-len(tail), unit, cut, err)
				}
			}
		}
	}
}
