package tips

import (
	"strconv"
	"strings"
	"testing"
)

// BenchmarkReceiptLinkPunctuation is receiptCandidates on texts built to
// make the reading of a code's piece before a link set off by
// punctuation or brackets run at every word ("A1? ", "? ", each word a
// link's, as it holds "?"; "A1) x/A/1 "; groups in brackets or
// backquotes before links), against prose of the same length: 4,096
// characters (a Telegram message) and 64 kB (Discord, a draft joined
// through CutReceiptsAcross). Read each as a ratio to prose of its size
// in the same run.
func BenchmarkReceiptLinkPunctuation(b *testing.B) {
	for _, size := range []int{4096, 65536} {
		for _, tc := range []struct{ name, unit string }{
			{"prose", benchTip + "\n"},
			{"questions", "? "},
			{"code-questions", "A1? "},
			{"question-links", "A1? x/A1/A1/A1/A1 "},
			{"period-links", "AB12. https://x.example/a/b "},
			{"closer-links", "A1) x/A/1 "},
			{"bracket-links", "[AB12]-[CD34]-[EF56] https://x.example/?c=GH78 "},
			{"backquote-links", "`A1` `B2` `C3` `D4` https://x.example/?c=`E5` "},
			{"spaced-closer-links", "A1 -" + strings.Repeat(" ", 40) + "-) x/1 "},
			{"question-slash-links", "? x/1 "},
			{"digit-slash-links", "1 x/1 "},
		} {
			s := strings.Repeat(tc.unit, size/len(tc.unit)+1)[:size]
			b.Run(tc.name+"/"+strconv.Itoa(size), func(b *testing.B) {
				b.SetBytes(int64(len(s)))
				b.ReportAllocs()
				for b.Loop() {
					receiptCandidates([]string{s})
				}
			})
		}
	}
}
