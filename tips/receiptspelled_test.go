package tips

import (
	"strings"
	"testing"
)

// spelledOut writes code a character at a time with sep between every
// two (the dashes too), each letter and digit as form says.
func spelledOut(code, sep string, form func(r rune) string) string {
	var parts []string
	for _, r := range code {
		if r == '-' {
			parts = append(parts, "-")
			continue
		}
		parts = append(parts, form(r))
	}
	return strings.Join(parts, sep)
}

// markedEach writes s with mark on every character, as strikethrough
// and underline generators do.
func markedEach(s, mark string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
		b.WriteString(mark)
	}
	return b.String()
}

// A code spelled out a character at a time, a space (or a dash, a dot,
// a line break) between every two, reads as the code to an
// investigator, so it is read and cut as the code: in capitals with an
// accent slipped in ("Á B C D - …", an old code of letters alone), in
// regional indicator letters with spaces between them so that no two
// make a flag ("🇰 7 🇶 🇩 - …", as "emoji letters" sites write them;
// of letters alone too), in full-width letters with ideographic spaces,
// struck through (a mark on every character, the dashes and spaces
// too).
func TestReceiptSpelledOutIsCut(t *testing.T) {
	const code, old = "K7QD-9XMA-R2TP-4WZN", "ABCD-EFGH-JKMN-PQRS"
	plain := func(r rune) string { return string(r) }
	ri := offsets(0x1F1E6, -1, "")
	for _, tc := range []struct{ name, code, written string }{
		{"spaces", code, spelledOut(code, " ", plain)},
		{"two spaces", code, spelledOut(code, "  ", plain)},
		{"one accent, letters alone", old, "Á B C D - E F G H - J K M N - P Q R S"},
		{"accents", code, "Ḱ 7 Q́ D́ - 9 X́ Ḿ Á - Ŕ 2 T́ Ṕ - 4 Ẃ Ź Ń"},
		{"small, one accent", old, "á b c d - e f g h - j k m n - p q r s"},
		{"regional letters", code, spelledOut(code, " ", ri)},
		{"regional letters alone", old, spelledOut(old, " ", ri)},
		{"regional, keycaps", code, spelledOut(code, " ", func(r rune) string {
			if r >= '0' && r <= '9' {
				return string(r) + "\ufe0f\u20e3"
			}
			return ri(r)
		})},
		{"full width", code, spelledOut("Ｋ７ＱＤ－９ＸＭＡ－Ｒ２ＴＰ－４ＷＺＮ", "\u3000", plain)},
		{"dashes", code, strings.ReplaceAll(spelledOut(strings.ReplaceAll(code, "-", ""), "-", plain), "--", "-")},
		{"dots", code, spelledOut(strings.ReplaceAll(code, "-", ""), ".", plain)},
		{"line breaks", code, spelledOut(code, "\n", plain)},
		{"struck through", code, markedEach(code, "\u0336")},
		{"underlined, spaces", code, markedEach("K7QD - 9XMA - R2TP - 4WZN", "\u0332")},
	} {
		if got, ok := NormalizeReceipt(tc.written); !ok || got != tc.code {
			t.Errorf("%s: NormalizeReceipt(%q) = %q %v", tc.name, tc.written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + tc.written + " gracias"}, knowsOnly(tc.code))
		if err != nil || !cut || Neutralize(out[0]) != "mi codigo gracias" {
			t.Errorf("%s: cut %q %v %v", tc.name, out, cut, err)
		}
	}
}

// Prose with one-letter words ("y", "a", "o", "e", "à", "é"), flags
// with spaces between them, and initials cost no lookup: a code spelled
// out has sixteen characters, each a word of its own.
func TestProseOfShortWordsIsNoSpelledCode(t *testing.T) {
	const prose = "Juan y María o Pedro a las 3 y 4 e a e u. Ele é o pai, e a mãe à 5 h a 6 h. " +
		"J. R. R. T. 2 a 3 y o. 🇲🇽 🇨🇦 🇧🇷 🇦🇷 🇵🇪 🇪🇸 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18. " +
		"a b c d e f g h i j k l m n o p q r s t u v w x y z. Fila A 1 B 2 C 3 ok. "
	var asked []string
	out, cut, err := CutReceipts([]string{strings.Repeat(prose, 5)}, func(codes []string) ([]bool, error) {
		asked = codes
		return make([]bool, len(codes)), nil
	})
	if err != nil || cut || out[0] != strings.Repeat(prose, 5) || len(asked) != 0 {
		t.Errorf("asked %q (%v %v)", asked, cut, err)
	}
}
