package tips

import (
	_ "embed"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// testdata/classify.tsv is the labelled set the lexicon was built from; a naive Bayes
// model learned from it complements the lexicon with the words people
// actually use. The held-out set in testdata is never used for training.
//
//go:embed testdata/classify.tsv
var trainTSV string

// bayes is a multinomial naive Bayes model over folded tokens: for each
// category in cats, its log prior, the log likelihood of each token seen in
// training (one map lookup per token gives every category's), and that of
// a token it never saw; at holds each category's index in Categories.
type bayes struct {
	cats     []Category
	at       []int
	logPrior []float64
	logLike  map[string][]float64
	unseen   []float64
}

var model = trainBayes(trainTSV)

func trainBayes(tsv string) *bayes {
	counts := map[Category]map[string]float64{}
	totals := map[Category]float64{}
	docs := map[Category]float64{}
	vocab := map[string]bool{}
	n := 0.0
	for _, line := range strings.Split(tsv, "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			continue
		}
		c := Category(cols[1])
		if counts[c] == nil {
			counts[c] = map[string]float64{}
		}
		docs[c]++
		n++
		for _, t := range evidence(Tokens(cols[2])) {
			counts[c][t]++
			totals[c]++
			vocab[t] = true
		}
	}
	b := &bayes{logLike: map[string][]float64{}}
	v := float64(len(vocab))
	for i, c := range Categories { // a fixed order: sums are reproducible
		if docs[c] == 0 {
			continue
		}
		b.cats = append(b.cats, c)
		b.at = append(b.at, i)
		b.logPrior = append(b.logPrior, math.Log(docs[c]/n))
		b.unseen = append(b.unseen, math.Log(1/(totals[c]+v)))
	}
	for t := range vocab {
		l := make([]float64, len(b.cats))
		for i, c := range b.cats {
			l[i] = math.Log((counts[c][t] + 1) / (totals[c] + v))
		}
		b.logLike[t] = l
	}
	return b
}

// posteriors returns P(category | text) under the model, given the text's
// tokens, per category in the order of Categories.
func (b *bayes) posteriors(toks []string) []float64 {
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
	return b.posteriorsOf(logp)
}

// posteriorsFolded is posteriors(foldedTokens(folded)): the same tokens
// weighed in the same order, read from folded text as words reads it,
// without the lists of words, tokens and evidence it made a tip (a fifth
// of Classify's time, most of its allocations).
func (b *bayes) posteriorsFolded(folded string) []float64 {
	logp := append([]float64(nil), b.logPrior...)
	seen := seenPool.Get().(map[string]struct{})
	kept, number := 0, false
	weigh := func(w string) bool {
		// splitTokens' rules (cut false): two to maxWordRunes characters,
		// each once, at most maxTokens of them; then evidence's: every
		// number one token, numberToken.
		if n := utf8.RuneCountInString(w); n < 2 || n > maxWordRunes {
			return true
		}
		if _, ok := seen[w]; ok {
			return true
		}
		seen[w] = struct{}{}
		t := w
		if strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			t = numberToken
			if number {
				t = ""
			}
			number = true
		}
		if t != "" {
			l, ok := b.logLike[t]
			if !ok {
				l = b.unseen
			}
			for i := range logp {
				logp[i] += l[i]
			}
		}
		kept++
		return kept < maxTokens
	}
	start := -1 // where the current word starts, or -1, as in words
	for i, r := range folded {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		case start >= 0 && (unicode.Is(unicode.Mc, r) || speltMark(r)):
		default:
			if start >= 0 {
				if !weigh(folded[start:i]) {
					start = -2
				} else {
					start = -1
				}
			}
		}
		if start == -2 {
			break
		}
	}
	if start >= 0 {
		weigh(folded[start:])
	}
	clear(seen) // at most maxTokens strings of folded: no longer held
	seenPool.Put(seen)
	return b.posteriorsOf(logp)
}

// seenPool holds posteriorsFolded's sets of the tokens seen.
var seenPool = sync.Pool{New: func() any { return make(map[string]struct{}, 64) }}

// numberToken stands, in the model, for every number of a text: one
// piece of evidence however many it holds.
const numberToken = "0"

// evidence returns a text's distinct tokens as the model weighs them: its
// numbers ("14", "2024", the groups of a phone number) as one token,
// numberToken, whatever they are and however many. The labelled set holds
// each of a few ages and dates once, and each weighed as a word of its
// tip's category: a draft of 30 parts numbered "parte N de muchas" was
// suggested as a missing person.
func evidence(toks []string) []string {
	out := make([]string, 0, len(toks))
	number := false
	for _, t := range toks {
		if strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			out = append(out, t)
		} else if !number {
			number = true
			out = append(out, numberToken)
		}
	}
	return out
}

// posteriorsOf turns the classes' log scores logp (overwritten) into
// each category's posterior probability.
func (b *bayes) posteriorsOf(logp []float64) []float64 {
	best := math.Inf(-1)
	for _, s := range logp {
		best = max(best, s)
	}
	sum := 0.0
	for i := range logp {
		logp[i] = math.Exp(logp[i] - best)
		sum += logp[i]
	}
	post := make([]float64, len(Categories))
	for i, at := range b.at {
		post[at] = logp[i] / sum
	}
	return post
}
