package tips

import (
	"strings"
	"testing"
)

// A keyboard's top-row symbols between a code's groups ("K7QD~9XMA~…",
// "K7QD*9XMA*…", "=", "$", "%", "^", "&", their full-width forms) and
// the katakana prolonged sound mark a Japanese keyboard gives for "-"
// ("K7QDー9XMAー…", half-width "ｰ" too) part them as a dash does: the
// code was kept in clear in the stored tip. Prose, prices and markup
// with these marks read no code. Mutation: groupSeparator without
// "*~=$^ーｰ" and separatorAt reading no unescaped "%" or "&" (as
// before) → this test fails (every spelling kept).
func TestCutReceiptsPartedBySymbolsOrAProlongedSoundMark_codes2(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	groups := strings.Split(code, "-")
	for _, sep := range []string{"~", "*", "=", "$", "%", "^", "&", " ~ ", " * ", " = ", "~~", "**", "＝", "～", "＄", "％", "＾", "＆", "ー", " ー ", "ｰ"} {
		joined := strings.Join(groups, sep)
		in := "mi código " + joined + " gracias"
		if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código gracias" {
			t.Errorf("%q: cut %q %v %v", in, out, cut, err)
		}
		if codes := ReceiptCodesIn(in); len(codes) != 1 || codes[0] != code {
			t.Errorf("%q: read as %q", in, codes)
		}
		if got, ok := NormalizeReceipt(joined); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q, %v", joined, got, ok)
		}
	}
	// An escape is still read as what it escapes: a letter is no separator.
	if codes := ReceiptCodesIn("K7QD%4B9XMA%4BR2TP%4B4WZN"); len(codes) != 0 {
		t.Errorf("escaped letters read as separators: %q", codes)
	}
	// Prose with these marks reads no code.
	for _, in := range []string{
		"cobran $500 y 20% más cada semana, 2x3=6",
		"R&D de la empresa AT&T desde 2024",
		"*importante* el lunes ~tachado~ ^^ jaja",
		"precio=500$ total 1500 MXN, tasa 5%^2",
		"ラーメン屋の前でコーヒー2024年",
		"https://x.example/?id=ab12&x=cd34%20ef56",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: read as %q", in, codes)
		}
	}
}

// A code written in superscript or modifier letters ("ᴷ⁷ᵠᴰ", as "fancy
// text" generators write it, "ᵠ" for a q), or with a dingbat's circled
// digits ("❼", "➐", "➒", "⓻", "⓿", "🄋") in a group, is the code: it was
// kept in clear. Mutation: decomposedChar without dingbatDigit and "ᵠ",
// and pictograph taking the dingbat digits as emoji (as before) → this
// test fails (every spelling kept; the digits alone → the dingbats).
func TestCutReceiptsInSuperscriptsOrDingbatDigits_codes2(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4W0N"
	for _, in := range []string{
		"ᴷ⁷ᵠᴰ-⁹ˣᴹᴬ-ᴿ²ᵀᴾ-⁴ᵂ⁰ᴺ",
		"ᵏ⁷ᵠᵈ ⁹ˣᵐᵃ ʳ²ᵗᵖ ⁴ʷ⁰ⁿ",
		"ᴷ⁷ᵠᴰ-9XMA-R2TP-4W0N",
		"K❼QD-❾XMA-R❷TP-❹W⓿N",
		"K➐QD-➈XMA-R➁TP-➃W🄋N",
		"K➐QD-➒XMA-R➋TP-➍W🄌N",
		"K⓻QD-⓽XMA-R⓶TP-⓸W0N",
	} {
		msg := "mi código " + in + " gracias"
		if out, cut, err := CutReceipts([]string{msg}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código gracias" {
			t.Errorf("%q: cut %q %v %v", msg, out, cut, err)
		}
		if got, ok := NormalizeReceipt(in); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q, %v", in, got, ok)
		}
	}
	// The tens are two digits, no code character (the dingbats' still
	// emoji that part groups).
	for _, r := range "❿➉➓⓾" {
		if isCodeChar(r) || r != '⓾' && !pictograph(r) {
			t.Errorf("%c: a code character", r)
		}
	}
	for _, r := range "❼➐➒⓻⓿🄋" {
		if !isCodeChar(r) || pictograph(r) {
			t.Errorf("%c: not a digit", r)
		}
	}
}
