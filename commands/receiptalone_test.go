package commands

import "testing"

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
