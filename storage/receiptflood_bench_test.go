package storage_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// BenchmarkReceiptsKnownFlood_rev5 is what a text of distinct
// four-character words ("A000 B000 …", each run of four a different
// code), a receipt code at its end, costs to cut against a real Redis
// (CutReceipts asking ReceiptsKnown, MaxReceiptCandidates at a time): 4,096
// characters, a message's most, and 20,000 and 64 kB, which only a
// message's links joined to it, or a draft's parts joined, reach.
// "codes" and "lookups" are what Redis is asked per text.
func BenchmarkReceiptsKnownFlood_rev5(b *testing.B) {
	st, _ := storeOn(b, redistest.Start(b).Client())
	ctx := context.Background()
	const alpha = "ABCDEFGHJKMNPQRSTVWXYZ0123456789"
	for _, size := range []int{4096, 20000, 64 << 10} {
		var w strings.Builder
		for i := 0; w.Len() < size; i++ {
			fmt.Fprintf(&w, "%c%c%c%c ", alpha[i%32], alpha[i/32%32], alpha[i/1024%32], '0'+i%10)
		}
		text := w.String()[:size] + " K7QD-9XMA-R2TP-4WZN"
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			lookups, codes := 0, 0
			for b.Loop() {
				lookups, codes = 0, 0
				if _, _, err := tips.CutReceipts([]string{text}, func(c []string) ([]bool, error) {
					lookups, codes = lookups+1, codes+len(c)
					return st.ReceiptsKnown(ctx, c)
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(lookups), "lookups")
			b.ReportMetric(float64(codes), "codes")
		})
	}
}
