package tips

import (
	"strings"
	"testing"
)

// BenchmarkReceiptStrayFloods is receiptCandidates on 4,096-character
// messages of words read with stray characters against a code's shape:
// accented words before one shown with dashes ("número"), four before
// one with some of its dashes ("abcd…-R2TP-…"), their mixes, and prose
// and a run of four-letter words for what a message without them pays.
func BenchmarkReceiptStrayFloods(b *testing.B) {
	flood := func(word func(i int) string) string {
		var s strings.Builder
		for i := 0; len([]rune(s.String())) < 4096-25; i++ {
			s.WriteString(word(i))
		}
		return s.String()
	}
	letter := func(i int) string { return string(rune('A' + i%26)) }
	for _, tc := range []struct {
		name string
		text string
	}{
		{"accented", flood(func(i int) string { return "número" + letter(i) + "9NW-HA9P-R2TP-4WZ" + letter(i/26) + " " })},
		{"accented-after", flood(func(i int) string { return "ñ" + letter(i) + "9NWHA9PR2TP4WZ" + letter(i/26) + "éú " })},
		{"mixed", flood(func(i int) string { return "abcd" + letter(i) + "9NWHA9P-R2TP-4WZ" + letter(i/26) + " " })},
		{"mixed-end", flood(func(i int) string { return "abcd" + letter(i) + "9NWHA9PR2TP-4WZ" + letter(i/26) + " " })},
		// Underscores, which part words as other punctuation does: codes
		// shown wrapped in them ("_K7QD-…_", markdown italics), one
		// snake_case word of four-character groups (a reading at each),
		// stray words joined by them, a run of them (a wrapper's opener
		// at each), and a character between each two (a word at each,
		// read spelled out, as with spaces: "A 1 A 1 …").
		{"underscored", flood(func(i int) string { return "__" + letter(i) + "9NW-HA9P-R2TP-4WZ" + letter(i/26) + "__ " })},
		{"snake", flood(func(i int) string { return letter(i) + "9N" + letter(i/26) + "_" })},
		{"snake-strays", flood(func(i int) string { return "abcd" + letter(i) + "9NWHA9P-R2TP-4WZ" + letter(i/26) + "_xy_" })},
		{"underscores", strings.Repeat("_", 4096)},
		{"spelled-underscored", strings.Repeat("A_1_", 1024)},
		{"spelled-spaced", strings.Repeat("A 1 ", 1024)},
		{"prose", strings.Repeat(benchTip+"\n", 15)},
		{"four-letter", strings.Repeat("para esta casa bien AB12 ", 164)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			var codes []string
			for b.Loop() {
				_, codes = receiptCandidates([]string{tc.text})
			}
			b.ReportMetric(float64(len(codes)), "codes")
		})
	}
}
