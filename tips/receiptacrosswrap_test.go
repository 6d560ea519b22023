package tips

import (
	"slices"
	"testing"
)

// A receipt code wrapped whole in quotes, brackets or markdown and
// pasted in two goes, across two parts of a tip ("mi código «K7QD-9XMA",
// then "R2TP-4WZN» gracias"), is cut with its wrappers, as one within a
// text is (TestCodeWrappedWholeIsCutWithItsWrappers_receipts): the
// investigator reads "mi código" and "gracias", not "mi código «" and
// "» gracias", an opener and a closer that show where something was
// cut. Wrappers not around the code stay.
// Mutation: cutAcrossCandidates without unwrapAcross -> the wrapped cases
// keep their wrappers.
func TestCodeAcrossPartsIsCutWithItsWrappers_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want []string }{
		{[]string{"mi código «K7QD-9XMA", "R2TP-4WZN» gracias"}, []string{"mi código", "gracias"}},
		{[]string{`mi código "K7QD-9XMA`, `R2TP-4WZN"`}, []string{"mi código", ""}},
		{[]string{"mi código (K7QD 9XMA", "R2TP 4WZN), gracias"}, []string{"mi código", ", gracias"}},
		{[]string{"mi código **K7QD-9XMA", "R2TP-4WZN**"}, []string{"mi código", ""}},
		{[]string{"mi código «", "K7QD-9XMA", "R2TP-4WZN» gracias"}, []string{"mi código", "", "gracias"}},
		{[]string{"c'est l'K7QD-9XMA", "R2TP-4WZN' merci"}, []string{"c'est l'", "merci"}},
		{[]string{"mi código (K7QD-9XMA", "R2TP-4WZN] gracias"}, []string{"mi código (", "] gracias"}},
		{[]string{"(nota) K7QD-9XMA", "R2TP-4WZN (fin)"}, []string{"(nota)", "(fin)"}},
	} {
		out, cut, err := CutReceiptsAcross(tc.in, knowsOnly(code))
		if err != nil || !cut || !slices.Equal(out, tc.want) {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
		out, cut, err = CutMessageReceipts(tc.in, knowsOnly(code))
		if err != nil || !cut || !slices.Equal(out, tc.want) {
			t.Errorf("%q: message: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
	}
}
