package tips

import (
	_ "embed"
	"math"
	"strings"
)

// testdata/classify.tsv is the labelled set the lexicon was built from; a naive Bayes
// model learned from it complements the lexicon with the words people
// actually use. The held-out set in testdata is never used for training.
//
//go:embed testdata/classify.tsv
var trainTSV string

// bayes is a multinomial naive Bayes model over folded tokens.
type bayes struct {
	logPrior map[Category]float64
	logLike  map[Category]map[string]float64
	unseen   map[Category]float64
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
		for _, t := range Tokens(cols[2]) {
			counts[c][t]++
			totals[c]++
			vocab[t] = true
		}
	}
	b := &bayes{logPrior: map[Category]float64{}, logLike: map[Category]map[string]float64{}, unseen: map[Category]float64{}}
	v := float64(len(vocab))
	for c := range docs {
		b.logPrior[c] = math.Log(docs[c] / n)
		b.logLike[c] = map[string]float64{}
		for t, k := range counts[c] {
			b.logLike[c][t] = math.Log((k + 1) / (totals[c] + v))
		}
		b.unseen[c] = math.Log(1 / (totals[c] + v))
	}
	return b
}

// posteriors returns P(category | text) under the model, given the text's
// tokens.
func (b *bayes) posteriors(toks []string) map[Category]float64 {
	logp := map[Category]float64{}
	best := math.Inf(-1)
	for c, prior := range b.logPrior {
		s := prior
		for _, t := range toks {
			if l, ok := b.logLike[c][t]; ok {
				s += l
			} else {
				s += b.unseen[c]
			}
		}
		logp[c] = s
		best = max(best, s)
	}
	sum := 0.0
	for c := range logp {
		logp[c] = math.Exp(logp[c] - best)
		sum += logp[c]
	}
	for c := range logp {
		logp[c] /= sum
	}
	return logp
}
