package commands

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/tips"
)

// A receipt code sent alone, or after a word, is read as one; a message
// of sentences (most messages) is not split into its words to find out
// that it is not one: it is counted up to its sixth word. Before, every
// message was split whole (a slice of all its words, about 10 µs for 280
// characters on this stop's machine).
func TestReceiptAloneReadsNoSentence(t *testing.T) {
	for _, tc := range []struct {
		text, code string
		ok         bool
	}{
		{"K7QD-9XMA-R2TP-4WZN", "K7QD-9XMA-R2TP-4WZN", true},
		{"código K7QD 9XMA R2TP 4WZN", "K7QD-9XMA-R2TP-4WZN", true},
		{"K7QD 9XMA R2TP 4WZN gracias", "", false},
		{"el señor cobra K7QD-9XMA-R2TP-4WZN", "", false},
		{"   ", "", false},
		{"tK7QD-9XMA-R2TP-4WZN", "K7QD-9XMA-R2TP-4WZN", true},
		{"t;K7QD; 9XMA; R2TP; 4WZN", "K7QD-9XMA-R2TP-4WZN", true},
		{"Esta es la camioneta", "", false}, // ("sta es la camioneta": sixteen characters, L, I and O read as digits)
		{"Esta, es la camioneta", "", false},
		{"Vimos 2 carros rojos", "", false}, // ("imos 2 carros rojos": sixteen characters, no groups)
		{"Ojo:2 hombres con armas", "", false},
		{"tK7QD-9XMA R2TP4WZN", "K7QD-9XMA-R2TP-4WZN", true},
		{"tK7QD 1️⃣ 9XMA-R2TP-4WZN", "K7QD-9XMA-R2TP-4WZN", true},
	} {
		if code, ok, _ := receiptAlone(tc.text); code != tc.code || ok != tc.ok {
			t.Errorf("%q: %q %v, want %q %v", tc.text, code, ok, tc.code, tc.ok)
		}
	}
	sentence := "Me dijeron que el señor de la camioneta blanca cobra derecho de piso a los tenderos de la colonia Centro cada viernes."
	if n := testing.AllocsPerRun(20, func() { receiptAlone(sentence) }); n != 0 {
		t.Errorf("a sentence split into words: %v allocations a message, want none", n)
	}
}

// receiptAloneFields is receiptAlone as it was before it counted words
// (a31fe5a): the whole message split with strings.Fields.
func receiptAloneFields(text string) (code string, ok, digit bool) {
	f := strings.Fields(text)
	if len(f) == 0 || len(f) > 5 {
		return "", false, false
	}
	if code, ok := tips.NormalizeReceipt(text); ok {
		return code, true, surelyCode(text, code) // (since: a digit typed, or shown as a code)
	}
	if len(f) > 1 && !strings.ContainsAny(f[0], "0123456789") {
		if code, ok := tips.NormalizeReceipt(strings.Join(f[1:], " ")); ok {
			return code, true, surelyCode(strings.Join(f[1:], " "), code)
		}
	}
	return strayBefore(text) // (since: a word against the code)
}

// Counting words instead of splitting the message reads every message
// as before, whatever stands between its words: every Unicode space,
// the invisible characters a code is read across (which end no word),
// control characters, invalid UTF-8.
func FuzzReceiptAloneAsBefore(f *testing.F) {
	seps := []string{" ", "\t", "\n", "\v", "\f", "\r", "\u0085", "\u00a0", "\u1680", "\u2000", "\u2007", "\u200a",
		"\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e",
		"\u2800", "\u3164", "\u115f", "\u00ad", "\u034f", "\ufe0f", "\u0096", "\x01", "\x7f", "\xff", "\xe2\x80"}
	for _, sep := range seps {
		for _, words := range [][]string{
			{"K7QD", "9XMA", "R2TP", "4WZN"},
			{"código", "K7QD", "9XMA", "R2TP", "4WZN"},
			{"mi", "código", "K7QD", "9XMA", "R2TP", "4WZN"},
			{"esta", "casa", "para", "mama"},
			{"", "K7QD-9XMA-R2TP-4WZN", ""},
			strings.Split("K7QD-9XMA-R2TP-4WZN", ""), // a separator after every character
		} {
			f.Add(strings.Join(words, sep))
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		code, ok, digit := receiptAlone(text)
		wcode, wok, wdigit := receiptAloneFields(text)
		if code != wcode || ok != wok || digit != wdigit {
			t.Errorf("%q: %q %v %v, before %q %v %v", text, code, ok, digit, wcode, wok, wdigit)
		}
	})
}
