package tips

import (
	"strconv"
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
// "www." is told in any case ("WWW.", "Www."). Mutations: unwrapCut
// without its inAddress check -> the address cases lose their wrappers;
// inAddress comparing "www." as written (strings.HasPrefix) -> the
// capitals' cases do.
func TestWrappersWithinALinksAddressStay_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"ver https://x.example/wiki/Caso_(K7QD-9XMA-R2TP-4WZN) ya", "ver https://x.example/wiki/Caso_() ya"},
		{"ver https://x.example/p?c=(K7QD-9XMA-R2TP-4WZN)&p=2 ya", "ver https://x.example/p?c=()&p=2 ya"},
		{"ver https://x.example/a/'K7QD-9XMA-R2TP-4WZN'/b ya", "ver https://x.example/a/''/b ya"},
		{"ver www.x.example/a/[K7QD-9XMA-R2TP-4WZN] ya", "ver www.x.example/a/[] ya"},
		{"ver WWW.x.example/a/[K7QD-9XMA-R2TP-4WZN] ya", "ver WWW.x.example/a/[] ya"},
		{"ver Www.x.example/a/[K7QD-9XMA-R2TP-4WZN] ya", "ver Www.x.example/a/[] ya"},
		{"ver wwwx.example/a/[K7QD-9XMA-R2TP-4WZN] ya", "ver wwwx.example/a/ ya"},
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

// inAddress reads back at most addressReach bytes for the link's start:
// a code deeper than that in one word (an address of thousands of
// characters) goes with its wrappers, as before addresses were told
// apart, and the code is cut all the same. Without the reach, a run of
// wrapped codes in one long word was read back over once a code:
// quadratic time (BenchmarkCodesWrappedInOneAddress_receipts).
// Mutation: no reach -> the deep code keeps its wrappers.
func TestAddressIsLookedForWithinItsReach_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	deep := "ver https://x.example/" + strings.Repeat("a", addressReach) + "/(" + code + ") ya"
	out, cut, err := CutReceipts([]string{deep}, knowsOnly(code))
	want := "ver https://x.example/" + strings.Repeat("a", addressReach) + "/ ya"
	if err != nil || !cut || out[0] != want {
		t.Errorf("deep in an address: cut %v %v, end %q, want %q", cut, err, out[0][len(out[0])-10:], want[len(want)-10:])
	}
}

// BenchmarkCodesWrappedInOneAddress_receipts cuts n wrapped codes from
// one address word ("https://x/(CODE)(CODE)…"): time must grow with the
// text's length, not its square.
func BenchmarkCodesWrappedInOneAddress_receipts(b *testing.B) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, n := range []int{4 << 10, 16 << 10} {
		text := "https://x.example/" + strings.Repeat("("+code+")", n/(len(code)+2))
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, cut, _ := CutReceipts([]string{text}, knowsOnly(code)); !cut {
					b.Fatal("nothing cut")
				}
			}
		})
	}
}
