package tips

import (
	"slices"
	"strings"
	"testing"
)

// A code set off by marks before a link whose address holds its last
// group ("`K7QD-9XMA-R2TP` https://…?c=4WZN"), with a long run of spaces
// just inside the opener (a pasted layout: 300 spaces, or wide ones), is
// cut as it was before 5fcb78e and f09c034: markedPieceEnd takes the
// opener before the run at once, two groups read, and does not walk the
// run (past linkReach, it found no opener: the code stayed in clear).
// Mutations: markedPieceEnd's inner-space case for any whole group
// (codes%4 == 0, as 5fcb78e had it) -> every case fails; its look for an
// opener within reach starting inside a wide space (no step back to the
// character's first byte, as f09c034 had it) -> the wide-space cases at
// two alignments in three fail.
func TestCodeSetOffAfterALongRunOfSpacesIsCut(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, run := range []struct{ name, s string }{
		{"300 spaces", strings.Repeat(" ", 300)},
		{"90 ideographic spaces", strings.Repeat("\u3000", 90) + " "},
		{"90 em spaces", strings.Repeat("\u2003", 90) + " "},
		{"140 no-break spaces", strings.Repeat("\u00a0", 140) + " "},
	} {
		for _, marks := range [][2]string{{"`", "`"}, {"«", "»"}, {"**", "**"}, {`"`, `"`}} {
			// (one to three dashes: the run's characters start at each
			// byte from the link's reach back)
			for _, piece := range []string{"K7QD-9XMA-R2TP", "K7QD--9XMA-R2TP", "K7QD---9XMA-R2TP"} {
				in := "mi código " + marks[0] + run.s + piece + marks[1] + " https://x.example/?c=4WZN"
				name := marks[0] + "(" + run.name + ")" + piece + marks[1] + " https://x.example/?c=4WZN"
				out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
				if err != nil || !cut || slices.ContainsFunc([]string{"K7QD", "R2TP", "4WZN"}, func(g string) bool { return strings.Contains(out[0], g) }) {
					t.Errorf("%s: cut %v %v, left %q", name, cut, err, strings.TrimLeft(out[0], "micódgo`«*\" \u00a0\u2003\u3000"))
				}
				if codes := ReceiptCodesIn(in); !slices.Contains(codes, code) {
					t.Errorf("%s: ReceiptCodesIn = %q", name, codes)
				}
			}
		}
	}
}
