package tips

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The labelled set in testdata (four languages, the region's slang) is the
// classifier's yardstick: per-category precision and recall are reported,
// and the test fails below a macro-F1 of 0.75.
func TestClassifierQuality(t *testing.T) {
	// classify.tsv (274 tips) was used to extend the lexicon and must reach
	// a macro-F1 of 0.75. classify_holdout.tsv was written separately and
	// its tips were never read while tuning, so its figure is the honest
	// estimate of new tips (0.74 when written); it guards against
	// regressions at 0.65.
	for _, set := range []struct {
		path  string
		min   int
		floor float64
	}{{"testdata/classify.tsv", 200, 0.75}, {"testdata/classify_holdout.tsv", 150, 0.65}} {
		t.Run(set.path, func(t *testing.T) { evaluate(t, set.path, set.min, set.floor) })
	}
}

func evaluate(t *testing.T, path string, minTips int, floor float64) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tp, fp, fn := map[Category]int{}, map[Category]int{}, map[Category]int{}
	langs := map[string]int{}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 {
			t.Fatalf("line %d: %d columns", n+1, len(cols))
		}
		want := Category(cols[1])
		got, _ := Classify(cols[2])
		n++
		langs[cols[0]]++
		if got == want {
			tp[want]++
		} else {
			fp[got]++
			fn[want]++
			if testing.Verbose() && os.Getenv("VIGIA_SHOW_MISSES") != "" {
				t.Logf("miss (%s) want %s got %s: %s", cols[0], want, got, cols[2])
			}
		}
	}
	if n < minTips || len(langs) != 4 {
		t.Fatalf("labelled set too small: %d tips in %d languages", n, len(langs))
	}
	macro := 0.0
	for _, c := range Categories {
		p, r := ratio(tp[c], tp[c]+fp[c]), ratio(tp[c], tp[c]+fn[c])
		f1 := 0.0
		if p+r > 0 {
			f1 = 2 * p * r / (p + r)
		}
		macro += f1 / float64(len(Categories))
		t.Logf("%-12s precision %.2f recall %.2f F1 %.2f", c, p, r, f1)
	}
	t.Logf("macro-F1 %.3f over %d tips", macro, n)
	if macro < floor {
		t.Fatalf("macro-F1 %.3f is below %.2f", macro, floor)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// lexiconScoresBySubstring is how the lexicon was first applied: a
// substring search per phrase. The compiled matcher must agree with it.
func lexiconScoresBySubstring(text string) map[Category]float64 {
	t := " " + strings.Join(classifyWords(Fold(text)), " ") + " "
	scores := map[Category]float64{}
	for _, cat := range Categories {
		for phrase, w := range lexicon[cat] {
			if stem, ok := strings.CutSuffix(phrase, "*"); ok {
				if strings.Contains(t, " "+stem) {
					scores[cat] += w
				}
			} else if strings.Contains(t, " "+phrase+" ") {
				scores[cat] += w
			}
		}
	}
	return scores
}

func FuzzLexiconMatcher(f *testing.F) {
	for _, s := range []string{"cobran derecho de piso a los tenderos", "nao deu noticias desde sexta", "ak 47 y cuernos de chivo",
		"pot-de-vin au maire", "they can't leave the house", "mat matar matan", "Me dijeron: «pagar o…»"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, want := lexiconScores(classifyWords(Fold(text))), lexiconScoresBySubstring(text)
		for i, c := range Categories {
			if math.Abs(got[i]-want[c]) > 1e-9 {
				t.Fatalf("%q: %s scores %v, substring search %v", text, c, got[i], want[c])
			}
		}
	})
}

// The compiled matcher agrees with substring search on every labelled tip.
func TestLexiconMatcherAgrees(t *testing.T) {
	for _, file := range []string{"testdata/classify.tsv", "testdata/classify_holdout.tsv"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			cols := strings.Split(line, "\t")
			text := cols[len(cols)-1]
			got, want := lexiconScores(classifyWords(Fold(text))), lexiconScoresBySubstring(text)
			for i, c := range Categories {
				if math.Abs(got[i]-want[c]) > 1e-9 {
					t.Fatalf("%q: %s scores %v, substring search %v", text, c, got[i], want[c])
				}
			}
		}
	}
}

// French "traité" (treated, a treaty) and Spanish "se trata de" (it is
// about) are no trafficking, though they fold to or hold its words
// ("traite", "trata"); "traite des êtres humains" and "trata de personas"
// still are.
func TestTreatedIsNoTrafficking(t *testing.T) {
	for text, want := range map[string]Category{
		"Le dossier a été traité par la mairie hier":                 Other,
		"Le dossier a été TRAITÉ par la mairie hier":                 Other,
		"Le dossier a été traite\u0301 par la mairie hier":           Other,
		"La plainte a été traitée, les dossiers traités":             Other,
		"se trata de un robo en la tienda":                           Other,
		"c'est de la traite des êtres humains, elles sont enfermées": Trafficking,
		"réseau de traite dans le quartier":                          Trafficking,
		"la traite des êtres humains, le dossier a été traité":       Trafficking,
		"es trata de personas, las tienen encerradas":                Trafficking,
		"se trata de trata de personas en el bar":                    Trafficking,
	} {
		if got, _ := Classify(text); got != want {
			t.Errorf("%q: %s, want %s", text, got, want)
		}
	}
}

// A long draft of numbered parts ("parte N de muchas", 30 of them, joined
// as Content.Text joins parts) suggests no category: its numbers are one
// piece of evidence, not thirty (the labelled set holds a few ages and
// dates once each, and each weighed as a word of a missing person's tip).
// A real tip with numbers is still read.
// Mutation: evidence returning the tokens as they are → "parte N de
// muchas" is suggested as Missing.
func TestNumberedPartsSuggestNoCategory(t *testing.T) {
	var parts, numbers []string
	for i := 1; i <= 30; i++ {
		parts = append(parts, "parte "+strconv.Itoa(i)+" de muchas")
		numbers = append(numbers, strconv.Itoa(i*7))
	}
	for _, text := range []string{strings.Join(parts, "\n\n"), strings.Join(numbers, " ")} {
		if got, conf := Classify(text); got != Other || conf != 0 {
			t.Errorf("%q… suggested %s (%.2f), want other", text[:30], got, conf)
		}
	}
	if got, _ := Classify("mi hermana de 14 años desapareció el 22 de marzo, 19 días sin saber de ella"); got != Missing {
		t.Errorf("missing person with numbers: %s", got)
	}
}
