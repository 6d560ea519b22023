package tips

import (
	"fmt"
	"strings"
	"testing"
)

// A code written with HTML character references (HTML source pasted, a
// page's text copied from an export that kept them: "&#75;7QD-…",
// "K7QD&ndash;9XMA…") reads as the code to an investigator, as to a
// browser, so it is read and cut as the code. Ampersands of prose ("AT&T",
// "R&D", "&amp;") are no code and cost no lookup.
func TestCutReceiptsReadsHTMLEntities(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	var decimal, hex strings.Builder
	for _, r := range code {
		fmt.Fprintf(&decimal, "&#%d;", r)
		fmt.Fprintf(&hex, "&#x%X;", r)
	}
	for _, written := range []string{
		"&#75;7QD-9XMA-R2TP-4WZN",
		"&#x4b;&#x37;QD-9XMA-R2TP-4WZN",
		decimal.String(),
		hex.String(),
		"K7QD&ndash;9XMA&ndash;R2TP&ndash;4WZN",
		"K7QD&nbsp;9XMA&nbsp;R2TP&nbsp;4WZN",
		"K7QD&#45;9XMA&#8209;R2TP&minus;4WZN",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%q: cut %q %v %v", written, out, cut, err)
		}
	}
	prose := strings.Repeat("AT&T y R&D &amp; Cía &#; &#x; &#99999999; &nbsp 2024 &ndash; casa &copy; & 1234;abcd ", 20)
	var asked []string
	if out, cut, err := CutReceipts([]string{prose}, func(codes []string) ([]bool, error) {
		asked = codes
		return make([]bool, len(codes)), nil
	}); err != nil || cut || out[0] != prose || len(asked) != 0 {
		t.Errorf("prose with ampersands: asked %q (%v %v)", asked, cut, err)
	}
}
