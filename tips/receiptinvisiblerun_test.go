package tips

import (
	"strings"
	"testing"
)

// Invisible characters are not counted among the separators between two
// groups, however many, after the last that may be counted too: a
// zero-width space copied after a run of spaces ("K7QD  -  \u200b  9XMA",
// "K7QD - \u200b9XMA") hides nothing from a reader, so the code is read
// and cut, as NormalizeReceipt reads it.
func TestReceiptInvisibleAfterTheLastSeparatorIsCut(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"K7QD  -  \u200b  9XMA-R2TP-4WZN",
		"K7QD - \u200b9XMA-R2TP-4WZN",
		"K7QD-9XMA - \u2060\u200bR2TP-4WZN",
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
