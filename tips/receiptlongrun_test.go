package tips

import (
	"strings"
	"testing"
)

// A run of spaces and line breaks between two groups is one separator
// however long, past the length a code may have too (a code whose
// groups stand in columns far apart, or a quoted line's run of quote
// markers): the scan reads the code across it, so NormalizeReceipt
// must read it, or it stays in the tip for investigators to read.
func TestReceiptAcrossALongRunOfSpacesIsCut(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"K7QD-9XMA-\n" + strings.Repeat(" ", 300) + "R2TP-4WZN",
		"K7QD" + strings.Repeat(" ", 100) + "9XMA" + strings.Repeat(" ", 100) + "R2TP" + strings.Repeat(" ", 100) + "4WZN",
		"K7QD-9XMA-" + strings.Repeat("\n>", 200) + " R2TP-4WZN",
		"K7QD-9XMA-" + strings.Repeat("\u3000", 100) + "R2TP-4WZN",
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
