package tips

import (
	"strconv"
	"strings"
	"testing"
)

// BenchmarkReceiptFloods_receipts is receiptCandidates on hostile floods
// ("? x/1 ", "1 x/1 " before links at every word; "`" then ideographic
// spaces, 256 kB; words of one character, 64 kB, that repeat with
// sixteen bytes and over a few words with two: repeatsRead) against
// prose of the same size in the same run.
func BenchmarkReceiptFloods_receipts(b *testing.B) {
	for _, tc := range []struct {
		name, unit string
		size       int
	}{
		{"prose", benchTip + "\n", 4096},
		{"question-slash-links", "? x/1 ", 4096},
		{"digit-slash-links", "1 x/1 ", 4096},
		{"prose", benchTip + "\n", 262144},
		{"backquote-wide", "`" + strings.Repeat("\u3000", 100), 262144},
		{"backquote-wide-text", "`\u3000texto\u3000", 262144},
		{"prose", benchTip + "\n", 65536},
		{"alone-A-1", "A 1 ", 65536},
		{"alone-repeat-broken", strings.Repeat("A ", 7) + "B ", 65536},
	} {
		s := strings.Repeat(tc.unit, tc.size/len(tc.unit)+1)[:tc.size]
		b.Run(tc.name+"/"+strconv.Itoa(tc.size), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				receiptCandidates([]string{s})
			}
		})
	}
}

// A message of the same short link over and over ("? x/1 ? x/1 …",
// "1 x/1 …", each word a link's, 4,096 characters) reads across its
// links once for each different reading, not again at each link (24-66
// times what prose costs, BenchmarkReceiptFloods_receipts), and reads
// the same codes (FuzzLinkSpansAsBefore). Mutation: maxLinksAcross 0
// (no reading kept for the links after it) -> hundreds of views.
func TestSameLinkOverAndOverIsReadAcrossOnce_receipts(t *testing.T) {
	defer func(f func(string)) { linkViewRead = f }(linkViewRead)
	for _, unit := range []string{"? x/1 ", "1 x/1 ", "A 1 x/1 "} {
		s := strings.Repeat(unit, 4096/len(unit))
		views := 0
		linkViewRead = func(string) { views++ }
		if spans := linkSpans(s); views > 16 {
			t.Errorf("%q…: %d codes read across its links in %d views of them, more than 16", unit, len(spans), views)
		}
	}
}

// receiptCandidates normalises each different code-like word of a text
// once, however many times the text reads it ("AB12 AB12 …", "? x/1 ? x/1
// …" read from each of its characters): some 800 normalisations of the
// same few strings were 41 % of such a flood's cost. Mutation: the
// normalised words not kept (each normalised again) -> hundreds.
func TestWordReadAgainIsNormalisedOnce_revreceipts(t *testing.T) {
	defer func(f func(string)) { wordNormalized = f }(wordNormalized)
	for _, unit := range []string{"AB12 ", "? x/1 ", "1 x/1 ", "K7QD-9XMA-R2TP-4WZN "} {
		s := strings.Repeat(unit, 4096/len(unit))
		words := map[string]bool{}
		for _, sp := range receiptSpansBefore(s, true, len(s), maxReceiptSpans) {
			words[s[sp[0]:sp[1]]] = true
		}
		normalized := map[string]int{}
		wordNormalized = func(w string) { normalized[w]++ }
		receiptCandidates([]string{s, s})
		if len(normalized) != len(words) {
			t.Errorf("%q…: %d different words normalised, want the %d read", unit, len(normalized), len(words))
		}
		for w, n := range normalized {
			if n > 1 {
				t.Errorf("%q…: %q normalised %d times, want once", unit, w, n)
			}
		}
	}
}
