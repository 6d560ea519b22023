package tips

import "unicode"

// Characters counts the characters of s as a reader sees them (extended
// grapheme clusters, Unicode's UAX #29, with its tables approximated from
// the unicode package's categories): a letter and its accents and marks
// ("é" written as e and U+0301, Vietnamese "ệ", Hindi "कि"), an
// emoji with its skin tone, keycap or variation selector, a sequence of
// emoji joined by ZWJ (a family, a profession), a flag (two regional
// indicators, or a black flag and its tags), a Hangul syllable written as
// jamo, and an Indic conjunct (consonants joined by a virama: Hindi
// "क्ष") are one character each. A limit counted in code points refused
// a short label of emoji or accented letters; one counted so is what the
// user sees.
func Characters(s string) int {
	n := 0
	var prev graphemeClass
	regional := 0       // regional indicators in a row, to pair them into flags
	pictograph := false // an emoji then Extend* then ZWJ, for GB11
	joined := false     // the ZWJ after a pictograph is the last character
	conjunct := 0       // Indic: 1 after a consonant (and marks), 2 after its virama
	for i, r := range s {
		c := classOf(r)
		if i == 0 || graphemeBreak(prev, c, regional, joined, conjunct == 2 && indicConsonant(r)) {
			n++
			regional, pictograph, conjunct = 0, false, 0
		}
		// The states the rules after this character look at.
		joined = pictograph && c == gZWJ
		switch {
		case c == gPictograph:
			pictograph = true
		case c != gExtend && c != gZWJ:
			pictograph = false
		}
		if c == gRegional {
			regional++
		} else {
			regional = 0
		}
		switch {
		case indicConsonant(r):
			conjunct = 1
		case conjunct > 0 && indicLinker(r):
			conjunct = 2
		case conjunct > 0 && (c == gExtend || c == gZWJ):
		default:
			conjunct = 0
		}
		prev = c
	}
	return n
}

// graphemeClass is a character's Grapheme_Cluster_Break property (and
// Extended_Pictographic), as far as Characters tells them apart.
type graphemeClass int

const (
	gOther graphemeClass = iota
	gCR
	gLF
	gControl
	gExtend
	gZWJ
	gRegional
	gPrepend
	gSpacingMark
	gL // Hangul leading consonant (jamo)
	gV // Hangul vowel
	gT // Hangul trailing consonant
	gLV
	gLVT
	gPictograph
)

// classOf approximates r's Grapheme_Cluster_Break from its category and
// the few ranges that matter.
func classOf(r rune) graphemeClass {
	switch {
	case r < 0x7F && r >= 0x20:
		return gOther // ASCII letters, digits, punctuation: most text
	case r == '\r':
		return gCR
	case r == '\n':
		return gLF
	case r == 0x200D:
		return gZWJ
	case r == 0x200C, r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F, r == 0xFF9E, r == 0xFF9F:
		return gExtend // the non-joiner, skin tones, tags, halfwidth sound marks
	case r >= 0x1F1E6 && r <= 0x1F1FF:
		return gRegional
	case r >= 0x0600 && r <= 0x0605, r == 0x06DD, r == 0x070F, r == 0x0890, r == 0x0891, r == 0x08E2, r == 0x110BD, r == 0x110CD:
		return gPrepend // Arabic number signs and their kin, written before the digits they mark
	case unicode.In(r, unicode.Cc, unicode.Zl, unicode.Zp, unicode.Cf):
		return gControl
	case unicode.In(r, unicode.Mn, unicode.Me):
		return gExtend
	case unicode.Is(unicode.Mc, r) && !spacingOther(r), r == 0x0E33, r == 0x0EB3: // Thai and Lao sara am
		return gSpacingMark
	case r >= 0x1100 && r <= 0x115F, r >= 0xA960 && r <= 0xA97C:
		return gL
	case r >= 0x1160 && r <= 0x11A7, r >= 0xD7B0 && r <= 0xD7C6:
		return gV
	case r >= 0x11A8 && r <= 0x11FF, r >= 0xD7CB && r <= 0xD7FB:
		return gT
	case r >= 0xAC00 && r <= 0xD7A3:
		if (r-0xAC00)%28 == 0 {
			return gLV
		}
		return gLVT
	case pictographic(r):
		return gPictograph
	}
	return gOther
}

// spacingOther reports whether r, a spacing mark (Mc), is one that UAX
// #29 leaves out of SpacingMark: Burmese tone marks and vowels, and a few
// of Tai Tham, Tai Viet and Ahom, which start characters of their own.
func spacingOther(r rune) bool {
	switch {
	case r == 0x102B, r == 0x102C, r == 0x1038, r >= 0x1062 && r <= 0x1064, r >= 0x1067 && r <= 0x106D, r == 0x1083,
		r >= 0x1087 && r <= 0x108C, r == 0x108F, r >= 0x109A && r <= 0x109C, r == 0x1A61, r == 0x1A63, r == 0x1A64,
		r == 0xAA7B, r == 0xAA7D, r == 0x11720, r == 0x11721:
		return true
	}
	return false
}

// pictographic approximates Extended_Pictographic: the emoji blocks, and
// the older symbols that are emoji too (☀ ✈ ❤ ⌚ ⭐ © ®…).
func pictographic(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x1FC00 && r <= 0x1FFFD:
		return true
	case r >= 0x2600 && r <= 0x27BF, r >= 0x2300 && r <= 0x23FF, r >= 0x2190 && r <= 0x21FF, r >= 0x25A0 && r <= 0x25FF:
		return true
	case r >= 0x2B05 && r <= 0x2B07, r == 0x2B1B, r == 0x2B1C, r == 0x2B50, r == 0x2B55, r == 0x2934, r == 0x2935:
		return true
	}
	switch r {
	case 0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x24C2, 0x3030, 0x303D, 0x3297, 0x3299:
		return true
	}
	return false
}

// indicLinker reports whether r is a virama that joins the consonants
// around it into one conjunct (InCB=Linker: Devanagari, Bengali,
// Gujarati, Oriya, Telugu, Malayalam; and, since Unicode 16, Burmese's
// virama and Khmer's coeng, which stack the consonant after it).
func indicLinker(r rune) bool {
	switch r {
	case 0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D, 0x1039, 0x17D2:
		return true
	}
	return false
}

// indicConsonant approximates InCB=Consonant: a consonant letter of one
// of the scripts whose virama links (indicLinker), by its place in the
// script's block (Ka to Ha, the nukta forms; independent vowels and
// signs are not).
func indicConsonant(r rune) bool {
	if !unicode.Is(unicode.Lo, r) {
		return false
	}
	if r >= 0x1000 && r <= 0x1021 || r >= 0x1780 && r <= 0x17A2 { // Burmese, Khmer
		return true
	}
	if r < 0x0900 || r > 0x0D7F {
		return false
	}
	switch r &^ 0x7F { // the script's block
	case 0x0900, 0x0980, 0x0A80, 0x0B00, 0x0C00, 0x0D00:
	default:
		return false // Gurmukhi, Tamil, Kannada: their viramas do not link
	}
	switch o := r & 0x7F; {
	case o >= 0x15 && o <= 0x3A, o >= 0x58 && o <= 0x5F:
		return true
	}
	switch r {
	case 0x0978, 0x0979, 0x097A, 0x097B, 0x097C, 0x097D, 0x097E, 0x097F, 0x09F0, 0x09F1, 0x0AF9, 0x0B71:
		return true
	}
	return false
}

// graphemeBreak reports whether a character of class c starts a new
// character after one of class prev (UAX #29's rules GB3 to GB13);
// regional counts the regional indicators just before, joined says the
// last was a ZWJ after a pictograph, linked that c is a consonant after a
// virama that links it.
func graphemeBreak(prev, c graphemeClass, regional int, joined, linked bool) bool {
	switch {
	case prev == gCR && c == gLF: // GB3
		return false
	case prev == gCR || prev == gLF || prev == gControl: // GB4
		return true
	case c == gCR || c == gLF || c == gControl: // GB5
		return true
	case prev == gL && (c == gL || c == gV || c == gLV || c == gLVT): // GB6
		return false
	case (prev == gLV || prev == gV) && (c == gV || c == gT): // GB7
		return false
	case (prev == gLVT || prev == gT) && c == gT: // GB8
		return false
	case c == gExtend || c == gZWJ || c == gSpacingMark || prev == gPrepend: // GB9, GB9a, GB9b
		return false
	case linked: // GB9c
		return false
	case joined && c == gPictograph: // GB11
		return false
	case prev == gRegional && c == gRegional: // GB12, GB13: flags are pairs
		return regional%2 == 0
	}
	return true
}
