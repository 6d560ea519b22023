package tips

import (
	"slices"
	"testing"
)

// A receipt code pasted in two goes whose second piece opens a quote in
// the next part ("mi código K7QD-9XMA", then "> R2TP-4WZN", a message
// quoting one from elsewhere: WithQuote) reads to an investigator as the
// code, the parts a blank line apart and quote markers at a line's start
// separators (quoteAt), as within one text. It is cut, with the quote
// markers of the line it leaves empty. Before, the joined parts had no
// line there, ">" was read as no separator, and the code stayed.
// Mutation: separatorsAt without its partSeparator branch -> nothing is
// cut.
func TestCodeAcrossIntoAQuoteIsCut_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want []string }{
		{[]string{"mi código K7QD-9XMA", "> R2TP-4WZN\n\ngracias"}, []string{"mi código", "gracias"}},
		{[]string{"mi código K7QD-9XMA-", WithQuote("R2TP-4WZN\nhola", "")}, []string{"mi código", "> hola"}},
		{[]string{"mi código K7QD 9XMA", ">> R2TP 4WZN gracias"}, []string{"mi código", "gracias"}},
		{[]string{"> hola\n> K7QD-9XMA", "> R2TP-4WZN\n> chau"}, []string{"> hola", "> chau"}},
	} {
		for _, cutter := range []func([]string, func([]string) ([]bool, error)) ([]string, bool, error){CutReceiptsAcross, CutMessageReceipts} {
			out, cut, err := cutter(tc.in, knowsOnly(code))
			if err != nil || !cut || !slices.Equal(out, tc.want) {
				t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
			}
		}
	}
}
