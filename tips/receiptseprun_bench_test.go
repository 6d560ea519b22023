package tips

import (
	"strings"
	"testing"
)

// BenchmarkReceiptSeparatorRuns is receiptCandidates on 4,096-character
// messages of runs of spaces, line breaks and quote markers ("\n> ", as
// a quoted mail has them), which a code's reading takes as one separator
// however long: floods of them alone, a group of a code-like word
// between each two, and a character between each two (a word at each,
// read spelled out), the runs short and long.
func BenchmarkReceiptSeparatorRuns(b *testing.B) {
	fill := func(unit string) string {
		return strings.Repeat(unit, 4096/len([]rune(unit)))
	}
	for _, tc := range []struct {
		name string
		text string
	}{
		{"spaces", fill(" ")},
		{"newlines", fill("\n")},
		{"quotes", fill("\n>")},
		{"quotes-nested", fill("\n>> ")},
		{"groups-spaces", fill("AB12    ")},
		{"groups-newlines", fill("AB12\n\n\n\n")},
		{"groups-quoted", fill("AB12-\n> ")},
		{"spelled-spaces", fill("A   1   ")},
		{"spelled-quoted", fill("A\n> 1\n> ")},
		{"spelled-long-spaces", fill("A" + strings.Repeat(" ", 15) + "1" + strings.Repeat(" ", 15))},
		{"spelled-long-quoted", fill("A" + strings.Repeat("\n>", 8) + "1" + strings.Repeat("\n>", 8))},
		{"spelled-over-256", fill("A" + strings.Repeat(" ", 20) + "1" + strings.Repeat("\n", 20))},
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
