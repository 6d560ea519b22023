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
	cutLiveAndAtReplay(t, code, []struct{ in, want string }{
		{"c'est l'K7QD-9XMA-R2TP-4WZN' merci", "c'est l' merci"},
		{"le reçu d’K7QD-9XMA-R2TP-4WZN’.", "le reçu d’."},
		{"il codice dell'K7QD 9XMA R2TP 4WZN', grazie", "il codice dell', grazie"},
		{"c'est l'K7QD-9XMA-R2TP-4WZN merci", "c'est l' merci"},
		{"c'est l'«K7QD-9XMA-R2TP-4WZN» merci", "c'est l' merci"},
		{"mi código 'K7QD-9XMA-R2TP-4WZN' gracias", "mi código gracias"},
		{"l'K7QD-9XMA-R2TP-4WZN's", "l''s"},
	})
}

// A word that is not elided, glued to a quoted code ("codigo'CODE'",
// "recibo’CODE’"), loses the code with both its quotes, as "codigo
// 'CODE'" and "codigo\"CODE\"" do. Before, any letter before the
// apostrophe made it an elision: the code was cut but its opening quote
// stayed ("codigo' gracias"), a mark of where something was taken. The
// elided words of elidedWords keep theirs, in capitals too.
// Mutation: elision taking any letter before the apostrophe (as before)
// -> the first five cases keep their opening quote.
func TestWordGluedToAQuotedCodeLosesTheQuotes_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	cutLiveAndAtReplay(t, code, []struct{ in, want string }{
		{"mi codigo'K7QD-9XMA-R2TP-4WZN' gracias", "mi codigo gracias"},
		{"el recibo’K7QD-9XMA-R2TP-4WZN’.", "el recibo."},
		{"CÓDIGO'k7qd 9xma r2tp 4wzn', gracias", "CÓDIGO, gracias"},
		{"ticket'K7QD-9XMA-R2TP-4WZN'", "ticket"},
		{"abcd'[K7QD]-[9XMA]-[R2TP]-[4WZN]' y", "abcd y"},
		{"L'K7QD-9XMA-R2TP-4WZN' merci", "L' merci"},
		{"lorsqu’K7QD-9XMA-R2TP-4WZN’ arrive", "lorsqu’ arrive"},
		{"quell'K7QD-9XMA-R2TP-4WZN'", "quell'"},
		{"codigo'K7QD-9XMA-R2TP-4WZN'gracias", "codigo''gracias"},
	})
}

// An elided word after a character of more than one byte that is no
// letter (a guillemet, a curly quote, a dash, a no-break space, an
// emoji, a zero-width space) keeps its apostrophe as after a space:
// the investigator reads "«l'»", not "«l»". Before, the word was taken
// to start within that character, matched none of elidedWords, and lost
// its apostrophe with the code's quotes.
// Mutation: elision starting the word one byte after the start of the
// last character that is no letter (as before) -> every case but the
// last reads "l" or "d" with no apostrophe.
func TestElisionAfterAWideCharacterStays_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	cutLiveAndAtReplay(t, code, []struct{ in, want string }{
		{"c'est «l'K7QD-9XMA-R2TP-4WZN'» merci", "c'est «l'» merci"},
		{"“l'K7QD-9XMA-R2TP-4WZN'” merci", "“l'” merci"},
		{"le reçu —d’K7QD-9XMA-R2TP-4WZN’ merci", "le reçu —d’ merci"},
		{"c'est\u00a0l'K7QD-9XMA-R2TP-4WZN' merci", "c'est\u00a0l' merci"},
		{"🔥dell'K7QD-9XMA-R2TP-4WZN' grazie", "🔥dell' grazie"},
		{"ça\u200bl'K7QD-9XMA-R2TP-4WZN' merci", "ça\u200bl' merci"},
		{"«codigo'K7QD-9XMA-R2TP-4WZN'» gracias", "«codigo» gracias"},
	})
}
