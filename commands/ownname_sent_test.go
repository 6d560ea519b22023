package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
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
	msg, _ := loadMessages()
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

// A spooled tip signed with its reporter's name, delivered again by the
// platform (a restart before it was confirmed; the first answer may have
// been lost), is answered with its receipt and the same note, before the
// replay and after it.
func TestOwnNameNoteGoesWithARedeliveredSpooledTip(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	note := "\n\n" + msg.Localize("en", "own_name_sent", nil)
	say := func() []commands.Reply {
		rec := &recorder{}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "86", ChatID: "86", Name: "Pedro Martínez",
			Text: "cobran piso en el mercado. Saludos, Pedro Martínez", EventID: 5}, rec)
		return rec.take()
	}
	srv.Stop()
	first := say()
	code := codeRE.FindString(first[0].Text)
	if code == "" || !strings.HasSuffix(first[0].Text, note) {
		t.Fatalf("the first answer: %q", texts(first))
	}
	if again := say(); len(again) != 1 || again[0].Text != first[0].Text {
		t.Fatalf("delivered again before the replay: %q", texts(again))
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if again := say(); len(again) != 1 || again[0].Text != msg.Localize("en", "sent", map[string]any{"Receipt": code})+note {
		t.Fatalf("delivered again after the replay: %q", texts(again))
	}
}
