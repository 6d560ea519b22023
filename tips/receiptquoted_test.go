package tips

import (
	"strings"
	"testing"
)

// A code whose groups run onto a quoted line ("K7QD-9XMA-" then
// "> R2TP-4WZN", as a mail's reply quotes it, ">> " quoted twice, or a
// Discord quote) reads as the code to an investigator: the quote
// markers that start a line are part of the separators between its
// groups, so it is read and cut as the code, and /status reads it. A
// ">" that starts no line is no separator ("K7QD->9XMA-…" is no code).
func TestReceiptAcrossAQuotedLineIsCut(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"K7QD-9XMA-\n> R2TP-4WZN",
		"K7QD-9XMA-\n>> R2TP-4WZN",
		"K7QD-9XMA-\r\n> > R2TP-4WZN",
		"K7QD-9XMA-\n>>> R2TP-4WZN",
		"K7QD 9XMA\n> R2TP 4WZN",
		"K7QD-9XMA-R2TP-\n>4WZN",
		"K7QD-\n> 9XMA-\n> R2TP-\n> 4WZN",
		"K7QD-9XMA-\n>\n> R2TP-4WZN",
		"K7QD-9XMA -\n> R2TP-4WZN",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		for _, in := range []string{"mi codigo " + written + " gracias", "mi codigo\n> " + written + "\ngracias"} {
			out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
			if err != nil || !cut || strings.ContainsAny(out[0], "0123456789") {
				t.Errorf("%q: cut %q %v %v", in, out, cut, err)
			}
		}
	}
	for _, written := range []string{"K7QD->R2TP-9XMA-4WZN", "K7QD-9XMA- > R2TP-4WZN", "K7QD-9XMA-\nx> R2TP-4WZN"} {
		if got, ok := NormalizeReceipt(written); ok {
			t.Errorf("NormalizeReceipt(%q) = %q, no code", written, got)
		}
		if spans := ReceiptSpans("mi codigo " + written); len(spans) > 0 {
			t.Errorf("%q: read as a code: %q", written, ("mi codigo " + written)[spans[0][0]:spans[0][1]])
		}
	}
}
