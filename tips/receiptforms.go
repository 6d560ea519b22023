package tips

import (
	"strings"
	"unicode/utf8"
)

// smallCapitals maps the small capital letters "fancy text" sites write
// a text in ("ᴋ7ǫᴅ-9xᴍᴀ-…": Unicode's LATIN LETTER SMALL CAPITAL and
// MODIFIER LETTER SMALL CAPITAL letters, which have no decomposition) to
// the letters they are. Those sites have no small capital Q or S of
// Unicode's older blocks and write "ǫ" and "ꜱ" (or "s"): ǫ, which NFKD
// reads as an accented O, is a Q here. (No text in Latin letters is
// written in them but for show; a phonetic transcription that has some
// is no code-like word.)
var smallCapitals = map[rune]rune{
	'ᴀ': 'A', 'ʙ': 'B', 'ᴄ': 'C', 'ᴅ': 'D', 'ᴇ': 'E', 'ꜰ': 'F', 'ɢ': 'G', 'ʜ': 'H', 'ɪ': 'I', 'ᴊ': 'J', 'ᴋ': 'K',
	'ʟ': 'L', 'ᴍ': 'M', 'ɴ': 'N', 'ᴏ': 'O', 'ᴘ': 'P', 'ꞯ': 'Q', 'ǫ': 'Q', 'ʀ': 'R', 'ꜱ': 'S', 'ᴛ': 'T', 'ᴜ': 'U',
	'ᴠ': 'V', 'ᴡ': 'W', 'ʏ': 'Y', 'ᴢ': 'Z',
	// Modifier (superscript) small capitals, as "tiny text" has its i,
	// l, n and u: their decomposition is the small capital.
	'ᶦ': 'I', 'ᶫ': 'L', 'ᶰ': 'N', 'ᶸ': 'U', '\U00010784': 'B', '\U00010792': 'G', '\U00010796': 'H', '\U000107AA': 'R',
	'\U000107B2': 'Y',
	// And the q of most "tiny text" tables, which have no superscript
	// q: a Canadian syllabic (KA) that looks like one.
	'ᑫ': 'Q',
}

// turnedLetters maps the characters "upside-down text" sites write for
// letters and digits turned over (Unicode's TURNED letters and digits,
// and the look-alikes those sites use where Unicode has none: "ɔ" for a
// turned c, "∀" for A, "ᄅ" for 2, "ㄣ" for 4…) to what they read as,
// turned back. Such text is also written backwards, so that it reads
// right with the screen turned: NormalizeReceipt reads a code holding one
// of them so (readTurned). None of them is a letter of a code written
// the right way up, so one among the characters of a code-like word
// says it is turned.
var turnedLetters = map[rune]rune{
	// Small letters.
	'ɐ': 'A', 'ɔ': 'C', 'ǝ': 'E', 'ɟ': 'F', 'ƃ': 'G', 'ᵷ': 'G', 'ɥ': 'H', 'ᴉ': 'I', 'ı': 'I', 'ɾ': 'J', 'ʞ': 'K',
	'ꞁ': 'L', 'ɯ': 'M', 'ɹ': 'R', 'ʇ': 'T', 'ʌ': 'V', 'ʍ': 'W', 'ʎ': 'Y',
	// Small capitals, turned.
	'ⱻ': 'E', '\U0001DF02': 'G', '\U0001DF10': 'K', 'ꟺ': 'M', 'ᴚ': 'R',
	// Capitals.
	'∀': 'A', 'Ɐ': 'A', '𐐒': 'B', 'ꓭ': 'B', 'Ɔ': 'C', 'ᗡ': 'D', 'ꓷ': 'D', 'Ǝ': 'E', 'Ⅎ': 'F', '⅁': 'G', 'Ɥ': 'H',
	'Ʞ': 'K', '⋊': 'K', '˥': 'L', '⅂': 'L', 'Ꞁ': 'L', 'Ɯ': 'M', 'Ԁ': 'P', 'Ό': 'Q', '┴': 'T', '⊥': 'T',
	'ꓕ': 'T', 'Ʇ': 'T', 'Λ': 'V', 'Ʌ': 'V', '⅄': 'Y',
	// The look-alikes most flip sites' tables have for a G (the Hebrew
	// pe), and some for a B and an R.
	'פ': 'G', 'ᗺ': 'B', 'ꓤ': 'R',
	// Digits.
	'Ɩ': '1', '⇂': '1', 'ᄅ': '2', '↊': '2', 'Ɛ': '3', '↋': '3', 'ㄣ': '4', 'ϛ': '5', 'ㄥ': '7',
}

// turnedASCII is what the letters and digits that read as one turned
// over read as so ("d" is a p, "W" an M, "6" a 9, "o" an o), and the Q
// flip sites leave as it is (they have no turned Q), 0 for the others
// (an "A" turned is no letter).
var turnedASCII = func() (t [128]byte) {
	for _, p := range []string{"bq", "dp", "nu", "MW", "69"} {
		for _, c := range [][2]byte{{p[0], p[1]}, {p[1], p[0]}} {
			t[c[0]] = byte(strings.ToUpper(string(c[1]))[0])
		}
	}
	for _, c := range []byte("oOsSxXzZHINlQ08") {
		t[c] = byte(strings.ToUpper(string(c))[0])
	}
	return t
}()

// readTurned returns s as it reads turned over, if one of its
// characters reads only so (turnedLetters): backwards, each character as
// it reads turned (turnedLetters, turnedASCII, "ſ" as a J), separators,
// accents and invisible characters left out; ok false if a character of
// it reads as none turned over. s is returned as it is if it is not
// turned.
func readTurned(s string) (_ string, ok bool) {
	if !strings.ContainsFunc(s, func(r rune) bool {
		if r < utf8.RuneSelf {
			return false // (none is ASCII: no map to ask)
		}
		_, ok := turnedLetters[r]
		return ok
	}) {
		return s, true
	}
	rs := []rune(s)
	out := make([]byte, 0, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		var c rune
		switch {
		case r < 128:
			c = rune(turnedASCII[r])
		case r == 'ſ':
			c = 'J' // (as a long s, the right way up, it reads as an S)
		default:
			c = turnedLetters[r]
		}
		switch {
		case c != 0:
			out = append(out, byte(c))
		case groupSeparator(r) || mark(r) || invisible(r):
		default:
			return "", false
		}
	}
	return string(out), true
}
