package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A message quoting words from another chat, spooled while Redis was
// down (its code-like words not known then to be receipt codes, so not
// cut), has a code cut from the quote at the replay as live would: the
// line the code emptied goes, the quote's blank lines stay, and a quote
// of the code alone leaves the reporter's words alone, no empty "> "
// line before them. A reporter's own "> " line (no quote) is theirs.
// Mutation: the replay not dropping the emptied quoted lines
// (SpoolEntry.Quoted ignored) -> "> " stays in the replayed tips, the
// test fails.
func TestACodeCutFromASpooledQuoteLeavesNoEmptyLine_quotes(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, "7390")
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	code := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	if code == "" {
		t.Fatal("no receipt")
	}
	srv.Stop()
	cases := []struct{ quote, text, want string }{
		{code, "me amenazan", "me amenazan"},
		{"si no pagas\n\n" + code + "\n\nte levantamos", "me amenazan", "> si no pagas\n>\n> te levantamos\n\nme amenazan"},
		{"", "> " + code + "\n\nme amenazan", "> \n\nme amenazan"},
	}
	receipts := make([]string, len(cases))
	for i, c := range cases {
		text := c.text
		if c.quote != "" {
			text = commands.WithQuote(c.quote, c.text)
		}
		r := telegramUser(mux, "739"+string(rune('1'+i)))(commands.Request{Text: text, Quote: c.quote, EventID: 10})
		if receipts[i] = codeRE.FindString(r[0].Text); receipts[i] == "" || receipts[i] == code {
			t.Fatalf("%q: not spooled: %q", text, texts(r))
		}
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != len(cases) {
		t.Fatalf("replay: %d %v", n, err)
	}
	for i, c := range cases {
		if tip, err := st.TipByReceipt(ctx, receipts[i]); err != nil || tip.Content.Text() != c.want {
			t.Errorf("quote %q: the replayed tip reads %q (%v), want %q", c.quote, tip.Content.Text(), err, c.want)
		}
	}
}
