package tips

import (
	"slices"
	"strings"
	"testing"
)

// A receipt code quoted with one of the apostrophe's look-alikes
// (apostrophe: the modifier letter apostrophe "ʼ" some keyboards type,
// the fullwidth "＇", the prime "′", the reversed "‛", the acute accent
// "´" Spanish and Portuguese keyboards type alone) goes with its quotes
// as one quoted with "'" does, and after an elided word the apostrophe
// stays: the investigator reads "lʼ merci", as after "l'CODE' merci",
// not "lʼʼ merci", an empty pair that shows where something was cut.
// Mutation: the look-alikes out of wrapPartner and quoteMark -> every
// quoted case keeps both its quotes ("lʼʼ merci", "codigoʼʼ gracias");
// elision taking only "'" and "’" (as before) -> the elided cases lose
// their apostrophe ("l merci").
func TestApostropheLookAlikesAroundACode_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, q := range []string{"ʼ", "＇", "′", "‛", "´"} {
		cutLiveAndAtReplay(t, code, []struct{ in, want string }{
			{"c'est l" + q + code + q + " merci", "c'est l" + q + " merci"},
			{"il codice dell" + q + "K7QD 9XMA R2TP 4WZN" + q + ", grazie", "il codice dell" + q + ", grazie"},
			{"quand" + q + code + q + " arriva", "quand" + q + " arriva"},
			{"c'est l" + q + code + " merci", "c'est l" + q + " merci"},
			{"mi codigo" + q + code + q + " gracias", "mi codigo gracias"},
			{"mi código " + q + code + q + " gracias", "mi código gracias"},
			{"o recibo é " + q + "k7qd9xmar2tp4wzn" + q + ".", "o recibo é."},
		})
	}
}

// Every word of elidedWords, in small letters or capitals, keeps its
// apostrophe before a quoted code ("quand'CODE' arriva" reads "quand'
// arriva"), whatever its length: maxElidedWord, the bound elision reads
// a word back to, is taken from the list, not kept apart from it.
// Mutation: maxElidedWord a constant 4 -> "jusqu", "lorsqu", "ciascun"…
// lose their apostrophe; "quand" or "dev" out of elidedWords (as before)
// -> "quand arriva", "dev arriva".
func TestEveryElidedWordKeepsItsApostrophe_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	words := make([]string, 0, len(elidedWords))
	for w := range elidedWords {
		words = append(words, w)
	}
	slices.Sort(words)
	for _, must := range []string{"quand", "dev", "dell", "nell", "all", "sull", "un"} {
		if !elidedWords[must] {
			t.Errorf("%q is not in elidedWords", must)
		}
	}
	var cases []struct{ in, want string }
	for _, w := range words {
		for _, word := range []string{w, strings.ToUpper(w)} {
			cases = append(cases,
				struct{ in, want string }{"e " + word + "'" + code + "' arriva", "e " + word + "' arriva"},
				struct{ in, want string }{"e " + word + "’" + code + "’ arriva", "e " + word + "’ arriva"})
		}
	}
	cutLiveAndAtReplay(t, code, cases)
}

// A code whose groups are parted by one of the apostrophe's look-alikes
// ("K7QD′9XMA′R2TP′4WZN", as by "'" or "’", which the key US keyboards
// have "-" on types under Spanish layouts) is read and cut: the prime
// (′) and the reversed comma quotation mark (‛) were read as separators
// (punctuation that wraps nothing) until they joined wrapPartner, and
// then no more (a receipt code left in the tip's text, an invitation
// code left live in view of a group); the modifier letter apostrophe
// and the acute accent typed alone never were.
// Mutation: apostrophe out of groupSeparator -> every case but "＇"
// is left whole ("K7QD′9XMA′R2TP′4WZN gracias").
func TestApostropheLookAlikesBetweenGroups_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, q := range []string{"ʼ", "＇", "′", "‛", "´"} {
		cutLiveAndAtReplay(t, code, []struct{ in, want string }{
			{"mi código K7QD" + q + "9XMA" + q + "R2TP" + q + "4WZN gracias", "mi código gracias"},
			{"mi código k7qd" + q + "9xma" + q + "r2tp" + q + "4wzn gracias", "mi código gracias"},
			{"mi código K7QD-9XMA" + q + "-R2TP-4WZN gracias", "mi código gracias"},
		})
		if codes := MessageCodesIn([]string{"mira", "K7QD" + q + "9XMA" + q + "R2TP" + q + "4WZN"}); !slices.Contains(codes, code) {
			t.Errorf("%q between groups: %v, not %s", q, codes, code)
		}
	}
}
