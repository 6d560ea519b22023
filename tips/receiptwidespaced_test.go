package tips

import (
	"slices"
	"testing"
)

// Each group of a code set off by a wide (CJK or full-width) bracket
// with spaces just inside it ("《 K7QD 》《 9XMA 》…", "「 K7QD 」 …") is
// cut, as "( K7QD ) ( 9XMA ) …" is (a19f66b) and as NormalizeReceipt
// (/status) reads it: wrappedReading read the byte after the inner
// spaces as a rune, so a closer of more than one byte never matched
// and the code stayed in clear. Mutation: wrappedReading comparing
// rune(text[c]) again → every case fails.
func TestWideWrappedGroupsWithInnerSpacesAreCut(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"《 K7QD 》《 9XMA 》《 R2TP 》《 4WZN 》",
		"「 K7QD 」 「 9XMA 」 「 R2TP 」 「 4WZN 」",
		"【 K7QD 】-【 9XMA 】-【 R2TP 】-【 4WZN 】",
		"（ K7QD ） （ 9XMA ） （ R2TP ） （ 4WZN ）",
		"《K7QD 》《9XMA 》《R2TP 》《4WZN 》",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		in := "mi código " + written + " gracias"
		if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código gracias" {
			t.Errorf("%q: cut %q %v %v", in, out, cut, err)
		}
		if codes := ReceiptCodesIn(in); !slices.Contains(codes, code) {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
	// Prose so set off stays unread (four words of four letters and
	// digits would be code-like, wrapped or not: "hola 2024 mira casa").
	for _, in := range []string{"《 hola 》《 mundo 》《 2024 》《 casa 》", "「 esto 」 「 2024 」", "《 三国 》《 2024 》"} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}
