package tips

import (
	"slices"
	"strings"
	"testing"
)

// A code whose groups are parted by the CJK "one" (一, U+4E00: what a
// Chinese or Japanese keyboard may give for "-", and it looks like a
// dash), its Kangxi radical (⼀) or stroke (㇐) forms, or by markdown's
// backquote ("K7QD`9XMA`…", as "*" and "~" are) reads as the code to an
// investigator: it is read, cut, and NormalizeReceipt (/status) reads
// it; before a link too. Mutation: groupSeparator without "`一⼀㇐"
// (as before) -> every case fails.
func TestReceiptPartedByCJKOneOrBackquoteIsCut_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"K7QD一9XMA一R2TP一4WZN",
		"K7QD 一 9XMA 一 R2TP 一 4WZN",
		"k7qd一9xma一r2tp一4wzn",
		"K7QD⼀9XMA⼀R2TP⼀4WZN",
		"K7QD㇐9XMA㇐R2TP㇐4WZN",
		"K7QD`9XMA`R2TP`4WZN",
		"K7QD ` 9XMA ` R2TP ` 4WZN",
		"K7QD一9XMA-R2TP`4WZN",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		for _, in := range []string{"mi código " + written + " gracias", "我的代码是" + written + "。"} {
			out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
			if err != nil || !cut || strings.ContainsAny(out[0], "0123456789") {
				t.Errorf("%q: cut %q %v %v", in, out, cut, err)
			}
			if codes := ReceiptCodesIn(in); !slices.Contains(codes, code) {
				t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
			}
		}
	}
	for _, in := range []string{
		"mi código K7QD一9XMA一R2TP https://x.example/?c=4WZN",
		"mi código K7QD`9XMA`R2TP https://x.example/?c=4WZN",
	} {
		out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi código https://x.example/?c=" {
			t.Errorf("%q: cut %q %v %v", in, out, cut, err)
		}
	}
	// Prose in Chinese with "一" among letters is no code.
	for _, in := range []string{"我有一个问题", "ABCD一EFGH", "第一 2024 年"} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}
