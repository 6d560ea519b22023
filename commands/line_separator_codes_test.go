package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A receipt code continued on a quoted line after a Unicode line break
// (U+2028, U+2029 or U+0085 where "\n" would be: "K7QD-9XMA-\u2028>
// R2TP-4WZN") reads as the code to an investigator, as each is shown as a
// line break: it is cut live and at the replay of a message spooled in
// an outage, /status reads it, and alone it is refused in an outage.
// Mutation: lineBreak reading "\n" and "\r" alone → this test fails
// (live, replay, /status and the outage).
func TestReceiptCodeContinuedAfterAUnicodeLineBreakIsNotShown(t *testing.T) {
	ways := func(code string) []string {
		head, tail := code[:10], code[10:] // "K7QD-9XMA-", "R2TP-4WZN"
		return []string{
			head + "\u2028> " + tail,
			head + "\u2029>> " + tail,
			head + "\u0085> > " + tail,
			code[:9] + " -\u2028> " + tail,
			head + "\u2028" + tail,
		}
	}
	shows := func(text, code string) bool {
		return strings.Contains(text, code[:9]) || strings.Contains(text, code[10:])
	}
	t.Run("live", func(t *testing.T) {
		tm := newTeam(t)
		r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
		code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
		for i, written := range ways(code) {
			if got, ok, _ := commands.ReceiptAlone(written); !ok || got != code {
				t.Errorf("/status %q reads %q %v", written, got, ok)
			}
			if !commands.RefusedInOutage(written) {
				t.Errorf("%q alone would be spooled in an outage", written)
			}
			r := tm.as(reporterID, "R", commands.Request{Text: "mi código " + written + " gracias"})
			if press(r, "send:") == "" {
				t.Fatalf("no Send: %+v", r)
			}
			tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
			id := fmt.Sprint(i + 2)
			if shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: id}); len(shown) == 0 || shows(shown[0].Text, code) || !strings.Contains(shown[0].Text, "gracias") {
				t.Errorf("/tip %s shows the code written %q: %+v", id, written, shown)
			}
		}
	})
	t.Run("replay", func(t *testing.T) {
		srv, st, sp, _, mux := spooling(t)
		do := telegramUser(mux, "79")
		r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
		code := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
		var msgs []string
		for _, written := range ways(code) {
			msgs = append(msgs, "mi código "+written+" gracias")
		}
		for i, receipt := range spoolThenReplay(t, srv, st, sp, do, 10, msgs) {
			tip, err := st.TipByReceipt(context.Background(), receipt)
			if err != nil || shows(tip.Content.Text(), code) || !strings.Contains(tip.Content.Text(), "gracias") {
				t.Errorf("replayed %q: %q %v", msgs[i], tip.Content.Text(), err)
			}
		}
	})
}
