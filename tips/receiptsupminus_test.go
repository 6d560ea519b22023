package tips

import (
	"slices"
	"strings"
	"testing"
)

// A code written in superscripts or subscripts by a "fancy text" site,
// which gives "⁻" or "₋" for its dashes ("ᴷ⁷ᵠᴰ⁻⁹ˣᴹᴬ⁻…"), reads as the
// code to an investigator: it is read, cut, and NormalizeReceipt
// (/status) reads it. Mutation: groupSeparator without "⁻₋" (as
// before) -> every case fails.
func TestReceiptPartedBySuperscriptMinusIsCut_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"ᴷ⁷ᵠᴰ⁻⁹ˣᴹᴬ⁻ᴿ²ᵀᴾ⁻⁴ᵂᶻᴺ",
		"K₇QD₋₉XMA₋R₂TP₋₄WZN",
		"K7QD⁻9XMA⁻R2TP⁻4WZN",
		"k7qd ₋ 9xma ₋ r2tp ₋ 4wzn",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		in := "mi código " + written + " gracias"
		out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
		if err != nil || !cut || strings.Contains(out[0], "⁻") || strings.Contains(out[0], "₋") {
			t.Errorf("%q: cut %q %v %v", in, out, cut, err)
		}
		if codes := ReceiptCodesIn(in); !slices.Contains(codes, code) {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
	for _, in := range []string{"la dosis fue de 10⁻³ mol por litro, 2⁻⁴ del total", "H₂O y CO₂ a 25 m s⁻¹"} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}

// "+" and "=" part a code's groups, so their superscript and subscript
// forms, which a "fancy text" site gives for them ("ᴷ⁷ᵠᴰ⁺⁹ˣᴹᴬ⁺…"), do
// too: such a code was kept in clear, read by no scan. Mutation:
// groupSeparator without "⁺₊⁼₌" -> every case fails.
func TestReceiptPartedBySuperscriptPlusOrEqualsIsCut_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"ᴷ⁷ᵠᴰ⁺⁹ˣᴹᴬ⁺ᴿ²ᵀᴾ⁺⁴ᵂᶻᴺ",
		"K₇QD₊₉XMA₊R₂TP₊₄WZN",
		"K₇QD₌₉XMA₌R₂TP₌₄WZN",
		"k7qd ⁼ 9xma ⁼ r2tp ⁼ 4wzn",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		in := "mi código " + written + " gracias"
		out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
		if err != nil || !cut || strings.ContainsAny(out[0], "⁺₊⁼₌") {
			t.Errorf("%q: cut %q %v %v", in, out, cut, err)
		}
		if codes := ReceiptCodesIn(in); !slices.Contains(codes, code) {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
	for _, in := range []string{"iones Fe³⁺ y Ca²⁺, 2H⁺ + 2e⁻ = H₂", "x⁺⁼y y 10⁺³"} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}
