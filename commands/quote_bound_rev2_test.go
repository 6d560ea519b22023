package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A quote is left out of a message's limit up to Telegram's bound on it
// (1,024 characters): words quoted past it, which no client sends (a
// forged update), count as typed. Else a 64 KB "quote" with one word
// typed was delivered whole as an answer (/reply) and stored whole as a
// warning (/warn), which no tip's limit on characters bounds, and a
// 6,800-character one kept as a tip's message. A quote of 1,024
// characters after 4,000 typed is still taken.
// Mutation: quoteRunes not bounded by maxQuoteRunes (as in 70d949f) ->
// the quotes are taken (the answer delivered, the warning and the part
// stored), the test fails.
func TestAQuotePastTelegramsBoundCountsAgainstTheLimit_rev2(t *testing.T) {
	huge := strings.Repeat("págame o te quemo el local 🔥 ", 2300) // about 64 KB
	bounded := strings.Repeat("x", 1024)
	tm, receipt := questioned(t, "¿Qué le escribió?")
	tooLong := tm.text("en", "message_too_long", map[string]any{"Max": 4096})
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " esto", Quote: huge}); len(r) != 1 || r[0].Text != tooLong {
		t.Errorf("/reply after a 64 KB quote: %.200q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Errorf("/reply after a 64 KB quote: Ana was told %d messages", len(n))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " " + strings.Repeat("w", 4000), Quote: bounded}); !tm.answered(r) {
		t.Errorf("/reply of 4,000 after a 1,024-character quote: %.200q", texts(r))
	}
	warnTooLong := tm.text("en", "warn_too_long", map[string]any{"Max": 4096})
	if r := tm.as("7350", "Rosa", commands.Request{Command: "warn", Args: "hay halcones", Quote: huge}); len(r) != 1 || r[0].Text != warnTooLong {
		t.Errorf("/warn after a 64 KB quote: %.200q", texts(r))
	}

	var seen *partsSeen
	e := newEnv(t, func(s commands.Store) commands.Store { seen = &partsSeen{Store: s}; return seen })
	long := strings.Repeat("te vamos a matar ", 400) // 6,800 characters: under a tip's limit (20,000)
	r := e.do("7351", commands.Request{Text: commands.WithQuote(long, "esto me mandaron"), Quote: long})
	if parts := seen.take(); len(parts) != 0 || len(r) != 1 || r[0].Text != e.text("es", "message_too_long", map[string]any{"Max": 4096}) {
		t.Errorf("a message after a 6,800-character quote: answered %.200q, kept %d parts", texts(r), len(parts))
	}
	r = e.do("7352", commands.Request{Text: commands.WithQuote(bounded, strings.Repeat("w", 4000)), Quote: bounded})
	if parts := seen.take(); len(parts) != 1 {
		t.Errorf("a message of 4,000 after a 1,024-character quote: answered %.200q, kept %d parts", texts(r), len(parts))
	}
}
