package tips

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// stopwords are the commonest function words of Spanish, Portuguese,
// English and French, folded. They are in nearly every tip, so a search
// for one finds everything and narrows nothing: the blind index leaves
// them out, which saves a posting per word and tip.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		de la el en que los se del las por un una con no su para es al lo como mas pero sus le ya
		o fue este ha si porque esta son entre cuando muy sin sobre tambien me hasta hay donde quien
		desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mi antes algunos
		que unos yo otro otras otra el tanto esa estos mucho quienes nada muchos cual poco ella estar
		estas algunas algo nosotros mis tu te ti tus ellas nosotras os aqui alli
		do da em um para com uma os no na por mais as dos como mas ao ele das seu sua ou quando muito
		nos ja eu tambem so pelo pela ate isso ela entre depois sem mesmo aos seus quem nas me esse
		eles voce essa num nem suas meu minha numa pelos elas qual lhe deles essas esses pelas este
		dele tu te voces vos lhes meus minhas teu tua nosso nossa dela delas esta estes estas aquele
		the and to of a in is it that was for on are as with his they at be this from have or by one
		had not but what all were when we there can an your which their said if do will each about
		how up out them then she many some so these would other into has her two like him see time
		could no make than been its who now people my made over did down only way find use may
		et les des un une du est pour qui dans pas au sur ne se plus par je avec tout il elle ce sont
		ou mais nous vous ils elles leur leurs son sa ses cette ces aux y lui on ont ete etre fait
	`) {
		m[w] = true
	}
	return m
}()

// IndexTokens is Tokens without stop words: the words the blind index
// keeps, and the words a search looks for.
// Unlike Tokens (the classifier's), it keeps a long tip's words to the
// end, and a word too long to keep whole by its first characters.
//
// A host name's labels written in punycode ("xn--e1afmkfd") are read
// decoded ("пример"), so that a link is found by its host in either form:
// a tip may write either, and a view shows both or the one written. The
// decoded form is a homograph's own letters: "аррӏе.com" in Cyrillic and
// its "xn--80ak6aa92e.com" are one word, apple.com another.
//
// A word that mixes Latin letters with Cyrillic or Greek ones is read with
// those that look like Latin letters as them (unconfused): "Sіnaloa"
// written with a Cyrillic і is "sinaloa", found by either spelling. A
// word in one script keeps its letters ("аррӏе" in Cyrillic is not
// "apple"); full-width forms ("Ｓｉｎａｌｏａ") Fold reads as ASCII.
func IndexTokens(text string) []string {
	return withoutStopwords(tokens(foldUnconfused(decodePunycode(text)), maxIndexTokens, true))
}

// foldUnconfused is Fold with the look-alikes of each word mixing scripts
// read as Latin letters: its capitals first (unconfusedCapitals), which
// folded would be other letters ("Ν", Greek capital nu, is "ν", which
// confusables reads as "v"), then its small letters (unconfused).
func foldUnconfused(s string) string { return unconfused(Fold(unconfusedCapitals(s))) }

// LookalikeIndexTokens are the words IndexTokens gave text before it read
// Cyrillic and Greek look-alikes in a Latin word as Latin letters
// ("sіnaloa" kept its Cyrillic і): a tip indexed then holds them, and a
// search looks for them too. Nil where they are IndexTokens'.
func LookalikeIndexTokens(text string) []string {
	if !strings.ContainsFunc(text, lookalikeScript) {
		return nil // most text: no second fold
	}
	decoded := decodePunycode(text)
	folded := Fold(decoded)
	if foldUnconfused(decoded) == folded {
		return nil
	}
	return withoutStopwords(tokens(folded, maxIndexTokens, true))
}

// lookalikeScript reports whether r is a Cyrillic or Greek letter, of the
// scripts whose letters confusables reads as Latin ones.
func lookalikeScript(r rune) bool {
	return r >= 0x370 && unicode.In(r, unicode.Cyrillic, unicode.Greek)
}

// unconfused is folded text with, in each word that holds both Latin
// letters and Cyrillic or Greek ones, these read as the Latin letters
// they look like (confusables, as handles are read): mixing scripts in a
// word hides it from a search, and no word of a language does so. A
// word of Cyrillic or Greek alone is left as written.
func unconfused(folded string) string { return inMixedWords(folded, confusables, isWordSeparator) }

// unconfusedCapitals is text, before folding, with the Cyrillic and Greek
// capitals of each word that mixes them with Latin letters read as the
// Latin letters they look like (latinCapitals, as FoldLookalikes reads
// them): "SΙΝALOA" with a Greek Ι and Ν is "SiNALOA", not "sivaloa" once
// folded. A word's marks and format characters, which Fold drops, do not
// end it.
func unconfusedCapitals(text string) string {
	return inMixedWords(text, latinCapitals, func(r rune) bool { return isWordSeparator(r) && !unicode.In(r, unicode.M, unicode.Cf) })
}

// inMixedWords is s with r's replacements made in each word (a run of
// runes sep does not end) that holds both Latin letters and Cyrillic or
// Greek ones.
func inMixedWords(s string, r *strings.Replacer, sep func(rune) bool) string {
	if !strings.ContainsFunc(s, lookalikeScript) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for s != "" {
		end := strings.IndexFunc(s, sep)
		if end == 0 {
			_, end = utf8.DecodeRuneInString(s)
			b.WriteString(s[:end])
			s = s[end:]
			continue
		}
		if end < 0 {
			end = len(s)
		}
		w := s[:end]
		if strings.ContainsFunc(w, lookalikeScript) && strings.ContainsFunc(w, func(r rune) bool { return unicode.Is(unicode.Latin, r) }) {
			w = r.Replace(w)
		}
		b.WriteString(w)
		s = s[end:]
	}
	return b.String()
}

// MarkSplitIndexTokens are the words IndexTokens gave text before words
// ran across the spacing marks (Brahmic vowel signs: "भाई", "धमकी" gave
// nothing and "धमक"), when Fold still dropped every nonspacing mark: a
// tip indexed then holds them, and a search looks for them too. Nil where
// text holds no such mark (they are MarklessIndexTokens').
func MarkSplitIndexTokens(text string) []string {
	folded := foldMarkless(decodePunycode(text))
	if !hasMark(folded) {
		return nil
	}
	return withoutStopwords(markSplitTokens(folded, maxIndexTokens, true))
}

// MarklessIndexTokens are the words IndexTokens gave text before Fold
// kept the nonspacing marks of Brahmic scripts ("मेरा" was "मरा", "है"
// was too short to keep): a tip indexed then holds them, and a search
// looks for them too. Nil where they are IndexTokens'.
func MarklessIndexTokens(text string) []string {
	if !HasSpeltScript(text) {
		return nil // most text: no second fold
	}
	past := withoutStopwords(tokens(foldMarkless(decodePunycode(text)), maxIndexTokens, true))
	if slices.Equal(past, IndexTokens(text)) {
		return nil
	}
	return past
}

// PastIndexTokens are the words earlier versions of IndexTokens gave
// text: before Fold kept Brahmic nonspacing marks (MarklessIndexTokens),
// before words ran across spacing marks (MarkSplitIndexTokens), and
// before punycode was read decoded (xn, e1afmkfd, ...). A tip indexed
// then holds them, and a purge must take them out too. Nil where text
// holds neither a Brahmic mark nor punycode (they are IndexTokens').
func PastIndexTokens(text string) []string {
	past := append(MarklessIndexTokens(text), MarkSplitIndexTokens(text)...)
	past = append(past, LookalikeIndexTokens(text)...)
	if hasPunycode(text) {
		past = append(past, withoutStopwords(markSplitTokens(foldMarkless(text), maxIndexTokens, true))...)
	}
	return past
}

// PunycodeIndexTokens are the words IndexTokens gave a query's host
// names written in punycode, as a tip may have written them, before
// punycode was read decoded (6458740): a tip indexed then with
// "xn--e1afmkfd.xn--p1ai" holds "xn", "e1afmkfd" and "p1ai", which a
// search for "пример.рф", or for "xn--e1afmkfd.xn--p1ai" (read decoded
// now), must look up. Only host names (labels joined by full stops) are
// written in punycode: a word alone is not looked up so. Nil where the
// query names no such host. Then Fold still dropped every nonspacing mark
// (foldMarkless: "पत्नी" was "पतन", not cut at its virama too).
func PunycodeIndexTokens(query string) []string {
	text := query
	if !isASCII(text) {
		text = hostName.ReplaceAllStringFunc(text, punycodeHost)
	}
	if !hasPunycode(text) {
		return nil
	}
	return withoutStopwords(markSplitTokens(foldMarkless(text), maxIndexTokens, true))
}

// hostName finds what may be a host name: labels of letters, marks,
// digits and hyphens joined by full stops.
var hostName = regexp.MustCompile(`[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)+`)

// punycodeHost writes host's labels that are not ASCII in punycode,
// where IDNA's lookup profile encodes them.
func punycodeHost(host string) string {
	labels := strings.Split(host, ".")
	for i, l := range labels {
		if isASCII(l) {
			continue
		}
		if a, err := idna.Lookup.ToASCII(strings.ToLower(l)); err == nil {
			labels[i] = a
		}
	}
	return strings.Join(labels, ".")
}

// withoutStopwords drops the stop words of all, in place.
func withoutStopwords(all []string) []string {
	out := all[:0]
	for _, t := range all {
		if !stopwords[t] {
			out = append(out, t)
		}
	}
	return out
}

// punycodeLabel finds a host name's label written in punycode.
var punycodeLabel = regexp.MustCompile(`(?i)\bxn--[a-z0-9-]+`)

// decodePunycode writes each punycode label of text decoded, where it
// decodes.
func decodePunycode(text string) string {
	if !hasPunycode(text) {
		return text // most text: no allocation
	}
	return punycodeLabel.ReplaceAllStringFunc(text, func(label string) string {
		if u, err := idna.Lookup.ToUnicode(strings.ToLower(label)); err == nil {
			return u
		}
		return label
	})
}

// hasPunycode says whether text holds "xn--" in any case.
func hasPunycode(text string) bool {
	for i := 0; i+4 <= len(text); i++ {
		if text[i]|0x20 == 'x' && text[i+1]|0x20 == 'n' && text[i+2] == '-' && text[i+3] == '-' {
			return true
		}
	}
	return false
}
