package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A tip whose link ends in one or two of the marks that may set a code's
// piece off in an address, right after its last "/", "?", "=", … ("…
// https://youtu.be/.", a link at a sentence's end; "…/-", "?c=_") is
// received and stored as written, live, in a /reply's answer and at the
// replay of a message spooled in an outage. linkSpans read the character
// past the address's end there: the scan panicked, the handler answered
// error_internal and the tip could not be sent, and a spooled one stopped
// the spool's replay at each try.
// Mutation: linkSpans without its "p >= te" check → this test fails.
func TestTipEndingInALinkWithAMarkIsStored(t *testing.T) {
	msgs := []string{
		"vean el video de 2024 https://youtu.be/.",
		"mi código K7QD 9XMA R2TP /_",
		"pagaron 5000 en la esquina 14 https://x.example/?c=**",
		"halcones en la calle 5 https://x.example/-",
	}
	words := []string{"vean el video de 2024", "K7QD 9XMA R2TP", "pagaron 5000 en la esquina 14", "halcones en la calle 5"}
	t.Run("live", func(t *testing.T) {
		tm := newTeam(t)
		for i, msg := range msgs {
			r := tm.as(reporterID, "R", commands.Request{Text: msg})
			if press(r, "send:") == "" {
				t.Fatalf("%q: no Send: %q", msg, texts(r))
			}
			if r := tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")}); len(r) == 0 || codeRE.FindString(r[0].Text) == "" {
				t.Fatalf("%q: not received: %q", msg, texts(r))
			}
			id := fmt.Sprint(i + 1)
			if shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: id}); len(shown) == 0 || !strings.Contains(shown[0].Text, words[i]) {
				t.Errorf("/tip %s: %q, want %q", id, texts(shown), msg)
			}
		}
	})
	t.Run("reply", func(t *testing.T) {
		for _, msg := range msgs {
			tm, receipt := questioned(t, "¿Cuándo?")
			if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " " + msg}); len(r) == 0 || !tm.answered(r[len(r)-1:]) {
				t.Errorf("/reply %q: %q", msg, texts(r))
			}
		}
	})
	t.Run("replay", func(t *testing.T) {
		srv, st, sp, _, mux := spooling(t)
		do := telegramUser(mux, "79")
		for i, receipt := range spoolThenReplay(t, srv, st, sp, do, 10, msgs) {
			tip, err := st.TipByReceipt(context.Background(), receipt)
			if err != nil || tip.Content.Text() != msgs[i] {
				t.Errorf("replayed %q: %q %v", msgs[i], tip.Content.Text(), err)
			}
		}
		if sp.Len() != 0 {
			t.Errorf("%d left in the spool", sp.Len())
		}
	})
}
