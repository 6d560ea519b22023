package tips

import (
	"fmt"
	"hash/fnv"
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
// typed without accents finds text written with them.
//
// Text made only of runes below U+0300 (ASCII, Latin-1 and Latin
// Extended, that is most tips) folds rune by rune from a table that the
// general path filled at start-up: none of those runes combines with its
// neighbours under these steps (combining marks start at U+0300), so the
// result is the same (TestFoldTableMatchesGeneralPath), about ten times
// faster. Anything else takes the general path.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 reads as U+FFFD: general path
		if r >= foldTableSize {
			return foldGeneral(s)
		}
		b.WriteString(foldTable[r])
	}
	return b.String()
}

// foldTableSize bounds the runes Fold takes from foldTable.
const foldTableSize = 0x300

// foldTable holds foldGeneral of each rune below foldTableSize.
var foldTable = func() (t [foldTableSize]string) {
	for r := range t {
		t[r] = foldGeneral(string(rune(r)))
	}
	return t
}()

// foldGeneral is Fold for any text.
func foldGeneral(s string) string {
	s = norm.NFKC.String(strings.ToValidUTF8(s, " "))
	s = folder.String(s)
	// Marks go (accents do not matter), and so do format characters (a
	// soft hyphen, zero-width spaces and joiners, direction marks): they
	// are invisible, and inside a word would hide it from search.
	t := transform.Chain(norm.NFD, runes.Remove(runes.Predicate(func(r rune) bool {
		return unicode.In(r, unicode.Mn, unicode.Cf)
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
// the spacing marks on them. Fold drops the nonspacing marks (accents),
// but not the spacing ones, which are vowels in Brahmic scripts: "भाई"
// (Hindi "brother", U+093E after its first letter) and "দেওয়া" are one
// word each, not pieces. A mark on nothing (after a space) is no word,
// and an enclosing mark (a keycap, a circle drawn around "hola⃝") ends
// one, as before: it decorates, and is no part of how a word is spelt.
func words(folded string) []string {
	var out []string
	start := -1 // where the current word starts, or -1
	for i, r := range folded {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		case start >= 0 && unicode.Is(unicode.Mc, r):
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
	return out
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
	var out []string
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

// confusables maps letters that look like Latin ones (Cyrillic, Greek) to
// them, so "@nаrco" with a Cyrillic а is the same handle as "@narco".
var confusables = strings.NewReplacer(
	"а", "a", "е", "e", "о", "o", "р", "p", "с", "c", "у", "y", "х", "x", "і", "i", "ј", "j", "ѕ", "s",
	"ԁ", "d", "һ", "h", "к", "k", "м", "m", "т", "t", "в", "b", "н", "h",
	"α", "a", "ο", "o", "ε", "e", "ι", "i", "κ", "k", "ν", "v", "ρ", "p", "τ", "t", "υ", "u", "χ", "x",
	"ı", "i",
)

// foldHandle normalises a social-media handle: folded, homoglyphs mapped
// to Latin letters.
func foldHandle(h string) string {
	return confusables.Replace(Fold(h))
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
