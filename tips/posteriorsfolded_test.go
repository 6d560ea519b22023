package tips

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// posteriorsFolded, which reads the tokens as it goes, weighs
// exactly what posteriors(foldedTokens(folded)) weighs, in the same order
// (the same bits): on the labelled tips, folded and as typed, and on
// 20,000 random texts of words, numbers, marks, long words, invalid
// UTF-8 and more than maxTokens distinct words.
func TestPosteriorsFoldedIsPosteriorsOfTokens(t *testing.T) {
	same := func(folded string) {
		t.Helper()
		got, want := model.posteriorsFolded(folded), model.posteriors(foldedTokens(folded))
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("posteriorsFolded(%q)[%d] = %v, posteriors of its tokens %v", folded, i, got[i], want[i])
			}
		}
	}
	for _, s := range labelledTips(t) {
		same(Fold(s))
		same(s)
	}
	pieces := []string{"cobran", "piso", "extorsión", "de", "la", "a", "x", "14", "2024", "0", "7", "+52", "55-1234",
		"desaparecido", "se", "trata", "भाई", "मेरा", "দেওয়া", "hola\u20dd", "desapare\u0301cido", "\xff\xfe", "🙂", "𝒳𝔸",
		"l'homme", "pot-de-vin", "\u00a0", "\u200b", strings.Repeat("z", 40), strings.Repeat("é", 41), "matan", "armas"}
	seps := []string{" ", " ", "  ", ", ", ".\n", "-", "'", "\t", "\u3000", ""}
	r := rand.New(rand.NewPCG(43, 1))
	for n := range 20000 {
		var b strings.Builder
		words := r.IntN(60)
		if n%50 == 0 {
			words = 500 + r.IntN(400) // past maxTokens distinct words
		}
		for range words {
			if r.IntN(4) == 0 || words > 60 && r.IntN(4) != 0 {
				b.WriteString("w" + strconv.Itoa(r.IntN(2000)))
			} else {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
			b.WriteString(seps[r.IntN(len(seps))])
		}
		same(b.String())
		same(Fold(b.String()))
	}
}
