package tips

import (
	"strings"
	"testing"
)

// A code spelled out a character at a time ("K 7 Q D - 9 X M A - …",
// "K\u200b7\u200b…"), read and cut in a message of its own
// (TestReceiptSpelledOutIsCut), is read and cut after a flood of
// code-like words too, in 4,096 characters and in 64 kB: past
// maxReceiptSpans, a word of one character is read unless its text
// repeats one read just before (repeatsRead), as a flood's do ("A 1 A 1
// …"). Before, none was read past the bound, and the code after the
// flood reached investigators. Mutation: scanReceipts reading no word of
// one character past most -> every case fails.
func TestSpelledCodeAfterAFloodIsCut_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	plain := func(r rune) string { return string(r) }
	for _, written := range []string{
		spelledOut(code, " ", plain),
		strings.ReplaceAll(spelledOut(code, " ", plain), " - ", " "),
		spelledOut(code, "\u200b", plain),
		spelledOut(code, ".", plain),
		spelledOut("k7qd-9xma-r2tp-4wzn", " ", plain),
	} {
		for _, before := range []string{" mi código es ", " o código é ", " mi código: y a ", "\nmi código\n"} {
			tail := before + written + " gracias"
			alone, cut, err := CutReceipts([]string{"x" + tail}, knowsOnly(code))
			if err != nil || !cut || strings.Contains(alone[0], "X M A") {
				t.Fatalf("%q not cut in a message of its own: %q", tail, alone[0])
			}
			for _, unit := range floodUnits {
				for _, size := range []int{4096, 64 << 10} {
					n := (size - len([]rune(tail))) / len([]rune(unit))
					in := strings.Repeat(unit, n) + tail
					if size == 64<<10 && len(in) > size {
						in = strings.Repeat(unit, n*size/len(in)) + tail
					}
					out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
					if err != nil || !cut || !strings.HasSuffix(out[0], strings.TrimRight(alone[0][1:], " ")) {
						t.Errorf("%q after %d bytes of %q: not cut (%v %v), ends %q", tail, len(in)-len(tail), unit, cut, err, out[0][max(0, len(out[0])-60):])
					}
				}
			}
		}
	}
}
