package tips

import (
	"strconv"
	"strings"
	"testing"
)

// BenchmarkApostropheFloods_receipts is receiptCandidates, and the cut
// of a known code wherever it is, on 64 kB floods of the apostrophe's
// look-alikes (apostrophe), which open and close a code's groups
// (wrappedAt reads from each) and are read back for an elided word
// (elision), against prose and the same floods with "'".
func BenchmarkApostropheFloods_receipts(b *testing.B) {
	const size = 65536
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ name, unit string }{
		{"prose", benchTip + "\n"},
		{"ascii-groups", "'A'-'1'-"},
		{"modifier-groups", "ʼAʼ-ʼ1ʼ-"},
		{"acute-groups", "´A´ ´1´ "},
		{"ascii-run", "'"},
		{"modifier-run", "ʼ"},
		{"prime-letters", "l′a′"},
		{"ascii-elided-code", "dell'" + code + "' "},
		{"modifier-elided-code", "dellʼ" + code + "ʼ "},
		{"fullwidth-glued-code", "codigo＇" + code + "＇ "},
	} {
		s := strings.Repeat(tc.unit, size/len(tc.unit)+1)[:size]
		b.Run("scan/"+tc.name+"/"+strconv.Itoa(size), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				receiptCandidates([]string{s})
			}
		})
		b.Run("cut/"+tc.name+"/"+strconv.Itoa(size), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				if _, _, err := CutReceipts([]string{s}, knowsOnly(code)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
