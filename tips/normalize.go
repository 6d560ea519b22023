package tips

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// folder folds case the Unicode way ("STRASSE" and "straße" meet).
var folder = cases.Fold()

// Fold normalises text for matching: NFKC (full-width and ligature forms
// become plain letters), case folding, and accent folding ("Extorsión"
// becomes "extorsion"). Searching and indexing both use it, so a query
// typed without accents finds text written with them. The nonspacing
// marks of the scripts of South and Southeast Asia (speltScripts) stay:
// there they are no accents but vowels, viramas and nasal signs, part of
// how a word is spelt (Hindi "मेरा", "my", and "मरा", "died").
//
// Text made only of runes below U+0300 (ASCII, Latin-1 and Latin
// Extended, that is most tips) folds rune by rune from a table that the
// general path filled at start-up: none of those runes combines with its
// neighbours under these steps (combining marks start at U+0300), so the
// result is the same (TestFoldTableMatchesGeneralPath), about ten times
// faster. Anything else takes the general path.
func Fold(s string) string { return fold(s, foldGeneral) }

// foldMarkless is Fold as it was before it kept speltScripts' marks: it
// drops every nonspacing mark ("मेरा" is "मरा"). Tips indexed then hold
// its words (MarklessIndexTokens), and the near-duplicate sketch and the
// handles and hashtags, whose keys a purge computes again from a tip's
// text, still use it.
func foldMarkless(s string) string { return fold(s, foldGeneralMarkless) }

// fold is Fold with general for the general path.
func fold(s string, general func(string) string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 reads as U+FFFD: general path
		if r >= foldTableSize {
			return general(s)
		}
		b.WriteString(foldTable[r])
	}
	return b.String()
}

// foldTableSize bounds the runes Fold takes from foldTable.
const foldTableSize = 0x300

// foldTable holds foldGeneral of each rune below foldTableSize (the same
// as foldGeneralMarkless's: no spelt mark is below it).
var foldTable = func() (t [foldTableSize]string) {
	for r := range t {
		t[r] = foldGeneral(string(rune(r)))
	}
	return t
}()

// speltScripts are the scripts whose nonspacing marks spell words: the
// Brahmic scripts of South and Southeast Asia.
var speltScripts = []*unicode.RangeTable{
	unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya,
	unicode.Tamil, unicode.Telugu, unicode.Kannada, unicode.Malayalam, unicode.Sinhala,
	unicode.Thai, unicode.Lao, unicode.Tibetan, unicode.Myanmar, unicode.Khmer,
}

// speltMark reports whether r is a nonspacing mark Fold keeps: one of
// speltScripts', but for Khmer's inherent vowels, which show nothing
// (see Blank) and inside a word would hide it from search.
func speltMark(r rune) bool {
	return r >= 0x900 && unicode.Is(unicode.Mn, r) && r != '\u17B4' && r != '\u17B5' && unicode.In(r, speltScripts...)
}

// HasSpeltScript reports whether s holds a rune of the scripts whose
// nonspacing marks Fold keeps: only then can Fold and foldMarkless
// differ, and a word of s be another word as read before
// (MarklessIndexTokens).
func HasSpeltScript(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x900 && unicode.In(r, speltScripts...) })
}

// foldGeneral is Fold for any text.
func foldGeneral(s string) string { return foldDropping(s, speltMark) }

// foldGeneralMarkless is foldMarkless for any text.
func foldGeneralMarkless(s string) string { return foldDropping(s, func(rune) bool { return false }) }

// foldDropping folds s, dropping nonspacing marks but those kept keeps.
func foldDropping(s string, kept func(rune) bool) string {
	s = norm.NFKC.String(strings.ToValidUTF8(s, " "))
	s = folder.String(s)
	// Marks go (accents do not matter), and so do format characters (a
	// soft hyphen, zero-width spaces and joiners, direction marks): they
	// are invisible, and inside a word would hide it from search.
	t := transform.Chain(norm.NFD, runes.Remove(runes.Predicate(func(r rune) bool {
		return unicode.In(r, unicode.Mn, unicode.Cf) && !kept(r)
	})), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

// maxTokens bounds how many distinct tokens one tip contributes.
const maxTokens = 400

// Tokens returns the distinct folded words of text, two to 40 characters
// long, in order of first appearance.
func Tokens(text string) []string { return foldedTokens(Fold(text)) }

// foldedTokens is Tokens of text already folded.
func foldedTokens(folded string) []string { return tokens(folded, maxTokens, false) }

// maxIndexTokens bounds how many distinct words of one tip the search
// index keeps: the distinct words of a long tip in a natural language
// (20,000 characters of Spanish hold about 1,500), where 400 left the end
// of a long tip out of every search. Each may cost a posting key for the
// retention, so it is bounded for a tip of random words.
const maxIndexTokens = 2000

// maxWordRunes is the longest word kept as written; a longer one (a
// wallet address, a run-together string) the index keeps as its first 32
// characters and a hash of the whole word, and a search looks for it the
// same way: still whole words, no longer than this.
const maxWordRunes = 40

// tokens returns the distinct words of folded text, at least two
// characters long, in order of first appearance, at most max of them. A
// word over maxWordRunes characters is dropped, or if cut kept as its
// first characters and a hash of it.
func tokens(folded string, max int, cut bool) []string {
	return splitTokens(words(folded), max, cut)
}

// words returns the words of folded text: runs of letters and digits with
// the marks Fold keeps on them: the spacing ones, vowels in Brahmic
// scripts, and the nonspacing ones of those scripts (speltMark): "भाई"
// (Hindi "brother", U+093E after its first letter), "मेरा" (U+0947) and
// "দেওয়া" are one word each, not pieces. A mark on nothing (after a
// space) is no word, and an enclosing mark (a keycap, a circle drawn
// around "hola⃝") ends one, as before: it decorates, and is no part of
// how a word is spelt.
func words(folded string) []string {
	// About a word in six bytes: one allocation as a rule.
	out := make([]string, 0, len(folded)/6+1)
	start := -1 // where the current word starts, or -1
	for i, r := range folded {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		case start >= 0 && (unicode.Is(unicode.Mc, r) || speltMark(r)):
		default:
			if start >= 0 {
				out = append(out, folded[start:i])
				start = -1
			}
		}
	}
	if start >= 0 {
		out = append(out, folded[start:])
	}
	if len(out) == 0 {
		return nil // as before it allocated up front
	}
	return out
}

// Words returns text's folded words, however short (the "1" of "Zona
// 1"), each run across the marks Fold keeps ("दिल्ली" and "ঢাকা" are one
// word each): how regions are read.
func Words(text string) []string { return words(Fold(text)) }

// PastWords returns text's words as read before words ran across marks
// and Fold kept Brahmic nonspacing ones: folded by foldMarkless, cut at
// anything but a letter or digit, however short ("दिल्ली" is "द" and
// "लल"). Regions stored then are such words.
func PastWords(text string) []string {
	return strings.FieldsFunc(foldMarkless(text), isWordSeparator)
}

// markSplitTokens is tokens as it was before words ran across marks: cut
// at each one ("भाई" gave "भ" and "ई", both too short to keep). Tips
// indexed then hold these words.
func markSplitTokens(folded string, max int, cut bool) []string {
	return splitTokens(strings.FieldsFunc(folded, isWordSeparator), max, cut)
}

// hasMark reports whether folded text holds a spacing mark: where it
// holds none, tokens and markSplitTokens agree.
func hasMark(folded string) bool {
	return strings.ContainsFunc(folded, func(r rune) bool { return r >= 0x300 && unicode.Is(unicode.Mc, r) })
}

// splitTokens is tokens of text already cut into words.
func splitTokens(words []string, max int, cut bool) []string {
	seen := make(map[string]struct{}, 64)
	out := make([]string, 0, min(len(words), max))
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		if n > maxWordRunes && cut {
			h := fnv.New32a()
			h.Write([]byte(w))
			w, n = fmt.Sprintf("%s%08x", TruncateRunes(w, maxWordRunes-8), h.Sum32()), maxWordRunes
		}
		if n < 2 || n > maxWordRunes {
			continue
		}
		if _, ok := seen[w]; ok {
			continue
		}
		seen[w] = struct{}{}
		out = append(out, w)
		if len(out) == max {
			break
		}
	}
	if len(out) == 0 {
		return nil // as before it allocated up front
	}
	return out
}

func isWordSeparator(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// TruncateRunes returns s's first n characters (runes).
func TruncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// pastConfusablePairs are the letters confusables mapped before it held
// ӏ, ԛ, ԝ, ɑ and ɡ: a handle with one of those was indexed then under a
// key that kept it ("@ɑlfa" was "ɑlfa"), a past form (foldHandlePast,
// PastLinkEntities).
var pastConfusablePairs = []string{
	"а", "a", "е", "e", "о", "o", "р", "p", "с", "c", "у", "y", "х", "x", "і", "i", "ј", "j", "ѕ", "s",
	"ԁ", "d", "һ", "h", "к", "k", "м", "m", "т", "t", "в", "b", "н", "h",
	"α", "a", "ο", "o", "ε", "e", "ι", "i", "κ", "k", "ν", "v", "ρ", "p", "τ", "t", "υ", "u", "χ", "x",
	"ı", "i",
}

// confusables maps letters that look like Latin ones (Cyrillic, Greek,
// IPA) to them, so "@nаrco" with a Cyrillic а is the same handle as
// "@narco": Cyrillic palochka ӏ, qa ԛ and we ԝ, Latin alpha ɑ and script
// g ɡ too (their capitals fold to them first).
var (
	confusables     = strings.NewReplacer(append(slices.Clone(pastConfusablePairs), "ӏ", "l", "ԛ", "q", "ԝ", "w", "ɑ", "a", "ɡ", "g")...)
	pastConfusables = strings.NewReplacer(pastConfusablePairs...)
)

// foldHandle normalises a social-media handle: folded, homoglyphs mapped
// to Latin letters. Folded by foldMarkless, as hashtags are: entities'
// keys are computed again from a tip's text by a purge and by alerts, and
// a tip indexed before holds them so.
func foldHandle(h string) string {
	return confusables.Replace(foldMarkless(h))
}

// foldHandlePast is foldHandle as it was before confusables held the
// letters pastConfusablePairs does not: the key a handle was indexed
// under then.
func foldHandlePast(h string) string {
	return pastConfusables.Replace(foldMarkless(h))
}

// latinCapitals maps the Cyrillic and Greek capitals that look like a
// Latin capital to its Latin letter, before folding: folded, "Ν" (Greek
// capital nu) would be "ν", which confusables reads as "v".
var latinCapitals = strings.NewReplacer(
	"А", "a", "В", "b", "Е", "e", "К", "k", "М", "m", "Н", "h", "О", "o", "Р", "p", "С", "c", "Т", "t", "Х", "x",
	"Ѕ", "s", "І", "i", "Ј", "j", "У", "y",
	"Α", "a", "Β", "b", "Ε", "e", "Ζ", "z", "Η", "h", "Ι", "i", "Κ", "k", "Μ", "m", "Ν", "n", "Ο", "o", "Ρ", "p",
	"Τ", "t", "Υ", "y", "Χ", "x",
)

// FoldLookalikes is Fold with the Cyrillic and Greek letters that look
// like Latin ones read as those (capitals, latinCapitals, then small
// letters, confusables, as handles are read): "@infоrmante" with a
// Cyrillic о reads as "@informante". For comparing text with a name,
// not for keys: a word in Cyrillic or Greek comes out as no word of its
// language. Linear in s.
func FoldLookalikes(s string) string {
	return confusables.Replace(Fold(latinCapitals.Replace(s)))
}

func nfkc(s string) string { return norm.NFKC.String(strings.ToValidUTF8(s, " ")) }

// Blank reports whether text shows nothing: only spaces, line breaks,
// control and format characters (zero-width spaces, direction marks), the
// fillers that render as blanks, and the marks that only modify a
// character they follow and show nothing of their own (variation
// selectors, the combining grapheme joiner, Mongolian free variation
// selectors, Khmer's inherent vowels).
func Blank(text string) bool {
	for _, r := range text {
		switch {
		case unicode.IsSpace(r), unicode.In(r, unicode.Cc, unicode.Cf):
		case r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0', r == '\u2800':
		case r >= '\uFE00' && r <= '\uFE0F', r >= 0xE0100 && r <= 0xE01EF, r == '\u034F',
			r >= '\u180B' && r <= '\u180D', r == '\u180F', r == '\u17B4', r == '\u17B5':
		default:
			return false
		}
	}
	return true
}
