package tips

import (
	"strings"
	"testing"
)

// A receipt code whose groups are joined by an apostrophe, straight or
// typographic, or by U+FFFD is cut, in a message, across a link and at
// the spool's replay (CutReceipts), as one joined by dashes:
//   - "'": the key US keyboards have "-" on (right of 0) types "'" under
//     the Spanish and Latin American layouts, set on many a laptop sold
//     with US keys; "’" is that apostrophe after a phone's or desktop's
//     smart punctuation.
//   - U+FFFD: a dash typed as an en or em dash ("K7QD–9XMA", a
//     Windows-1252 byte 0x96 that a decoder refused; the same byte read
//     as Latin-1 is U+0096, read already), as an app mangling the
//     encoding shows it, and what Neutralize writes for invalid UTF-8.
//
// Not read, deliberately: '"' and "><" between groups ("K7QD\"9XMA\"…",
// "K7QD><9XMA><…"): no layout types them for a dash and no app turns a
// dash into them; each group wrapped whole ("\"K7QD\" \"9XMA\" …",
// "<K7QD><9XMA>…") is read (wrappedAt), and ">" alone is a quote marker
// at a line's start only. Mutation: groupSeparator without "'’\uFFFD"
// -> the six joined cases fail.
func TestCodeJoinedByApostropheOrReplacementIsCut_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, sep := range []string{"'", "’", "\uFFFD", " ' ", "\uFFFD\uFFFD\uFFFD", "' "} {
		shown := strings.ReplaceAll(code, "-", sep)
		if got, ok := NormalizeReceipt(shown); !ok || got != code {
			t.Errorf("%q: normalised %q %v", shown, got, ok)
		}
		in := "mi código " + shown + " gracias"
		if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código gracias" {
			t.Errorf("%q: %q %v %v", in, out, cut, err)
		}
		// (the last group in a link's address: linkSpans)
		in = "mi código " + strings.TrimSuffix(shown, "4WZN") + " https://x.example/?c=4WZN"
		if out, cut, err := CutMessageReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || strings.Contains(out[0], "K7QD") || strings.Contains(out[0], "4WZN") {
			t.Errorf("%q: %q %v %v", in, out, cut, err)
		}
	}
	for _, sep := range []string{"\"", "><", ">", "<"} {
		shown := strings.ReplaceAll(code, "-", sep)
		if codes := ReceiptCodesIn("mi código " + shown + " gracias"); len(codes) != 0 {
			t.Errorf("%q: read as %q, a separator no one writes for a dash", shown, codes)
		}
	}
}
