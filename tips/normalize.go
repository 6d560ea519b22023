package tips

import (
	"strings"
	"unicode"

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
func Fold(s string) string {
	s = norm.NFKC.String(strings.ToValidUTF8(s, " "))
	s = folder.String(s)
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
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
func foldedTokens(folded string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if n := len([]rune(w)); n < 2 || n > 40 || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == maxTokens {
			break
		}
	}
	return out
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
