package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A quote of a receipt code alone is cut whole: what the reporter typed
// then opens the message, and their own lines marked ">" (a quote of
// their own, typed) are theirs, counted against the limit, not left out
// as the quote's. Words that fit once the quote's kept lines are left
// out are still taken.
// Mutation: keptQuoteRunes reading any leading ">" lines as the quote's
// (as before) -> 4,103 typed, opening "> ", are kept; the test fails.
func TestOwnQuoteMarksAfterAQuotedCodeCountAgainstTheLimit_revquotes(t *testing.T) {
	var seen *partsSeen
	e := newEnv(t, func(s commands.Store) commands.Store { seen = &partsSeen{Store: s}; return seen })
	code := e.sendTip("7370", "me cobran piso en el mercado")
	seen.take()
	tooLong := e.text("es", "message_too_long", map[string]any{"Max": 4096})
	over := "> " + strings.Repeat("w", 4096+5)
	r := e.do("7371", commands.Request{Text: commands.WithQuote(code, over), Quote: code})
	if parts := seen.take(); len(parts) != 0 || len(r) != 1 || r[0].Text != tooLong {
		t.Errorf("a code alone quoted, 4,103 typed opening \"> \": answered %.100q, kept %d parts; want message_too_long", texts(r), len(parts))
	}
	quote := "lo que dijo\n\n" + code
	atLimit := "> " + strings.Repeat("w", 4094)
	r = e.do("7372", commands.Request{Text: commands.WithQuote(quote, atLimit), Quote: quote})
	if parts := seen.take(); len(parts) != 1 {
		t.Errorf("a quote and a code, 4,096 typed opening \"> \": answered %.100q, kept %d parts", texts(r), len(parts))
	}
	warnLong := e.text("es", "warn_too_long", map[string]any{"Max": 4096})
	if r := e.do("7373", commands.Request{Command: "warn", Args: over, Quote: code}); len(r) != 1 || r[0].Text != warnLong {
		t.Errorf("/warn, a code alone quoted, 4,103 typed opening \"> \": %.100q", texts(r))
	}
}
