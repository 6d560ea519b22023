package tips

import (
	"strings"
	"testing"
)

// Past maxReceiptSpans, repeatsRead finds each byte of a text repeated at
// most once for each length of a period (maxLonePeriod of them), however
// the text repeats: also where it repeats with one period ("A A A A A A
// A B ", sixteen bytes) and, over a few words, with shorter ones, which
// it tries first at every word. Before, it remembered one period for
// them all: trying the shorter ones made it forget the long one, found
// again at every word up to loneReach periods on, some 1,000 bytes, and
// 64 kB of them cost ten times a flood of "A 1 "
// (BenchmarkFloodsThenCode_receipts).
// Mutation: one period remembered for every length (as before) -> the
// first two floods find 190 to 370 times their length repeated.
func TestFloodRepeatsAreComparedOnce_receipts(t *testing.T) {
	defer func(f func(int)) { periodRead = f }(periodRead)
	for _, unit := range []string{
		strings.Repeat("A ", 7) + "B ",
		strings.Repeat("A 1 ", 3) + "B 2 ",
		strings.Repeat("Ⓐ ", 7) + "Ⓑ ",
		"A 1 ",
		strings.Repeat("A B C D ", 15) + "E F G H ",
	} {
		for _, size := range []int{4096, 64 << 10} {
			s := strings.Repeat(unit, size/len(unit))
			read := 0
			periodRead = func(n int) { read += n }
			receiptSpansBefore(s, true, len(s), maxReceiptSpans)
			if read > maxLonePeriod*len(s) {
				t.Errorf("%d bytes of %q: %d bytes found repeated, more than %d", len(s), unit, read, maxLonePeriod*len(s))
			}
		}
	}
}
