package tips

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// lineLikeRunes are the characters that show as a horizontal line and
// are no dash (unicode.Pd): the box-drawing block's lines (U+2500…),
// the modifier minus, macrons and tilde, the Hangul vowel EU a Korean
// keyboard gives for a dash (and its conjoining form), the Arabic and
// N'Ko extenders, and others a reporter may type between a code's
// groups.
var lineLikeRunes = []rune{
	'─', '━', '┄', '┅', '┈', '┉', '╌', '╍', '═', '╴', '╶', '╸', '╺', '╼', '╾', '▁', '▔',
	'⎯', '⏤', '⎺', '⎻', '⎼', '⎽', '➖', '−', '‾', '⁃', '﹉', '﹍', '﹏', '～',
	'˗', '¯', 'ˉ', 'ˍ', '˜', '￣', 'ㅡ', 'ᅳ', 'ـ', 'ߺ', 'ᐨ', '𝄖', 'ー', '一',
}

// Every dash of Unicode (unicode.Pd) and every character that shows as
// a horizontal line (lineLikeRunes) between a code's groups, against
// them or with spaces around, reads as the code to an investigator: it
// is cut, and NormalizeReceipt (/status) reads it. Walked as a group,
// not one by one: stop 44 found "─" (U+2500), "ㅡ" (U+3161) and "˗"
// (U+02D7) left as prose. Mutation: groupSeparator without lineLike (as
// before) → the box-drawing lines, "˗", "¯", "ˉ", "ˍ", "˜", "￣", "ㅡ",
// "ᅳ", "ـ", "ߺ", "ᐨ", "𝄖" fail.
func TestReceiptLineLikeSeparators(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	seps := slices.Clone(lineLikeRunes)
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(unicode.Pd, r) {
			seps = append(seps, r)
		}
	}
	if len(seps) < len(lineLikeRunes)+25 {
		t.Fatalf("%d separators walked: unicode.Pd not read", len(seps))
	}
	for _, r := range seps {
		sep := string(r)
		for _, written := range []string{
			"K7QD" + sep + "9XMA" + sep + "R2TP" + sep + "4WZN",
			"K7QD " + sep + " 9XMA " + sep + " R2TP " + sep + " 4WZN",
			"k7qd" + sep + "9xma" + sep + "r2tp" + sep + "4wzn",
		} {
			if got, ok := NormalizeReceipt(written); !ok || got != code {
				t.Errorf("%U: NormalizeReceipt(%q) = %q %v", r, written, got, ok)
			}
			for _, in := range []string{"mi código " + written + " gracias", "내 코드 " + written + "。"} {
				out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
				if err != nil || !cut || strings.ContainsAny(out[0], "0123456789") {
					t.Errorf("%U: %q: cut %q %v %v", r, in, out, cut, err)
				}
			}
		}
		// Before a link, the rest within its address.
		in := "mi código K7QD" + sep + "9XMA" + sep + "R2TP https://x.example/?c=4WZN"
		if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código https://x.example/?c=" {
			t.Errorf("%U: %q: cut %q %v %v", r, in, out, cut, err)
		}
	}
	// Prose with them among letters is no code: a Korean or Arabic
	// word, box drawing around a word, a dashed line.
	for _, in := range []string{"그ㅡ래 ABCDㅡEFGH", "كـتـاب 2024", "┌──────┐ hola │ 2024 │", "────────", "ˉˉˉ ab12 ˉˉˉ"} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}
