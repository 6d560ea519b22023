package tips

import (
	"strings"
	"testing"
)

// Unicode's line breaks (U+2028 line separator, U+2029 paragraph
// separator, U+0085 next line) start a line as "\n" does, and an
// investigator is shown each as one (Neutralize): a code continued on a
// quoted line after one ("K7QD-9XMA-\u2028> R2TP-4WZN") reads as the code,
// so the quote markers after it are part of the separators between its
// groups, in NormalizeReceipt, the scan and a run past 256 bytes.
func TestReceiptAcrossAUnicodeLineBreakIsCut(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, br := range []string{"\u2028", "\u2029", "\u0085"} {
		for _, written := range []string{
			"K7QD-9XMA-" + br + "> R2TP-4WZN",
			"K7QD-9XMA-" + br + ">> R2TP-4WZN",
			"K7QD-9XMA-" + br + "> > R2TP-4WZN",
			"K7QD-9XMA -" + br + "> R2TP-4WZN",
			"K7QD-" + br + "> 9XMA-" + br + "> R2TP-" + br + "> 4WZN",
			"K7QD-9XMA-" + br + "R2TP-4WZN",
			"K7QD-9XMA -" + br + "    R2TP-4WZN",
			"K7QD-9XMA-" + strings.Repeat(br+">", 200) + " R2TP-4WZN",
		} {
			if got, ok := NormalizeReceipt(written); !ok || got != code {
				t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
			}
			for _, in := range []string{"mi codigo " + written + " gracias", "mi codigo" + br + "> " + written + br + "gracias"} {
				out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
				if err != nil || !cut || strings.ContainsAny(out[0], "0123456789") {
					t.Errorf("%q: cut %q %v %v", in, out, cut, err)
				}
			}
		}
		// A ">" that starts no line is still none.
		for _, written := range []string{"K7QD-9XMA- > R2TP-4WZN", "K7QD-9XMA-" + br + "x> R2TP-4WZN"} {
			if got, ok := NormalizeReceipt(written); ok {
				t.Errorf("NormalizeReceipt(%q) = %q, no code", written, got)
			}
			if spans := ReceiptSpans("mi codigo " + written); len(spans) > 0 {
				t.Errorf("%q: read as a code: %q", written, ("mi codigo " + written)[spans[0][0]:spans[0][1]])
			}
		}
	}
}
