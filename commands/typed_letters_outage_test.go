package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A receipt code whose digits are all 0 and 1, typed with O, I or L for
// them ("ABCD-EFGH-JKMN-PQRO" for …-PQR0), as one copying it by hand
// does, sent alone while Redis is down, is not spooled as a tip (live it
// is a /status check; spooled, investigators would read it, as the cut
// reads no code without a typed digit): written as a code is shown, in
// groups of four in capitals or parted by no space, it is refused as a
// code with a digit is. Prose of sixteen letters, in capitals too, is not
// shown so and is spooled.
func TestCodeWithLettersForItsDigitsIsNotSpooledInAnOutage(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	srv.Stop()
	for i, text := range []string{
		"ABCD-EFGH-JKMN-PQRO",
		"abcd-efgh-jkmn-pqro",
		"ABCD EFGH JKMN PQRO",
		"ABCDEFGHJKMNPQRO",
		"código ABCD-EFGH-JKMN-PQRO",
		"tABCD-EFGH-JKMN-PQRI",
		"status: ABCD EFGH JKMN PQRL",
	} {
		before := sp.Len()
		r := sayAs(mux, "74", commands.Request{Text: text, Language: "es", EventID: int64(7400 + i)})
		if len(r) != 1 || r[0].Text != msg.Localize("es", "error_storage_retry", nil) || sp.Len() != before {
			t.Errorf("%q during the outage: %q (spool %d, was %d), want it refused", text, texts(r), sp.Len(), before)
		}
	}
	for i, c := range []struct{ lang, text string }{
		{"en", "ARMED MEN AT SCHOOL"},        // sixteen letters in capitals, not in fours
		{"es", "COBRO DE PISO AHORA"},        // the same
		{"es", "Cobran piso en la farmacia"}, // a word, then sixteen letters
		{"pt-BR", "Responsabilidade"},        // one word of sixteen letters
		{"pt-BR", "hoje pago taxa alta"},     // four words of four letters
		{"fr", "RACKET CHEZ LE PHARMACIEN"},  // a word, then sixteen letters
		{"pt-BR", "MILICIA COBRA TAXA"},      // sixteen letters in capitals
		{"es", "ESTA CASA PARA MAMA"},        // letters alone: an old code's shape, never assumed one
		{"es", "Solo vino para ella"},        // four words of four letters
	} {
		before := sp.Len()
		r := sayAs(mux, "75", commands.Request{Text: c.text, Language: c.lang, EventID: int64(7500 + i)})
		code := codeRE.FindString(texts(r)[0])
		want := msg.Localize(c.lang, "spool_received", map[string]any{"Receipt": code})
		if len(r) != 1 || code == "" || r[0].Text != want || sp.Len() != before+1 {
			t.Errorf("%s %q during the outage: %q (spool %d, was %d), want it spooled", c.lang, c.text, texts(r), sp.Len(), before)
		}
	}
}
