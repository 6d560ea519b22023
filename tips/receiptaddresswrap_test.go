package tips

import (
	"strings"
	"testing"
)

// A receipt code within a link's address, between brackets or quotes
// there ("…/wiki/Caso_(CODE)", "?c=(CODE)&p=2", "…/a/[CODE]/b"), is cut
// and the address keeps its brackets or quotes around it: the
// investigator reads the address less the code, in its shape
// ("…/wiki/Caso_()", "?c=()&p=2"), not a different one run together
// ("…/wiki/Caso_", "…/a//b"), which reads as another page. A code
// wrapped in prose next to a link, or a markdown link's text, still goes
// with its wrappers, and markdown's markers in an address go as before
// (TestReceiptCodeAgainstUnderscoresIsCut: "?c=_CODE_" reads "?c=").
// Mutation: unwrapCut without its inAddress check -> the address cases
// lose their wrappers.
func TestWrappersWithinALinksAddressStay_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"ver https://x.example/wiki/Caso_(K7QD-9XMA-R2TP-4WZN) ya", "ver https://x.example/wiki/Caso_() ya"},
		{"ver https://x.example/p?c=(K7QD-9XMA-R2TP-4WZN)&p=2 ya", "ver https://x.example/p?c=()&p=2 ya"},
		{"ver https://x.example/a/'K7QD-9XMA-R2TP-4WZN'/b ya", "ver https://x.example/a/''/b ya"},
		{"ver www.x.example/a/[K7QD-9XMA-R2TP-4WZN] ya", "ver www.x.example/a/[] ya"},
		{"ver https://x.example/a/*K7QD-9XMA-R2TP-4WZN*/b ya", "ver https://x.example/a//b ya"},
		{"ver https://x.example/a (K7QD-9XMA-R2TP-4WZN) ya", "ver https://x.example/a ya"},
		{"[K7QD-9XMA-R2TP-4WZN](https://x.example/a) ya", "(https://x.example/a) ya"},
		{"mi código (K7QD-9XMA-R2TP-4WZN) ya", "mi código ya"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want || strings.Contains(out[0], "9XMA") {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
		}
	}
}
