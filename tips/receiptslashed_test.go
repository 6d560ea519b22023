package tips

import "testing"

// A code copied by hand with its zeros slashed, as people write a zero
// apart from an O ("KØTC-…", the Ø a phone's keyboard gives for a long
// press on O), reads as the code to an investigator, so it is read and
// cut as the code, and /status reads it; the slashed zero is a digit,
// so a code whose only digits are slashed zeros is one too.
func TestReceiptWithSlashedZerosIsCut(t *testing.T) {
	for code, written := range map[string]string{
		"K0TC-XPRW-6YTR-1SPD": "KØTC-XPRW-6YTR-1SPD",
		"J0CH-0X19-7ZXF-6YQN": "jøch-øx19-7zxf-6yqn",
		"K0TC-XPRW-MYTR-ASPD": "KØTCXPRWMYTRASPD", // no other digit
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
