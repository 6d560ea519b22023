package tips

import (
	"strings"
	"testing"
)

// A run of spaces and line breaks between two groups is one separator,
// however long: a code wrapped onto an indented line ("K7QD-9XMA-" then
// "    R2TP-4WZN", as a mail or a note copied with its layout has it, or
// with a Windows line end, "\r\n  "), or its groups aligned in columns,
// reads as the code to an investigator, so it is read and cut as the
// code. Other separators still count one each ("AB12 🚗 🚓 CD34" is
// none).
func TestReceiptAcrossARunOfSpacesIsCut(t *testing.T) {
	code := "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"K7QD-9XMA-\n    R2TP-4WZN",
		"K7QD-9XMA-\r\n  R2TP-4WZN",
		"K7QD-9XMA -\r\n\t\tR2TP-4WZN",
		"K7QD    9XMA    R2TP    4WZN",
		"K7QD  -  9XMA  -  R2TP  -  4WZN",
		"K7QD\n\n\n\n9XMA\n\n\n\nR2TP\n\n\n\n4WZN",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || strings.ContainsAny(out[0], "0123456789") {
			t.Errorf("%q: cut %q %v %v", written, out, cut, err)
		}
	}
}
