package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Prose of sixteen letters, alone or after a first word, reads as a
// receipt code of letters once L, I and O are read as the digits 1, 1
// and 0 ("Cobran piso en la farmacia": "piso en la farmacia" is
// P1S0-EN1A-FARM-AC1A). While Redis cannot say whether a tip has it,
// it is a code only if a digit was typed in it: such prose is spooled as
// any tip is, not refused ("try again", or NOT saved). A code typed with
// its digits is still refused, never kept in a tip.
// Mutation: receiptAlone's word-then-code rule, or its code alone, taking
// its digit from the normalised code → this test fails. (The cut and
// codesAlone already read a code-like word only where a digit is typed.)
func TestProseShapedLikeACodeIsSpooledInAnOutage(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	srv.Stop()
	for i, c := range []struct{ lang, text string }{
		{"es", "Cobran piso en la farmacia"},   // a word, then sixteen letters
		{"es", "Cobro de piso ahora"},          // sixteen letters alone
		{"pt-BR", "Cobram taxa dos feirantes"}, // a word, then sixteen letters
		{"pt-BR", "Milicia cobra taxa"},        // sixteen letters alone
		{"pt-BR", "Hoje pago taxa alta"},       // four words of four letters
		{"fr", "Racket chez le pharmacien"},    // a word, then sixteen letters
		{"en", "They extort pharmacies"},       // a word, then sixteen letters
		{"en", "Armed men at school"},          // sixteen letters alone
	} {
		before := sp.Len()
		r := sayAs(mux, "72", commands.Request{Text: c.text, Language: c.lang, EventID: int64(7200 + i)})
		code := codeRE.FindString(texts(r)[0])
		want := msg.Localize(c.lang, "spool_received", map[string]any{"Receipt": code})
		if len(r) != 1 || code == "" || r[0].Text != want || sp.Len() != before+1 {
			t.Errorf("%s %q during the outage: %q (spool %d, was %d), want it spooled", c.lang, c.text, texts(r), sp.Len(), before)
		}
	}
	spooled := sp.Len()
	for i, text := range []string{"código K7QD 9XMA R2TP 4WZN", "K7QD-9XMA-R2TP-4WZN", "código ABCD EFGH JKMN PQR5"} {
		r := sayAs(mux, "73", commands.Request{Text: text, Language: "es", EventID: int64(7300 + i)})
		if len(r) != 1 || r[0].Text == "" || codeRE.MatchString(r[0].Text) || sp.Len() != spooled {
			t.Errorf("%q during the outage: %q (spool %d), want it refused", text, texts(r), sp.Len())
		}
	}
}
