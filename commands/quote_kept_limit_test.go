package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A message's limit leaves out the quote as it is kept, not as it came:
// a receipt code cut from the quote (for source protection) is counted
// as the reporter's words are, so a quote holding a code, or a code
// alone, does not let the reporter's own words past the limit by the
// code's length (and its marks'). Up to the limit they are still taken.
// So for a tip's message, an answer after Answer, /reply and /warn.
// Mutation: typedRunes leaving out quoteRunes(quote) as received (as
// before) -> the words typed past the limit after a quoted code are
// kept, delivered and stored, the test fails.
func TestACodeCutFromAQuoteIsNotLeftOutOfTheLimit_quotes(t *testing.T) {
	var seen *partsSeen
	e := newEnv(t, func(s commands.Store) commands.Store { seen = &partsSeen{Store: s}; return seen })
	code := e.sendTip("7360", "me cobran piso en el mercado")
	seen.take()
	tooLong := e.text("es", "message_too_long", map[string]any{"Max": 4096})
	atLimit, over := strings.Repeat("w", 4096), strings.Repeat("w", 4096+10)
	for i, quote := range []string{code, "mi código es " + code} {
		user := []string{"7361", "7362"}[i]
		r := e.do(user, commands.Request{Text: commands.WithQuote(quote, over), Quote: quote})
		if parts := seen.take(); len(parts) != 0 || len(r) != 1 || r[0].Text != tooLong {
			t.Errorf("%q quoted, 4,106 typed: answered %.100q, kept %d parts; want message_too_long", quote, texts(r), len(parts))
		}
		r = e.do(user, commands.Request{Text: commands.WithQuote(quote, atLimit), Quote: quote})
		if parts := seen.take(); len(parts) != 1 {
			t.Errorf("%q quoted, 4,096 typed: answered %.100q, kept %d parts", quote, texts(r), len(parts))
		}
	}

	tm, receipt := questioned(t, "¿Qué día?", "¿Qué hora?")
	quote := "mi código es " + receipt
	mustLong := tm.text("en", "message_too_long", map[string]any{"Max": 4096})
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: commands.WithQuote(quote, over), Quote: quote}); len(r) == 0 || r[len(r)-1].Text != mustLong {
		t.Errorf("an answer after Answer, 4,106 typed after a quoted code: %.100q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: commands.WithQuote(quote, atLimit), Quote: quote}); len(r) == 0 || !tm.answered(r[len(r)-1:]) {
		t.Errorf("an answer after Answer, 4,096 typed after a quoted code: %.100q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " " + over, Quote: quote}); len(r) == 0 || r[len(r)-1].Text != mustLong {
		t.Errorf("/reply, 4,106 typed after a quoted code: %.100q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " " + atLimit, Quote: quote}); len(r) == 0 || !tm.answered(r[len(r)-1:]) {
		t.Errorf("/reply, 4,096 typed after a quoted code: %.100q", texts(r))
	}
	warnLong := tm.text("en", "warn_too_long", map[string]any{"Max": 4096})
	if r := tm.as("7363", "Rosa", commands.Request{Command: "warn", Args: over, Quote: quote}); len(r) != 1 || r[0].Text != warnLong {
		t.Errorf("/warn, 4,106 typed after a quoted code: %.100q", texts(r))
	}
	if r := tm.as("7364", "Rosa", commands.Request{Command: "warn", Args: atLimit, Quote: quote}); len(r) == 0 || receiptRE.FindString(r[len(r)-1].Text) == "" {
		t.Errorf("/warn, 4,096 typed after a quoted code: %.100q", texts(r))
	}
}
