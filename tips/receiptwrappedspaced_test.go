package tips

import "testing"

// A receipt code wrapped whole with spaces just inside its wrapper, as
// French typography puts them inside guillemets ("« CODE »", a no-break
// or narrow no-break space as often as not) and reporters inside
// brackets ("( CODE )"), or in quotation marks of two kinds, as
// keyboards and autocorrection pair them ("„CODE”", "“CODE\""), is cut
// with its wrappers, as one wrapped tight is
// (TestCodeWrappedWholeIsCutWithItsWrappers_receipts): not leaving "« »"
// or "„”" where it was. Quotation marks or brackets that close a word
// before it and open one after it, and markdown's marks with spaces
// (a table's "|"), stay.
// Mutations: unwrapCut without its spaced step -> the spaced cases fail;
// taking only a wrapPartner as closer (as before) -> the mixed quotation
// marks fail; the spaced step without its letter-or-digit guard -> "'hola'
// CODE '¿adiós?'" reads "'hola¿adiós?'"; with markdown's marks -> the
// table's cells run together.
func TestCodeWrappedWholeWithSpacesOrMixedQuotesIsCut_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{code, "K7QD9XMAR2TP4WZN", "k7qd 9xma r2tp 4wzn"} {
		for _, w := range [][2]string{
			{"« ", " »"}, {"«\u00a0", "\u00a0»"}, {"«\u202f", "\u202f»"}, {"( ", " )"}, {"[ ", " ]"},
			{"“ ", " ”"}, {"\" ", " \""}, {"‹ ", " ›"}, {"「\u3000", "\u3000」"}, {"**« ", " »**"},
			{"„", "”"}, {"“", "\""}, {"«", "“"}, {"\"", "”"}, {"'", "’"},
		} {
			wrapped := w[0] + written + w[1]
			for _, tc := range []struct{ in, want string }{
				{"mon code est " + wrapped + " merci", "mon code est merci"},
				{"mon code est " + wrapped + ".", "mon code est."},
				{"mi código: " + wrapped + ", gracias", "mi código:, gracias"},
				{"(o código " + wrapped + ")", "(o código)"},
				{wrapped + " thanks", "thanks"},
			} {
				out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
				if err != nil || !cut || out[0] != tc.want {
					t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
				}
			}
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"dijo 'hola' " + code + " 'adiós'", "dijo 'hola' 'adiós'"},
		{"il a dit «bonjour» " + code + " «adieu»", "il a dit «bonjour» «adieu»"},
		{"ele disse “oi” " + code + " “tchau”", "ele disse “oi” “tchau”"},
		{"dijo 'hola' " + code + " '¿adiós?'", "dijo 'hola' '¿adiós?'"},
		{"il a dit «bonjour» " + code + " « adieu »", "il a dit «bonjour» « adieu »"},
		{"ver (a) " + code + " (b)", "ver (a) (b)"},
		{"| nombre | " + code + " | fecha |", "| nombre | | fecha |"},
		{"*uno* " + code + " *dos*", "*uno* *dos*"},
		{"mi código ( " + code + "] gracias", "mi código ( ] gracias"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
		}
	}
}
