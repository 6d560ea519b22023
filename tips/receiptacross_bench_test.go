package tips

import (
	"strconv"
	"strings"
	"testing"
)

// BenchmarkCutAcrossManyParts_receipts is cutAcrossCandidates (the
// lookup made, every code a tip's) on drafts of n parts, a code pasted
// in two goes across each two of them ("… K7QD-9XMA", then "R2TP-4WZN
// …"), some of them wrapped («…»), in short parts and in parts of 4 kB:
// time must grow with the parts, not their square.
func BenchmarkCutAcrossManyParts_receipts(b *testing.B) {
	for _, n := range []int{30, 300, 3000} {
		for _, size := range []int{40, 4 << 10} {
			parts := make([]string, n)
			for i := range parts {
				filler := strings.Repeat("hola ", size/5)[:size-30]
				if i%2 == 0 {
					parts[i] = "R2TP-4WZN " + filler + " «K7QD-9XMA"
				} else {
					parts[i] = "R2TP-4WZN» " + filler + " K7QD-9XMA"
				}
			}
			cands, codes, starts := acrossCandidates(parts)
			known := make([]bool, len(codes))
			for i := range known {
				known[i] = true
			}
			b.Run(strconv.Itoa(n)+"x"+strconv.Itoa(size), func(b *testing.B) {
				for b.Loop() {
					if _, cut := cutAcrossCandidates(parts, cands, starts, known); !cut {
						b.Fatal("nothing cut")
					}
				}
			})
		}
	}
}

// BenchmarkAcrossCandidatesManyParts_receipts is acrossCandidates on
// the drafts BenchmarkCutAcrossManyParts_receipts cuts: finding which
// code-like words cross from one part into another must grow with the
// parts, not their square.
func BenchmarkAcrossCandidatesManyParts_receipts(b *testing.B) {
	for _, n := range []int{30, 300, 3000} {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "R2TP-4WZN AB12 CD34 EF56 K7QD-9XMA"
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if cands, _, _ := acrossCandidates(parts); len(cands) == 0 {
					b.Fatal("nothing across")
				}
			}
		})
	}
}
