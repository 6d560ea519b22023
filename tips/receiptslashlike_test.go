package tips

import "testing"

// The slashed zero's look-alikes, the empty set (U+2205, "∅") and the
// diameter sign (U+2300, "⌀"), which a symbol picker or a font offers
// for it, read as a zero to an investigator as "Ø" does, so a code
// written with them is read and cut as the code, and /status reads it.
func TestReceiptWithSlashedZeroLookAlikesIsCut(t *testing.T) {
	for code, written := range map[string]string{
		"K0TC-XPRW-6YTR-1SPD": "K∅TC-XPRW-6YTR-1SPD",
		"J0CH-0X19-7ZXF-6YQN": "j⌀ch-⌀x19-7zxf-6yqn",
		"K0TC-XPRW-MYTR-ASPD": "K⌀TCXPRWMYTRASPD", // no other digit
		"A0TC-XPRW-MYTR-ASP0": "A∅TC XPRW MYTR ASP⌀",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%q: cut %q %v %v", written, out, cut, err)
		}
	}
}
