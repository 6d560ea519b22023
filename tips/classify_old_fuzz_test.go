package tips

import (
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The classifier and tokeniser as they were before they were made cheaper
// per message (stop 35, at e2cd180), kept here so that FuzzClassifyAsBefore
// holds the fast ones to exactly their output on any text, not only the
// golden texts.

func oldClassify(text string) (Category, float64) {
	folded := Fold(text)
	if strings.Contains(folded, "traite") {
		folded = Fold(treated.Replace(norm.NFC.String(strings.ToLower(text))))
	}
	words := oldClassifyWords(folded)
	for i := 1; i < len(words); i++ {
		if words[i] == "trata" && words[i-1] == "se" {
			words[i] = ""
		}
	}
	scores := oldLexiconScores(words)
	var best Category = Other
	var bestScore, total float64
	post := oldPosteriors(model, oldSplitTokens(oldWords(folded), maxTokens, false))
	for _, cat := range Categories {
		score := 3 * post[cat]
		if cat == Other {
			score = 0
		}
		score += scores[cat]
		total += score
		if score > bestScore {
			best, bestScore = cat, score
		}
	}
	if bestScore < 2 {
		return Other, 0
	}
	return best, bestScore / total
}

func oldClassifyWords(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool {
		return !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') && r != '\'' && r != '-' && r < 0x80
	})
}

type oldPhrase struct {
	id    int
	cat   Category
	w     float64
	words []string
	stem  bool
}

var oldCompiled = func() (c struct {
	byFirst                   map[string][]*oldPhrase
	stems                     map[string][]*oldPhrase
	n                         int
	shortestStem, longestStem int
}) {
	c.byFirst, c.stems = map[string][]*oldPhrase{}, map[string][]*oldPhrase{}
	for _, cat := range Categories {
		for text, w := range lexicon[cat] {
			stem, isStem := strings.CutSuffix(text, "*")
			p := &oldPhrase{id: c.n, cat: cat, w: w, words: strings.Split(stem, " "), stem: isStem}
			c.n++
			if isStem && len(p.words) == 1 {
				c.stems[stem] = append(c.stems[stem], p)
				if c.shortestStem == 0 || len(stem) < c.shortestStem {
					c.shortestStem = len(stem)
				}
				c.longestStem = max(c.longestStem, len(stem))
			} else {
				c.byFirst[p.words[0]] = append(c.byFirst[p.words[0]], p)
			}
		}
	}
	return c
}()

func oldLexiconScores(words []string) map[Category]float64 {
	scores := map[Category]float64{}
	seen := make([]bool, oldCompiled.n)
	hit := func(p *oldPhrase) {
		if !seen[p.id] {
			seen[p.id] = true
			scores[p.cat] += p.w
		}
	}
	for i, w := range words {
		for _, p := range oldCompiled.byFirst[w] {
			if oldPhraseAt(words[i:], p) {
				hit(p)
			}
		}
		for l := oldCompiled.shortestStem; l <= min(len(w), oldCompiled.longestStem); l++ {
			for _, p := range oldCompiled.stems[w[:l]] {
				hit(p)
			}
		}
	}
	return scores
}

func oldPhraseAt(words []string, p *oldPhrase) bool {
	return phraseAt(words, &phrase{words: p.words, stem: p.stem})
}

func oldPosteriors(b *bayes, toks []string) map[Category]float64 {
	logp := append([]float64(nil), b.logPrior...)
	for _, t := range evidence(toks) {
		l, ok := b.logLike[t]
		if !ok {
			l = b.unseen
		}
		for i := range logp {
			logp[i] += l[i]
		}
	}
	best := math.Inf(-1)
	for _, s := range logp {
		best = max(best, s)
	}
	sum := 0.0
	for i := range logp {
		logp[i] = math.Exp(logp[i] - best)
		sum += logp[i]
	}
	post := make(map[Category]float64, len(b.cats))
	for i, c := range b.cats {
		post[c] = logp[i] / sum
	}
	return post
}

func oldWords(folded string) []string {
	var out []string
	start := -1
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
	return out
}

func oldSplitTokens(words []string, max int, cut bool) []string {
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

// sameStrings is whether a and b hold the same strings, and are both nil
// or both not: callers encode and compare them.
func sameStrings(a, b []string) bool { return (a == nil) == (b == nil) && slices.Equal(a, b) }

// FuzzClassifyAsBefore holds Classify, its word splitting and lexicon
// scores, Words and the tokens of search and of the model to exactly what
// they gave before they were made cheaper, on any text: invalid UTF-8,
// 4-byte characters, marks, words longer than any stem or than
// maxWordRunes, "-" and "'", every kind of space; on the text as typed
// and, where Fold would clean it first, as it is.
func FuzzClassifyAsBefore(f *testing.F) {
	for _, s := range append(labelledTips(f),
		"desaparecidos desaparecidas desaparec desapare desap d", "disparitions recherches retrouvée sumidos fosas colectivos",
		"pot-de-vin can't l'homme -- '' -x x-", "\xff\xfe cobran\xc3 piso\xe2\x80 \xf0\x9f\x98", "🙂😀𝒳𝔸 sumi🙂do desaparec𝒳",
		"cobran\u00a0piso\u2003a\u3000los\u200btenderos\u2028\u2029\u0085\u1680\u205f\ufeff",
		"desapare\u0301cido se\u0308 tra\u0303ta भाई मेरा দেওয়া hola\u20dd",
		strings.Repeat("desaparecido", 40), strings.Repeat("a", 41)+" "+strings.Repeat("é", 45),
		"mat matar matan 14 2024 +52 55 1234 5678", "Le dossier a été traité; la traite continue", "se trata de trata de personas") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if c, conf := Classify(text); true {
			oc, oconf := oldClassify(text)
			if c != oc || math.Float64bits(conf) != math.Float64bits(oconf) {
				t.Fatalf("Classify(%q) = %s %v, before %s %v", text, c, conf, oc, oconf)
			}
		}
		for _, folded := range []string{Fold(text), text} {
			cw, ocw := classifyWords(folded), oldClassifyWords(folded)
			if !slices.Equal(cw, ocw) {
				t.Fatalf("classifyWords(%q) = %q, before %q", folded, cw, ocw)
			}
			scores, old := lexiconScores(cw), oldLexiconScores(ocw)
			for i, c := range Categories {
				if math.Float64bits(scores[i]) != math.Float64bits(old[c]) {
					t.Fatalf("lexiconScores(%q): %s %v, before %v", folded, c, scores[i], old[c])
				}
			}
			post, oldPost := model.posteriors(foldedTokens(folded)), oldPosteriors(model, oldSplitTokens(oldWords(folded), maxTokens, false))
			for i, c := range Categories {
				if math.Float64bits(post[i]) != math.Float64bits(oldPost[c]) {
					t.Fatalf("posteriors(%q): %s %v, before %v", folded, c, post[i], oldPost[c])
				}
			}
			w, ow := words(folded), oldWords(folded)
			if !sameStrings(w, ow) {
				t.Fatalf("words(%q) = %#v, before %#v", folded, w, ow)
			}
			for _, max := range []int{1, 3, maxTokens, maxIndexTokens} {
				for _, cut := range []bool{false, true} {
					if got, want := tokens(folded, max, cut), oldSplitTokens(oldWords(folded), max, cut); !sameStrings(got, want) {
						t.Fatalf("tokens(%q, %d, %v) = %#v, before %#v", folded, max, cut, got, want)
					}
					fields := strings.FieldsFunc(folded, isWordSeparator)
					if got, want := markSplitTokens(folded, max, cut), oldSplitTokens(fields, max, cut); !sameStrings(got, want) {
						t.Fatalf("markSplitTokens(%q, %d, %v) = %#v, before %#v", folded, max, cut, got, want)
					}
				}
			}
		}
	})
}

// labelledTips are the labelled tips of both sets, to fuzz from.
func labelledTips(tb testing.TB) []string {
	var out []string
	for _, file := range []string{"testdata/classify.tsv", "testdata/classify_holdout.tsv"} {
		b, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			cols := strings.Split(line, "\t")
			out = append(out, cols[len(cols)-1])
		}
	}
	return out
}
