package tips

import "testing"

// A receipt code wrapped whole in apostrophes, quotes, brackets or
// markdown ("mi código 'K7QD-9XMA-R2TP-4WZN' gracias") is cut with its
// wrappers, as one with each of its groups wrapped is
// (TestCutReceiptsTakesWrappedGroups): the investigator reads "mi código
// gracias", not "mi código ” gracias", an empty pair that shows where
// something was taken out. Wrappers around words, or left unpaired, stay.
// Mutation: cutCandidates without unwrapCut -> every wrapped case fails.
func TestCodeWrappedWholeIsCutWithItsWrappers_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, w := range [][2]string{
		{"'", "'"}, {`"`, `"`}, {"(", ")"}, {"[", "]"}, {"«", "»"}, {"“", "”"}, {"‘", "’"},
		{"`", "`"}, {"*", "*"}, {"**", "**"}, {"||", "||"}, {"_", "_"}, {"「", "」"}, {`"'`, `'"`}, {"**[", "]**"},
	} {
		for _, written := range []string{code, "K7QD9XMAR2TP4WZN", "k7qd 9xma r2tp 4wzn"} {
			wrapped := w[0] + written + w[1]
			for _, tc := range []struct{ in, want string }{
				{"mi código " + wrapped + " gracias", "mi código gracias"},
				{"mi código " + wrapped + ".", "mi código."},
				{"mi código " + wrapped + ", gracias", "mi código, gracias"},
				{"mi código es:" + wrapped + " gracias", "mi código es: gracias"},
				{"(mi código " + wrapped + ")", "(mi código)"},
				{wrapped + " gracias", "gracias"},
				{wrapped, ""},
			} {
				out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
				if err != nil || !cut || out[0] != tc.want {
					t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
				}
			}
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"dijo 'hola' y K7QD-9XMA-R2TP-4WZN 'adiós'", "dijo 'hola' y 'adiós'"},
		{"ver (nota K7QD-9XMA-R2TP-4WZN) y (x)", "ver (nota) y (x)"},
		{"abre 'K7QD-9XMA-R2TP-4WZN y cierra", "abre ' y cierra"},
		{"mi código (K7QD-9XMA-R2TP-4WZN] gracias", "mi código (] gracias"},
		{"'AB12-CD34-EF56-GH78' 'K7QD-9XMA-R2TP-4WZN'", "'AB12-CD34-EF56-GH78'"},
		{"juan_K7QD-9XMA-R2TP-4WZN_x dijo", "juan__x dijo"},
		{"l'K7QD-9XMA-R2TP-4WZN's", "l''s"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
		}
	}
}
