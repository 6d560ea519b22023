package commands_test

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// A reporter who signs an answer to investigators' question with their
// own name is told, with "delivered", that investigators will read it
// (it went as written; there is nothing to cancel); as with /reply CODE
// answer. An answer without it, or whose name is someone else's, is not.
func TestOwnNameInAnAnswerIsPointedOut(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?", "¿A qué hora?", "¿Cuántos son?")
	const name = "Rosa Gómez"
	done := tm.text("en", "answer_done", nil)
	told := done + "\n\n" + tm.text("en", "own_name_sent", nil)
	for _, c := range []struct {
		req  commands.Request
		want string
	}{
		{commands.Request{Text: "El lunes. Saludos, rosa gomez", ReplyToBot: true, ReplyToID: "m1"}, told},
		{commands.Request{Text: "A las nueve, dijo Pedro Martínez", ReplyToBot: true, ReplyToID: "m2"}, done},
		{commands.Request{Command: "reply", Args: receipt + " Son tres. Rosa Gómez", CommandAtStart: true}, told},
	} {
		if r := tm.as(reporterID, name, c.req); len(r) != 1 || r[0].Text != c.want {
			t.Errorf("%q%q: %q", c.req.Text, c.req.Args, texts(r))
		}
	}
}

// A tip spooled while Redis is down, signed with its reporter's name, is
// pointed out with its receipt: it is a tip of its own, already kept.
func TestOwnNameInASpooledTipIsPointedOut(t *testing.T) {
	srv, _, _, _, mux := spooling(t)
	msg, _ := locales.Load()
	srv.Stop()
	for i, c := range []struct {
		text string
		told bool
	}{
		{"cobran piso en el mercado. Saludos, Pedro Martínez", true},
		{"cobran piso en la tienda", false},
	} {
		rec := &recorder{}
		mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "79", ChatID: "79", Name: "Pedro Martínez",
			Text: c.text, EventID: int64(1 + i)}, rec)
		r := rec.take()
		code := codeRE.FindString(r[0].Text)
		want := msg.Localize("en", "spool_received", map[string]any{"Receipt": code})
		if c.told {
			want += "\n\n" + msg.Localize("en", "own_name_sent", nil)
		}
		if len(r) != 1 || code == "" || r[0].Text != want {
			t.Errorf("%q: %q", c.text, texts(r))
		}
	}
}
