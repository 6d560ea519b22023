package tips

import (
	"fmt"
	"strings"
	"testing"
)

// ReplaceReceipts replaces every code-like word, however many there are
// before it: the audit log keeps the text it returns for a year.
// (CutReceipts looks up at most MaxReceiptCandidates codes at once;
// nothing is looked up here.)
func TestReplaceReceiptsReplacesEveryCode(t *testing.T) {
	var words []string
	for i := range MaxReceiptCandidates + 10 {
		words = append(words, fmt.Sprintf("A%03d", i)) // each starts a code-like word of four
	}
	const code = "K7QD-9XMA-R2TP-4WZN"
	text := strings.Join(words, " ") + " " + code
	got := ReplaceReceipts(text, func(c string) string { return "<" + strings.ReplaceAll(c, "-", "") + ">" })
	if strings.Contains(got, code) || !strings.HasSuffix(got, " <K7QD9XMAR2TP4WZN>") {
		t.Errorf("after %d code-like words, ReplaceReceipts kept the code: …%q", len(words), got[max(0, len(got)-60):])
	}
}
