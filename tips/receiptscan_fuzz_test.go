package tips

import (
	"strings"
	"testing"
)

// The whole receipt scan never panics on any text, a link ending in marks
// at the text's end included.
func FuzzReceiptScanNeverPanics(f *testing.F) {
	f.Add("vean el video de 2024 https://youtu.be/.", "K7QD-9XMA")
	f.Add("JCJH-0X19 https://x.example/-", "?c=**")
	f.Add("K7QD https://x.example/?c=__9XMA__", "R2TP-4WZN")
	f.Add("%2DJCJH%2D0X19 t.me/a?b=%", "\u200b")
	f.Add("```K7QD-9XMA-R2TP-4WZN\nK7QD-9XMA-R2TP-4WZN\n```\ntexto", "```K7QD-9XMA")
	// (Past the bound of code-like words: repeatsRead.)
	f.Add(strings.Repeat("A 1 ", 1100)+"Q W E K 7 Q D - 9 X M A", "codigo'K7QD-9XMA-R2TP-4WZN' l'K7QD'")
	f.Fuzz(func(t *testing.T, a, b string) {
		all := func(codes []string) ([]bool, error) {
			out := make([]bool, len(codes))
			for i := range out {
				out[i] = true
			}
			return out, nil
		}
		ReceiptSpans(a)
		ReceiptCodesIn(a)
		CutReceipts([]string{a, b}, all)
		CutMessageReceipts([]string{a, b}, all)
		CutReceiptsAcross([]string{a, b}, all)
		ReceiptCodesIn(a + "\n" + b)
	})
}
