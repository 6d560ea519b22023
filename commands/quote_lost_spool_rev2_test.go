package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A private message that replied to a message in another chat quoting
// none of its words (Request.QuoteLost: only a quote of them reaches the
// bot) is told they did not come when kept in a draft (bdb69fc); spooled
// while Redis is down it is told so too: with its receipt, delivered
// again by the platform (before the replay and after it), and with the
// receipt owed when the platform refused it. A message that replied to
// nothing elsewhere is told nothing of the kind.
// Mutations: quoteLostNote returning "" -> the spooled and redelivered
// answers lack quote_not_received, the test fails; the owed receipt not
// keeping QuoteLost -> the owed answer lacks it, fails.
func TestASpooledReplyFromAnotherChatWithoutAQuoteIsToldSo_rev2(t *testing.T) {
	ctx := context.Background()
	srv, st, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	note := "\n\n" + msg.Localize("en", "quote_not_received", nil)
	say := func(user string, event int64, lost bool) []commands.Reply {
		rec := &recorder{}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: user, ChatID: user, EventID: event,
			Text: "esto me mandaron ayer", QuoteLost: lost}, rec)
		return rec.take()
	}
	srv.Stop()
	first := say("741", 100, true)
	code := codeRE.FindString(first[0].Text)
	if len(first) != 1 || code == "" {
		t.Fatalf("spooled: answered %+v", first)
	}
	if first[0].Text != msg.Localize("en", "spool_received", map[string]any{"Receipt": code})+note {
		t.Errorf("spooled: answered %q, want the receipt and %q", first[0].Text, note)
	}
	if again := say("741", 100, true); len(again) != 1 || again[0].Text != msg.Localize("en", "spool_received", map[string]any{"Receipt": code})+note {
		t.Errorf("redelivered before the replay: %+v, first answer %q", again, first[0].Text)
	}
	if r := say("742", 100, false); len(r) != 1 || codeRE.FindString(r[0].Text) == "" || r[0].Text != msg.Localize("en", "spool_received", map[string]any{"Receipt": codeRE.FindString(r[0].Text)}) {
		t.Errorf("spooled, replying to nothing elsewhere: answered %+v", r)
	}

	w, refused := receiptRefuser()
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "743", ChatID: "743", EventID: 1, Text: "esto me mandaron", QuoteLost: true}, w)
	if got := w.take(); *refused != 2 || len(got) != 0 {
		t.Fatalf("%d refused, then %+v", *refused, got)
	}
	owed, _ := sp.ReceiptOf(st.Pseudonym("telegram", "743"), 1)
	r := telegramUser(mux, "743")(commands.Request{Command: "help", CommandAtStart: true, EventID: 2})
	if want := msg.Localize("en", "spool_receipt_owed", map[string]any{"Receipt": owed}) + note; len(r) != 2 || owed == "" || r[0].Text != want {
		t.Errorf("the next message: %+v, want first %q", r, want)
	}

	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 3 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if again := say("741", 100, true); len(again) != 1 || again[0].Text != msg.Localize("en", "sent", map[string]any{"Receipt": code})+note {
		t.Errorf("redelivered after the replay: %+v", again)
	}
}
