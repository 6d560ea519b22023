package tips

import (
	"slices"
	"strings"
	"testing"
)

// A code split into a link, its last piece set off in the address by
// three of markdown's marks ("___4WZN___", bold italics), by quotes,
// brackets or dashes of other scripts ("«4WZN»", "“4WZN”", "「4WZN」"),
// or by marks percent-escaped as a browser writes them ("%5F4WZN",
// "%C2%AB4WZN%C2%BB"), is cut as one set off by "_" or "(" is; the marks
// and the address stay. Four marks, or marks that are none (letters,
// symbols), still set no piece off. Mutation: linkSpans reading at most
// two ASCII pieceMarks, unescaped (as before) → this test fails.
func TestCutReceiptsSplitIntoALinkAfterEscapedOrWideMarks_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=___4WZN___ gracias", "mi código https://x.example/?c=______ gracias"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=***4WZN***", "mi código https://x.example/?c=******"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=«4WZN» gracias", "mi código https://x.example/?c=«» gracias"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=“4WZN”", "mi código https://x.example/?c=“”"},
		{"mi código K7QD-9XMA https://x.example/#「R2TP-4WZN」", "mi código https://x.example/#「」"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=—4wzn", "mi código https://x.example/?c=—"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=%5F4WZN&d=1", "mi código https://x.example/?c=%5F&d=1"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=%5F%5F%5F4WZN", "mi código https://x.example/?c=%5F%5F%5F"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=%C2%AB4WZN%C2%BB", "mi código https://x.example/?c=%C2%AB%C2%BB"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=%255F4WZN", "mi código https://x.example/?c=%255F"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
		if codes := ReceiptCodesIn(tc.in); !slices.Contains(codes, code) {
			t.Errorf("%q: ReceiptCodesIn = %q", tc.in, codes)
		}
		// The link hidden behind words, its address after the text.
		text, link, _ := strings.Cut(tc.in, " https://")
		if out, cut, err := CutMessageReceipts([]string{text, "https://" + link}, knowsOnly(code)); err != nil || !cut || strings.Contains(strings.Join(out, " "), "4WZN") || strings.Contains(strings.Join(out, " "), "K7QD") {
			t.Errorf("%q: cut as a hidden link %q %v %v", tc.in, out, cut, err)
		}
	}
	for _, in := range []string{
		"mi código K7QD-9XMA-R2TP https://x.example/?c=____4WZN",
		"mi código K7QD-9XMA-R2TP https://x.example/?c=x4WZN",
		"mi código K7QD-9XMA-R2TP https://x.example/?c=€4WZN",
		"mi código K7QD-9XMA-R2TP https://x.example/?c=%41%5F4WZN",
	} {
		if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || cut || out[0] != in {
			t.Errorf("%q: cut %q %v %v", in, out, cut, err)
		}
	}
}
