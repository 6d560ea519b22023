package tips

import (
	"strings"
	"testing"
)

// A vertical tab or a form feed between a code's groups is a space, as
// unicode.IsSpace has them and an investigator is shown them (Neutralize
// writes a space): a run of them, with spaces and line breaks, is one
// separator, as a run of spaces and line breaks is. Every spelling of a
// code that the scan cuts with line breaks is cut with these in their
// place ("K7QD -\v\f 9XMA -\v\f …" was shown as "K7QD -   9XMA -   …").
// Mutation: separatorsAt and spaceAt counting only " \t\n\r" as spaces
// (as before) → this test fails.
func TestVerticalTabsAndFormFeedsBetweenGroups_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	groups := strings.Split(code, "-")
	for _, sep := range []string{"-\n\n ", " -\n\n ", " - \n ", "\n\n\n\n", " \n ", "\n\n"} {
		lined := "mi código " + strings.Join(groups, sep) + " gracias"
		if out, cut, err := CutReceipts([]string{lined}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código gracias" {
			t.Fatalf("%q: cut %q %v %v (with line breaks)", lined, out, cut, err)
		}
		for _, space := range []string{"\v", "\f"} {
			for _, in := range []string{
				strings.ReplaceAll(lined, "\n", space),
				strings.Replace(lined, "\n", space, 1),
			} {
				if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código gracias" {
					t.Errorf("%q: cut %q %v %v", in, out, cut, err)
				}
			}
		}
	}
	// Prose parted by them is no more a code than prose parted by spaces.
	for _, in := range []string{"casa\v2024\vestá\fallá y más", "pago\f\f5000\vpesos\vcada\fsemana"} {
		if codes := ReceiptCodesIn(in); len(codes) != len(ReceiptCodesIn(strings.NewReplacer("\v", " ", "\f", " ").Replace(in))) {
			t.Errorf("%q: read as %q", in, codes)
		}
	}
}
