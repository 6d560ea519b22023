package tips

import (
	"slices"
	"testing"
)

// A receipt code pasted across two parts of a tip, its first piece on
// the last line of a quote ("> hola\n> K7QD-9XMA", then "R2TP-4WZN
// gracias"), is cut with the quote marker of the line it leaves empty:
// the investigator reads "> hola", not "> hola\n>", a bare "> " that
// quotes nothing and shows where something was cut. Quote lines with
// words on them stay.
// Mutation: cutAcross without dropQuoteMarkerLine -> the quoted cases
// keep a bare ">".
func TestCodeAcrossPartsLeavesNoBareQuoteMarker_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want []string }{
		{[]string{"> hola\n> K7QD-9XMA", "R2TP-4WZN gracias"}, []string{"> hola", "gracias"}},
		{[]string{"> hola\n>> K7QD-9XMA", "R2TP-4WZN"}, []string{"> hola", ""}},
		{[]string{"> hola\r\n> K7QD-9XMA", "R2TP-4WZN"}, []string{"> hola", ""}},
		{[]string{"texto\n> K7QD 9XMA", "R2TP 4WZN\n\nmás"}, []string{"texto", "más"}},
		{[]string{"> hola K7QD-9XMA", "R2TP-4WZN gracias"}, []string{"> hola", "gracias"}},
		{[]string{"mi código K7QD-9XMA", "R2TP-4WZN\n> hola"}, []string{"mi código", "> hola"}},
	} {
		out, cut, err := CutReceiptsAcross(tc.in, knowsOnly(code))
		if err != nil || !cut || !slices.Equal(out, tc.want) {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
	}
}
