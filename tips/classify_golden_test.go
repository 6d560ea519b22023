package tips

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// classifyGolden holds, for each of goldenTexts, the category and the
// exact confidence Classify gave when it was recorded (before the
// classifier was made cheaper per message, stop 35): a change meant only
// for speed must not move a single suggestion nor a bit of a confidence.
// VIGIA_UPDATE_GOLDEN=1 records it again, after a change meant to move it.
const classifyGolden = "testdata/classify.golden"

// goldenTexts are the labelled tips of both sets, each also in capitals,
// all of them in one long text (over maxTokens distinct words), and texts
// that take the classifier's other paths: French "traité", Spanish "se
// trata de", numbered parts, scripts Fold reads the slow way.
func goldenTexts(t *testing.T) []string {
	var texts, all []string
	for _, file := range []string{"testdata/classify.tsv", "testdata/classify_holdout.tsv"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			cols := strings.Split(line, "\t")
			text := cols[len(cols)-1]
			texts = append(texts, text, strings.ToUpper(text))
			all = append(all, text)
		}
	}
	var parts []string
	for i := 1; i <= 30; i++ {
		parts = append(parts, "parte "+strconv.Itoa(i)+" de muchas")
	}
	return append(texts, strings.Join(all, "\n\n"), benchTip, strings.Repeat(benchTip+"\n", 16),
		strings.Join(parts, "\n\n"), "Le dossier a été traité par la mairie, la traite des êtres humains continue",
		"se trata de trata de personas en el bar", "मेरा भाई लापता है, पुलिस रिश्वत लेती है cobran piso",
		"Вымогают деньги: cobrаn pisо a los tenderos", "", "   ", "pot-de-vin au maire; they can't leave",
		"mat matar matan 14 2024 +52 55 1234 5678")
}

func TestClassifyMatchesGolden(t *testing.T) {
	var got strings.Builder
	for _, text := range goldenTexts(t) {
		c, conf := Classify(text)
		fmt.Fprintf(&got, "%s\t%s\n", c, strconv.FormatFloat(conf, 'g', -1, 64))
	}
	if os.Getenv("VIGIA_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(classifyGolden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(classifyGolden)
	if err != nil {
		t.Fatal(err)
	}
	g, w := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
	if len(g) != len(w) {
		t.Fatalf("%d results, golden has %d", len(g), len(w))
	}
	texts := goldenTexts(t)
	for i := range g {
		if g[i] != w[i] {
			t.Errorf("text %d (%.40q): %s, golden %s", i, texts[i], g[i], w[i])
		}
	}
}

// Words of a text without a word, and Tokens of one without a word of two
// characters, are nil, as they were before they allocated up front:
// callers may encode or compare them.
func TestNoWordsIsNil(t *testing.T) {
	for _, text := range []string{"", "   ", "!!! ¿?", "a b c"} {
		if w := Words(text); w != nil && !strings.Contains(text, "a") {
			t.Errorf("Words(%q) = %#v, want nil", text, w)
		}
		if tok := Tokens(text); tok != nil {
			t.Errorf("Tokens(%q) = %#v, want nil", text, tok)
		}
	}
}
