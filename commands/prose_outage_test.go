package commands_test

import (
	"context"
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

// Prose with a number typed in it, of sixteen letters and digits once
// its O, I and L are read as the digits 0, 1 and 1 ("narco 2024
// sinaloa": NARC-0202-4S1N-A10A), is spooled while Redis is down, and
// replayed as the tip it is: no code holds an O, an I or an L
// (Crockford's alphabet, with no check character), and its words, of
// five and seven characters, are not a code's groups as the scan reads
// them. A code so typed, its groups as the scan reads them ("k7qd 9xma
// r2tp 4wzo", after a word too), is still refused. Measured on the
// classifier's corpora (tips/testdata), messages of one to five of their
// words read as a code with a digit typed: 74 refused before, 5 now (all
// their digits typed, "starts at 4am every": STAR-TSAT-4AME-VERY).
// Mutation: surelyCode as before (a typed digit enough) → this test
// fails (each prose message refused); surelyCode without scanRead →
// TestEveryCodeSpellingTheScanReadsIsRefusedInAnOutage fails.
func TestProseWithADigitShapedLikeACodeIsSpooledInAnOutage(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	do := telegramUser(mux, "74")
	prose := []string{"narco 2024 sinaloa", "payer 3000 dollars", "depositamos 20 mil", "Los vecinos del 302", "19 year old man, last", "de 500 pesos a todos"}
	receipts := spoolThenReplay(t, srv, st, sp, do, 10, prose)
	for i, receipt := range receipts {
		if tip, err := st.TipByReceipt(context.Background(), receipt); err != nil || tip.Content.Text() != prose[i] {
			t.Errorf("replayed %q: %q %v", prose[i], tip.Content.Text(), err)
		}
	}
	msg, _ := loadMessages()
	notSaved, retry := msg.Localize("en", "error_storage", nil), msg.Localize("en", "error_storage_retry", nil)
	srv.Stop()
	spooled := sp.Len()
	for i, text := range []string{"k7qd 9xma r2tp 4wzo", "código k7qd 9xma r2tp 4wzo", "K7QD-9XMA-R2TP-4WZO", "k7qd9xmar2tp4wzo.", "status K7QD 9XMA R2TP 4WZN"} {
		if got := do(commands.Request{Text: text, EventID: int64(100 + i)}); len(got) != 1 || got[0].Text != retry && got[0].Text != notSaved || sp.Len() != spooled {
			t.Errorf("%q during the outage: %q (spool %d, was %d), want it refused", text, texts(got), sp.Len(), spooled)
		}
	}
}
