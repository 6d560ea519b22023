package tips

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/runenames"
)

// A code written in small capitals, as "fancy text" sites write one
// (their Q a "ǫ", their X an x), or in their "tiny text" (superscripts,
// with small capitals for the i, l, n and u), reads as the code to an
// investigator, so it is read and cut as the code.
func TestReceiptReadInSmallCapitals(t *testing.T) {
	for code, written := range map[string]string{
		"JCJH-0X19-7ZXF-6YQN": "ᴊᴄᴊʜ-0x19-7ᴢxꜰ-6ʏǫɴ",
		"K7QD-9XMA-R2TP-4WZN": "ᴋ7ꞯᴅ 9xᴍᴀ ʀ2ᴛᴘ 4ᴡᴢɴ", // Unicode's own small capital Q
		"SAJG-ZFDD-7NM6-K3PQ": "ˢᵃʲᵍ-ᶻᶠᵈᵈ-⁷ᶰᵐ⁶-ᵏ³ᵖq", // tiny text: a small capital n
		"QK7D-9XMQ-R2TP-4WZN": "ᑫᵏ⁷ᵈ-⁹ˣᵐᑫ-ʳ²ᵗᵖ-⁴ʷᶻⁿ", // tiny text with the q most tables have
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%q: cut %q %v %v", written, out, cut, err)
		}
	}
}

// A code written upside down, as "flip text" sites write it (each
// character turned over, the order reversed, so that it reads right with
// the screen turned), reads as the code to an investigator who turns it,
// so it is read and cut as the code; not as the code its characters
// would be the right way up.
func TestReceiptReadUpsideDown(t *testing.T) {
	for code, written := range map[string]string{
		"JCJH-0X19-7ZXF-6YQN": "ubʎ9-ɟxzㄥ-6Ɩx0-ɥɾɔɾ", // from "jcjh-0x19-…": small letters
		"K7QD-9XMA-R2TP-4WZN": "NZMㄣ-Ԁ┴ᄅᴚ-∀WX6-ᗡΌㄥʞ", // capitals
		"SAJG-ZFDD-7NM6-K3PQ": "bdƐʞ-9ɯuㄥ-ppɟz-ƃɾɐs", // "ɯ" is m, "u" n, "d" p
		// As most flip sites' tables write capitals: a Hebrew pe for
		// G, the Q left as it is; some have "ᗺ" for B, "ꓤ" for R.
		"ABCD-EFGH-JKMN-PQRS": "SꓤQԀ-NWʞſ-HפℲƎ-ᗡƆᗺ∀",
		"8GQR-2B7P-Q4GM-B3G5": "ϛפƐᗺ-WפㄣQ-Ԁㄥᗺᄅ-ᴚQפ8",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%q: cut %q %v %v", written, out, cut, err)
		}
	}
	// A character that reads as nothing turned over: no code.
	if got, ok := NormalizeReceipt("ubʎ9-ɟxzㄥ-6ƖxA-ɥɾɔɾ"); ok {
		t.Errorf("read as %q", got)
	}
}

// Every turned letter at the start and at the end of each group of an
// upside-down code is cut as the code, as it is read: stop 45's
// line-like separators took "┴" (a turned T) for one, so a code whose
// group started with it was read by /status and left in a tip (the demo
// test caught it at random). Mutation: lineLike taking "┴" again ->
// "┴" fails at the groups' starts.
func TestReceiptTurnedLetterAtGroupEdges(t *testing.T) {
	groups := []string{"NZMㄣ", "Ԁ┴ᄅᴚ", "∀WX6", "ᗡΌㄥʞ"} // K7QD-9XMA-R2TP-4WZN upside down
	for r := range turnedLetters {
		for g := range groups {
			for _, last := range []bool{false, true} {
				gs := slices.Clone(groups)
				rs := []rune(gs[g])
				if last {
					rs[len(rs)-1] = r
				} else {
					rs[0] = r
				}
				gs[g] = string(rs)
				written := strings.Join(gs, "-")
				code, ok := NormalizeReceipt(written)
				if !ok {
					t.Errorf("%q: not read", written)
					continue
				}
				out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
				if err != nil || !cut || out[0] != "mi codigo gracias" {
					t.Errorf("%q (%s): cut %q %v %v", written, code, out, cut, err)
				}
			}
		}
	}
}

// A code in regional indicator letters ("🇯🇨🇯🇭-0🇽19-…", as "emoji
// letters" sites write one, a zero-width space between two so that no
// flag shows) is read and cut as the code. Flags are pairs of them,
// common in messages: a run of them with no digit is no code of letters
// alone, and costs no lookup.
func TestReceiptReadInRegionalIndicators(t *testing.T) {
	const code = "JCJH-0X19-7ZXF-6YQN"
	ri := offsets(0x1F1E6, -1, "")
	for name, written := range map[string]string{
		"joined":            writtenAs(code, ri),
		"zero-width spaces": writtenAs(code, offsets(0x1F1E6, -1, "\u200b")),
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("%s: NormalizeReceipt(%q) = %q %v", name, written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || Neutralize(out[0]) != "mi codigo gracias" {
			t.Errorf("%s: cut %q %v %v", name, out, cut, err)
		}
	}
	// A code written right against a flag, before or after it, is
	// still a word of its own, read and cut.
	for _, text := range []string{"mi codigo " + code + "🇲🇽", "🇲🇽" + code + " gracias", "hola 🇲🇽🇲🇽" + code + "🇨🇦🇲🇽"} {
		out, cut, err := CutReceipts([]string{text}, knowsOnly(code))
		if err != nil || !cut || strings.Contains(out[0], "JCJH") || !strings.Contains(out[0], "🇲🇽") {
			t.Errorf("%q: cut %q %v %v", text, out, cut, err)
		}
	}
	flags := strings.Repeat("🇲🇽🇨🇦 🇧🇷🇦🇷 🇵🇪🇪🇸 🇬🇧🇩🇪 ¡vamos! 🇲🇽🇲🇽🇲🇽🇲🇽🇲🇽🇲🇽🇲🇽🇲🇽 ", 20)
	var asked []string
	if _, _, err := CutReceipts([]string{flags}, func(codes []string) ([]bool, error) {
		asked = codes
		return make([]bool, len(codes)), nil
	}); err != nil || len(asked) != 0 {
		t.Errorf("a message of flags looked up %q (%v)", asked, err)
	}
}

// A code with an enclosing mark on a few of its characters (a circle,
// a keycap: "J⃝", "7️⃣") reads as the code, so it is read and cut as
// the code: such marks are no accents, and the rule that reads a word
// through accents only where half its letters bear one does not count
// them.
func TestReceiptReadWithEnclosingMarks(t *testing.T) {
	const code = "JCJH-0X19-7ZXF-6YQN"
	for _, written := range []string{
		"J\u20ddCJH-0X19-7ZXF-6YQN",
		"JCJH-0X19-7\ufe0f\u20e3ZXF-6\ufe0f\u20e3YQN",
		"JC\u20deJH-0X19-7ZXF-6YQ\u20e0N",
		// In small letters, or with spaces between its groups, where
		// the rule for accents applies (a825af4): still no accents.
		"j\u20ddcjh-0x19-7zxf-6yqn",
		"JCJH 0X19 7\ufe0f\u20e3ZXF 6\ufe0f\u20e3YQN",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%q: cut %q %v %v", written, out, cut, err)
		}
	}
}

// A code pasted in two goes with invisible characters where it was cut
// ("…0X19\u200b", then "\u2060\u20607ZXF…") leaves none of them behind:
// the pieces cut, each text keeps neither them nor a space before them.
func TestCutReceiptsAcrossTakesInvisibleCharactersAround(t *testing.T) {
	const code = "JCJH-0X19-7ZXF-6YQN"
	for _, tc := range []struct{ in, want []string }{
		{[]string{"mi código es \u200bJCJH-0X19\u200b", "\u2060\u20607ZXF-6YQN\u200b gracias"}, []string{"mi código es", "gracias"}},
		{[]string{"mi código es \ufeffJCJH-0X", "19-7ZXF-6YQN\u200d"}, []string{"mi código es", ""}},
	} {
		out, cut, err := CutReceiptsAcross(tc.in, knowsOnly(code))
		if err != nil || !cut || !slices.Equal(out, tc.want) {
			t.Errorf("%q: got %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
	}
}

// Two codes with nothing but invisible characters between them, the
// first ending in an invisible mark (a variation selector, as an emoji
// keyboard adds: "…6YQN\ufe0f\u200bK7QD-…"), are both cut, in one
// message or pasted in pieces across three: the invisible characters cut
// with the second take the mark that ends the first, which must neither
// keep the first from being cut nor crash the cut.
func TestCutReceiptsWithInvisibleMarksBetweenCodes(t *testing.T) {
	both := func(codes []string) ([]bool, error) {
		out := make([]bool, len(codes))
		for i, c := range codes {
			out[i] = c == "JCJH-0X19-7ZXF-6YQN" || c == "K7QD-9XMA-R2TP-4WZN"
		}
		return out, nil
	}
	out, cut, err := CutReceipts([]string{"mis codigos JCJH-0X19-7ZXF-6YQN\ufe0f\u200bK7QD-9XMA-R2TP-4WZN gracias"}, both)
	if err != nil || !cut || out[0] != "mis codigos gracias" {
		t.Errorf("one message: cut %q %v %v", out, cut, err)
	}
	for _, tc := range []struct{ in, want []string }{
		{[]string{"mis codigos JCJH-0X19", "7ZXF-6YQN\ufe0f  K7QD-9XMA", "R2TP-4WZN gracias"}, []string{"mis codigos", "", "gracias"}},
		{[]string{"JCJH-0X19-7ZXF", "6YQN\U000E0100\u200b\u2060K7QD", "9XMA-R2TP-4WZN"}, []string{"", "", ""}},
	} {
		out, cut, err := CutReceiptsAcross(tc.in, both)
		if err != nil || !cut || !slices.Equal(out, tc.want) {
			t.Errorf("%q: got %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
	}
}

// smallCapitals and turnedLetters hold every letter and digit Unicode
// names a small capital or a turned one, each read as the letter or
// digit its name says (those Unicode names otherwise are listed).
func TestReceiptFormTablesFollowUnicodeNames(t *testing.T) {
	named := regexp.MustCompile(`^(?:LATIN LETTER SMALL CAPITAL|MODIFIER LETTER SMALL CAPITAL|LATIN (?:SMALL|CAPITAL) LETTER TURNED|TURNED (?:SANS-SERIF )?CAPITAL|TURNED DIGIT|LATIN LETTER SMALL CAPITAL TURNED) ([A-Z]|TWO|THREE)$`)
	otherwise := "ǫᑫıɔɟƃɾ∀𐐒ꓭƆᗡꓷƎ⋊˥ԀΌ┴⊥ꓕΛƖ⇂ᄅƐㄣϛㄥפᗺꓤ"
	digits := map[string]rune{"TWO": '2', "THREE": '3'}
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		sc, isSmall := smallCapitals[r]
		tu, isTurned := turnedLetters[r]
		m := named.FindStringSubmatch(runenames.Name(r))
		if m == nil {
			if (isSmall || isTurned) && !strings.ContainsRune(otherwise, r) {
				t.Errorf("%U %c (%s) is in a table, not named as one", r, r, runenames.Name(r))
			}
			continue
		}
		want := rune(m[1][0])
		if d, ok := digits[m[1]]; ok {
			want = d
		}
		turned := strings.Contains(m[0], "TURNED")
		switch {
		case turned && (!isTurned || tu != want):
			t.Errorf("%U %c (%s): turnedLetters reads %q", r, r, m[0], tu)
		case !turned && (!isSmall || sc != want):
			t.Errorf("%U %c (%s): smallCapitals reads %q", r, r, m[0], sc)
		}
	}
}

// A code in capitals, as codes are shown, with an accent on a few of its
// letters (an old code of letters alone, "ÁBCD-…", or one drawn now) is
// read and cut as the code: the rule that reads words through accents
// only where half their letters bear one is for prose, which is not
// written in capitals with no space between its words.
func TestReceiptInCapitalsWithAFewAccentsIsCut(t *testing.T) {
	for code, written := range map[string]string{
		"ABCD-EFGH-JKMN-PQRS": "ÁBCD-EFGH-JKMN-PQRS",
		"SAJG-ZFDD-7NM6-K3PQ": "SAJG/ZFDD/7ÑM6/K3PQ",
		"JCJH-0X19-7ZXF-6YQN": "JĆJH0X197ZXF6YQN\u0301", // a combining accent on the last
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%q: cut %q %v %v", written, out, cut, err)
		}
	}
}

// Prose in capitals ("MAMÁ DICE CASA 2024 ESTÁ ALLÁ…") costs no more
// lookups than it does in small letters: its spaces tell it from a code.
func TestAccentedCapitalsCostNoMoreLookups(t *testing.T) {
	const prose = "El año pasado, en 2024, la señora Pérez denunció que cobran cuota en la colonia Niño Perdido. " +
		"Según ella, ésta área está tomada: cobran 1500 pesos por semana, 3000 a las farmacias. " +
		"Mamá dice casa 2024 está allá, José sabe 1500 más cómo será todo; niño 2023 allá mamá, " +
		"rúa 3000 também está, élan 1234 déjà même, Pérez 5555 pidió José. Dé más a mamá, está allá. " +
		"Ça va? Não sei. Teléfono 55 1234 5678, código postal 06000; placas AB12 CD34 EF56 GH78 y casa para mama esta. "
	var asked []string
	if _, _, err := CutReceipts([]string{strings.ToUpper(prose)}, func(codes []string) ([]bool, error) {
		asked = codes
		return make([]bool, len(codes)), nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"AB12-CD34-EF56-GH78", "CASA-PARA-MAMA-ESTA"}; !slices.Equal(asked, want) {
		t.Errorf("asked %q, want %q", asked, want)
	}
}

// The tables of letters a code may be written in hold no ASCII
// character: readTurned, normalizeReceipt and lookAlike ask them only
// of a character that is not ASCII (most are ASCII, and the maps took
// 14 % of a flood of short links), so one added would never be read.
// Mutation: 'q': 'Q' added to smallCapitals -> fails.
func TestReceiptFormTablesHoldNoASCII(t *testing.T) {
	for name, table := range map[string]map[rune]rune{"smallCapitals": smallCapitals, "turnedLetters": turnedLetters, "lookAlikes": lookAlikes} {
		for r := range table {
			if r < utf8.RuneSelf {
				t.Errorf("%s holds %q, ASCII", name, r)
			}
		}
	}
}
