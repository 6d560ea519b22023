package tips

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A receipt code whose digits, all 0 and 1, are typed as O, I or L, as
// one copying it by hand does ("ABCD-EFGH-JKMN-PQRO" for …-PQR0), inside
// a sentence, is cut where it is written as a code is shown: four groups
// of four capitals, parted by dashes. It holds no typed digit, so only
// its shape makes it looked up; prose is not written so.
func TestShownCodeWithLettersForItsDigitsIsCut(t *testing.T) {
	for _, tc := range []struct{ code, in, want string }{
		{"ABCD-EFGH-JKMN-PQR0", "mi código ABCD-EFGH-JKMN-PQRO gracias", "mi código gracias"},
		{"ABCD-EFGH-JKMN-PQ11", "meu código é ABCD-EFGH-JKMN-PQIL, obrigado", "meu código é, obrigado"},
		{"A0CD-EFGH-JKMN-PQRS", "mon code A0CD-EFGH-JKMN-PQRS merci", "mon code merci"}, // (a typed digit: as before)
		{"A0CD-EFGH-JKMN-PQRS", "my code AOCD-EFGH-JKMN-PQRS thanks", "my code thanks"},
	} {
		out, cut, err := CutMessageReceipts([]string{tc.in}, knowsOnly(tc.code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %v %q (%v), want %q", tc.in, cut, out, err, tc.want)
		}
		// (as the spool's replay cuts a message spooled in an outage)
		if out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(tc.code)); err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q at the replay: cut %v %q (%v), want %q", tc.in, cut, out, err, tc.want)
		}
	}
	// Prose, in capitals too, is not shown as a code: nothing is asked.
	for _, s := range []string{
		"HOJE PAGO TAXA ALTA, MILICIA COBRA TAXA",
		"hoje-pago-taxa-alta y Solo-vino-para-ella",
		"Cobran piso en la farmacia; ARMED MEN AT SCHOOL; RACKET CHEZ LE PHARMACIEN",
		"ABCD EFGH JKMN PQRO", // spaced: as four words of prose are
		"ABCD-EFGH-JKMN-PQRU", // a U is of no code
		"ABCD-EFGH-JKMN-PQROX",
	} {
		var asked []string
		out, cut, err := CutMessageReceipts([]string{s}, func(codes []string) ([]bool, error) {
			asked = append(asked, codes...)
			return make([]bool, len(codes)), nil
		})
		if err != nil || cut || out[0] != s || len(asked) != 0 {
			t.Errorf("%q: asked %q, cut %v %q (%v), want nothing asked", s, asked, cut, out, err)
		}
	}
	// Shaped so but no tip's: asked, kept.
	s := "SOLO-PARA-ELLA-HOJE"
	if out, cut, _ := CutMessageReceipts([]string{"vi " + s}, knowsOnly("K7QD-9XMA-R2TP-4WZN")); cut || out[0] != "vi "+s {
		t.Errorf("%q: cut %v %q, want it kept", s, cut, out)
	}
}

// Codes shown with letters for their digits are looked up after the
// codes with a typed digit: a run of them does not crowd one out of
// the first lookup (each of at most MaxReceiptCandidates codes).
func TestShownCodesWithLettersComeAfterCodesWithADigit(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	// (in two texts, a message and its link, each read up to
	// maxReceiptSpans code-like words)
	var texts []string
	alpha := "ABCDEFGHJKMNPQRS"
	for half := 0; half < 2; half++ {
		var b strings.Builder
		for i := half * 140; i < (half+1)*140; i++ {
			fmt.Fprintf(&b, "%c%cCD-EFGH-JKMN-PQRO ", alpha[i%16], alpha[i/16%16])
		}
		texts = append(texts, b.String())
	}
	texts = append(texts, "mi código "+code)
	var asked [][]string
	out, cut, err := CutMessageReceipts(texts, func(codes []string) ([]bool, error) {
		asked = append(asked, codes)
		return knowsOnly(code)(codes)
	})
	if err != nil || !cut || strings.Contains(out[2], code) {
		t.Errorf("the code after 280 shown with letters: cut %v (%v)", cut, err)
	}
	if len(asked) == 0 || !slices.Contains(asked[0], code) {
		t.Errorf("the code not in the first lookup")
	}
	for _, codes := range asked {
		if len(codes) > MaxReceiptCandidates {
			t.Errorf("%d codes asked at once, want at most %d", len(codes), MaxReceiptCandidates)
		}
	}
}
