package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A message that quotes words of a message in another chat (Telegram's
// "reply in another chat") is held to a message's limit on what the
// reporter typed, not on the quote too: they cannot shorten or split
// someone else's words (Telegram bounds a quote to 1,024 characters), and
// were told "split it into parts" though they typed fewer than 4,096.
// Typed past the limit, it is still refused. So for an answer sent after
// pressing Answer.
// Mutation: quoteRunes returning 0 (the quote counted, as before) -> the
// tip's message and the answer are refused message_too_long, the test
// fails.
func TestAQuoteIsNotCountedAgainstAMessagesLimit_quotes(t *testing.T) {
	var seen *partsSeen
	e := newEnv(t, func(s commands.Store) commands.Store { seen = &partsSeen{Store: s}; return seen })
	quote := strings.Repeat("te vamos a matar ", 60) // 1,020 characters
	typed := strings.Repeat("w", 4000)
	r := e.do("7301", commands.Request{Text: commands.WithQuote(quote, typed), Quote: quote})
	if parts := seen.take(); len(parts) != 1 || parts[0] != commands.WithQuote(quote, typed) {
		t.Errorf("a quote and 4,000 typed characters: answered %q, kept %d parts", texts(r), len(parts))
	}
	tooLong := e.text("es", "message_too_long", map[string]any{"Max": 4096})
	r = e.do("7302", commands.Request{Text: commands.WithQuote(quote, typed+strings.Repeat("w", 97)), Quote: quote})
	if parts := seen.take(); len(parts) != 0 || len(r) != 1 || r[0].Text != tooLong {
		t.Errorf("a quote and 4,097 typed characters: answered %q, kept %d parts; want message_too_long", texts(r), len(parts))
	}

	tm, _ := questioned(t, "¿Qué día?")
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: commands.WithQuote(quote, typed), Quote: quote}); !tm.answered(r) {
		t.Errorf("an answer quoting: %q", texts(r))
	}
}
