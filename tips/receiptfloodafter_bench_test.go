package tips

import (
	"strconv"
	"strings"
	"testing"
)

// BenchmarkFloodsThenCode_receipts is CutReceipts (the lookup answered
// at once) of prose and of floods of code-like words (floodUnits), 4,096
// characters and 64 kB, each ending in a receipt code: the floods' cost
// against prose's of the same size in the same run. ("cut" is 1 where
// the code is cut.)
func BenchmarkFloodsThenCode_receipts(b *testing.B) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, size := range []int{4096, 64 << 10} {
		for _, unit := range append([]string{benchTip + "\n"}, floodUnits...) {
			tail := " mi código " + code
			in := strings.Repeat(unit, (size-len(tail))/len([]rune(unit))+1)
			if size == 4096 {
				in = string([]rune(in)[:size-len(tail)])
			} else {
				in = strings.ToValidUTF8(in[:size-len(tail)], "")
			}
			in += tail
			name := unit
			if unit == benchTip+"\n" {
				name = "prose"
			}
			b.Run(strconv.Quote(name)+"/"+strconv.Itoa(size), func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				cut := 0.0
				for b.Loop() {
					out, _, _ := CutReceipts([]string{in}, knowsOnly(code))
					if !strings.Contains(out[0], "9XMA") {
						cut = 1
					}
				}
				b.ReportMetric(cut, "cut")
			})
		}
	}
}
