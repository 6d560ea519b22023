package commands_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A receipt code cut from a quote from another chat takes the line it
// emptied, not the quote's own blank lines: a threat written in
// paragraphs keeps them, in a tip's message and in a warning. Where the
// line cut stood between two blank ones, one stays; none is left at
// the quote's end.
// Mutation: tips.WithoutEmptiedQuoteLines dropping every blank quoted line (as
// before: blank(TrimLeft(l, "> ")) alone) -> the paragraphs' blank
// lines go, the test fails.
func TestACodeCutFromAQuoteKeepsItsBlankLines_quotes(t *testing.T) {
	ctx := context.Background()
	var seen *partsSeen
	e := newEnv(t, func(s commands.Store) commands.Store { seen = &partsSeen{Store: s}; return seen })
	code := e.sendTip("7370", "me cobran piso en el mercado")
	seen.take()
	cases := []struct{ name, quote, want string }{
		{"a code on the last line", "si no pagas\n\nte levantamos\n\n" + code,
			"> si no pagas\n>\n> te levantamos\n\nme amenazan"},
		{"a code between paragraphs", "si no pagas\n\n" + code + "\n\nte levantamos",
			"> si no pagas\n>\n> te levantamos\n\nme amenazan"},
		{"a code within a line", "si no pagas " + code + "\n\nte levantamos",
			"> si no pagas \n>\n> te levantamos\n\nme amenazan"},
		{"a code on the first line", code + "\n\nsi no pagas\n\nte levantamos",
			"> si no pagas\n>\n> te levantamos\n\nme amenazan"},
	}
	for i, c := range cases {
		user := "737" + strconv.Itoa(1+i)
		r := e.do(user, commands.Request{Text: commands.WithQuote(c.quote, "me amenazan"), Quote: c.quote})
		if parts := seen.take(); len(parts) != 1 || parts[0] != c.want {
			t.Errorf("%s: kept %q, want %q (answered %.80q)", c.name, parts, c.want, texts(r))
		}
	}
	r := e.do("7380", commands.Request{Command: "warn", Args: "me amenazan", Quote: cases[1].quote})
	w, err := e.store.TipByReceipt(ctx, receiptRE.FindString(r[0].Text))
	if err != nil {
		t.Fatalf("/warn: answered %q (%v)", texts(r), err)
	}
	if got, _ := e.store.Tip(ctx, w.ID); got.Content.Text() != cases[1].want {
		t.Errorf("/warn: stored %q, want %q", got.Content.Text(), cases[1].want)
	}
}
