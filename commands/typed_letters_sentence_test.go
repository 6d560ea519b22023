package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Receipt codes with O, I or L typed for their 0s and 1s, written as a
// code is shown ("ABCD-EFGH-JKMN-PQRO"), are code-like words: a message
// of them alone (a status check of several tips) is not spooled in an
// outage, as codes with a digit are not (cut at the replay, it would
// leave no tip for the receipt given); in a sentence it is spooled, its
// codes cut at the replay.
func TestCodesWithLettersForTheirDigitsAloneAreNotSpooledInAnOutage(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	srv.Stop()
	before := sp.Len()
	for i, text := range []string{
		"ABCD-EFGH-JKMN-PQRO EFGH-ABCD-JKMN-PQRI JKMN-ABCD-EFGH-PQRL",
		"K7QD-9XMA-R2TP-4WZN ABCD-EFGH-JKMN-PQRO",
	} {
		r := sayAs(mux, "76", commands.Request{Text: text, Language: "es", EventID: int64(7600 + i)})
		if len(r) != 1 || r[0].Text != msg.Localize("es", "error_storage", nil) || sp.Len() != before {
			t.Errorf("%q during the outage: %q (spool %d, was %d), want it refused", text, texts(r), sp.Len(), before)
		}
	}
	r := sayAs(mux, "76", commands.Request{Text: "vi al jefe, mi código ABCD-EFGH-JKMN-PQRO", Language: "es", EventID: 7610})
	if len(r) != 1 || sp.Len() != before+1 {
		t.Errorf("a sentence during the outage: %q (spool %d, was %d), want it spooled", texts(r), sp.Len(), before)
	}
}
