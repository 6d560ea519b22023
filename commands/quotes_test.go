package commands_test

import (
	"context"
	"strconv"
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

// "/reply CODE <answer>" and "/warn <words>" sent as a reply in another
// chat, quoting words of the message they answer there (what the
// extortionist wrote), keep those words first, marked "> ", as a
// message and "/report" do (e20ccd1): the investigator who asked reads
// them in the answer, the warning holds them. A quote with no words of
// the reporter's own is the answer, or the warning. Neither counts the
// quote against a message's limit.
// Mutations: replyCommand reading rest alone (as before) -> Ana is told
// the words without the quote, the test fails; warn reading Args alone
// -> the warning is stored without it, fails; warn counting the quote in
// typed -> the long warning is refused message_too_long, fails.
func TestReplyAndWarnKeepTheWordsTheyQuote_quotes(t *testing.T) {
	ctx := context.Background()
	const quote = "si no pagas\nte levantamos"
	tm, receipt := questioned(t, "¿Qué le escribió?")
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " esto me mandó", Quote: quote}); !tm.answered(r) {
		t.Fatalf("/reply quoting: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué le escribió?", commands.WithQuote(quote, "esto me mandó")) {
		t.Errorf("/reply quoting: Ana was told %q", n)
	}
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Y después?"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt, Quote: quote}); !tm.answered(r) {
		t.Fatalf("/reply CODE quoting, no words: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Y después?", commands.WithQuote(quote, "")) {
		t.Errorf("/reply CODE quoting, no words: Ana was told %q", n)
	}

	long, longQuote := strings.Repeat("w", 4000), strings.Repeat("te vamos a matar ", 60)
	for i, c := range []struct{ name, quote, args, want string }{
		{"/warn <words>", quote, "hay halcones en la plaza", commands.WithQuote(quote, "hay halcones en la plaza")},
		{"a bare /warn", quote, "", commands.WithQuote(quote, "")},
		{"/warn of 4,000 characters after 1,020 quoted", longQuote, long, commands.WithQuote(longQuote, long)},
	} {
		user := "73" + strconv.Itoa(10+i)
		r := tm.as(user, "Rosa", commands.Request{Command: "warn", Args: c.args, Quote: c.quote})
		code := receiptRE.FindString(r[0].Text)
		if code == "" {
			t.Errorf("%s: answered %q", c.name, texts(r))
			continue
		}
		w, err := tm.store.TipByReceipt(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := tm.store.Tip(ctx, w.ID); got.Content.Text() != c.want {
			t.Errorf("%s: stored %.80q, want %.80q", c.name, got.Content.Text(), c.want)
		}
	}
}

// A quote from another chat whose words were a receipt code alone (cut
// out, for source protection) leaves no empty "> " line before the
// reporter's words, in a tip's message, an answer after Answer, /reply
// or /warn; a quoted line of the code alone goes, the quote's other
// lines stay. A quote of the code alone with no words keeps nothing.
// Mutation: tips.WithoutEmptiedQuoteLines returning text as it is -> "> " (and
// the blank line after it) opens what is kept, the test fails.
func TestACodeQuotedAloneLeavesNoEmptyQuoteLine_quotes(t *testing.T) {
	ctx := context.Background()
	var seen *partsSeen
	e := newEnv(t, func(s commands.Store) commands.Store { seen = &partsSeen{Store: s}; return seen })
	code := e.sendTip("7320", "me cobran piso en el mercado")
	seen.take()
	for i, c := range []struct{ name, quote, text, want string }{
		{"a code alone quoted", code, "me amenazan", "me amenazan"},
		{"a code on a line of the quote", "me escribió:\n" + code, "me amenazan", "> me escribió:\n\nme amenazan"},
	} {
		user := "73" + strconv.Itoa(21+i)
		r := e.do(user, commands.Request{Text: commands.WithQuote(c.quote, c.text), Quote: c.quote})
		if parts := seen.take(); len(parts) != 1 || parts[0] != c.want {
			t.Errorf("%s: kept %q, want %q (answered %q)", c.name, parts, c.want, texts(r))
		}
	}
	r := e.do("7330", commands.Request{Text: commands.WithQuote(code, ""), Quote: code})
	if parts := seen.take(); len(parts) != 0 {
		t.Errorf("a code alone quoted, no words: kept %q (answered %q)", parts, texts(r))
	}

	tm, receipt := questioned(t, "¿Qué día?", "¿Qué hora?")
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	tm.as(reporterID, "Rosa", commands.Request{Text: commands.WithQuote(receipt, "El lunes"), Quote: receipt})
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Errorf("an answer after Answer: Ana was told %q", n)
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " A las 9", Quote: receipt})
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué hora?", "A las 9") {
		t.Errorf("/reply: Ana was told %q", n)
	}
	r = tm.as("7340", "Rosa", commands.Request{Command: "warn", Args: "hay halcones", Quote: receipt})
	w, err := tm.store.TipByReceipt(ctx, receiptRE.FindString(r[0].Text))
	if err != nil {
		t.Fatalf("/warn: answered %q (%v)", texts(r), err)
	}
	if got, _ := tm.store.Tip(ctx, w.ID); got.Content.Text() != "hay halcones" {
		t.Errorf("/warn: stored %q", got.Content.Text())
	}
}
