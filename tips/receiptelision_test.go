package tips

import "testing"

// A receipt code quoted right after an elided article or pronoun
// ("l'CODE'", "d’CODE’", "dell'CODE'", as French and Italian write
// them) is cut with its closing quote, and the elision's apostrophe
// stays: the investigator reads "l' gracias", as after "l'CODE gracias",
// not "l gracias", a word changed by the cut. Quotes around the code
// after a space go whole, as before; an apostrophe joining words on
// both sides stays.
// Mutation: unwrapCut without its elision step -> the elided cases read
// "l gracias", "d.", "dell,".
func TestElisionBeforeAQuotedCodeStays_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"c'est l'K7QD-9XMA-R2TP-4WZN' merci", "c'est l' merci"},
		{"le reçu d’K7QD-9XMA-R2TP-4WZN’.", "le reçu d’."},
		{"il codice dell'K7QD 9XMA R2TP 4WZN', grazie", "il codice dell', grazie"},
		{"c'est l'K7QD-9XMA-R2TP-4WZN merci", "c'est l' merci"},
		{"c'est l'«K7QD-9XMA-R2TP-4WZN» merci", "c'est l' merci"},
		{"mi código 'K7QD-9XMA-R2TP-4WZN' gracias", "mi código gracias"},
		{"l'K7QD-9XMA-R2TP-4WZN's", "l''s"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
		}
	}
}
