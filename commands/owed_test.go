package commands_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
)

// A message whose receipt is owed (refused twice as it was spooled),
// delivered again by the platform (a restart before it was confirmed),
// is answered once with that receipt: not told as owed and then answered
// as the spooled message again. So during the outage, after Redis is
// back, and after the replay; and the next message does not tell it
// again.
func TestRedeliveredMessageWithAnOwedReceiptIsAnsweredOnce(t *testing.T) {
	commands.ShortReceiptRetry(t)
	for _, when := range []string{"outage", "redis back", "replayed"} {
		t.Run(strings.ReplaceAll(when, " ", "_"), func(t *testing.T) {
			srv, st, sp, _, mux := spooling(t)
			ctx := context.Background()
			msg, _ := loadMessages()
			srv.Stop()
			const text = "cobran piso en el mercado"
			w := &refusingReplier{refuse: func(rep commands.Reply) bool { return codeRE.MatchString(rep.Text) }}
			mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "83", ChatID: "83", Text: text, EventID: 1}, w)
			p := st.Pseudonym("telegram", "83")
			code, _ := sp.ReceiptOf(p, 1)
			if len(sp.OwedReceipts(p)) != 1 {
				t.Fatal("the refused receipt is not owed")
			}
			if when != "outage" {
				srv.Restart()
				for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond)
				}
			}
			if when == "replayed" {
				if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
					t.Fatalf("replay: %d %v", n, err)
				}
			}
			do := telegramUser(mux, "83")
			r := do(commands.Request{Text: text, EventID: 1})
			if len(r) != 1 || r[0].Text != msg.Localize("en", "spool_receipt_owed", map[string]any{"Receipt": code}) {
				t.Fatalf("the message delivered again: %q", texts(r))
			}
			if len(sp.OwedReceipts(p)) != 0 {
				t.Fatal("told, and still owed")
			}
			if r := do(commands.Request{Command: "help", CommandAtStart: true, EventID: 2}); len(r) != 1 || strings.Contains(r[0].Text, code) {
				t.Fatalf("the next message: %q", texts(r))
			}
			if when != "outage" {
				if _, err := st.Draft(ctx, p); err == nil {
					t.Fatal("the message delivered again started a draft")
				}
			}
		})
	}
}

// A receipt owed for a tip that holds its reporter's own name carries
// the note the receipt would have carried, said of that earlier message
// (not of "your message", which after "A message you sent earlier" reads
// as the one being answered now), in every language.
func TestOwedReceiptKeepsTheOwnNameNote(t *testing.T) {
	commands.ShortReceiptRetry(t)
	srv, st, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	srv.Stop()
	w := &refusingReplier{refuse: func(rep commands.Reply) bool { return codeRE.MatchString(rep.Text) }}
	for i, text := range []string{"cobran piso en el mercado. Saludos, Pedro Martínez", "cobran piso en la tienda"} {
		mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "84", ChatID: "84", Name: "Pedro Martínez",
			Text: text, EventID: int64(1 + i)}, w)
	}
	p := st.Pseudonym("telegram", "84")
	signed, _ := sp.ReceiptOf(p, 1)
	unsigned, _ := sp.ReceiptOf(p, 2)
	r := telegramUser(mux, "84")(commands.Request{Command: "help", CommandAtStart: true, EventID: 3})
	want := []string{
		msg.Localize("en", "spool_receipt_owed", map[string]any{"Receipt": signed}) + "\n\n" + msg.Localize("en", "own_name_owed", nil),
		msg.Localize("en", "spool_receipt_owed", map[string]any{"Receipt": unsigned}),
	}
	if len(r) != 3 || r[0].Text != want[0] || r[1].Text != want[1] {
		t.Fatalf("the next message: %q", texts(r))
	}
	for _, lang := range locales.Supported {
		if owed := msg.Localize(lang, "own_name_owed", nil); owed == "own_name_owed" || owed == msg.Localize(lang, "own_name_sent", nil) {
			t.Errorf("%s: the owed receipt's note is %q", lang, owed)
		}
	}
}

// droppingSpool is a spool whose every owed receipt drops two older
// ones (past the limit of receipts owed at once).
type droppingSpool struct{ *storage.Spool }

func (s droppingSpool) OweReceipt(o storage.OwedReceipt) (int, error) {
	_, err := s.Spool.OweReceipt(o)
	return 2, err
}

// Owed receipts dropped past the limit are lost to their reporters: an
// ERROR line counts them, and says nothing else.
func TestOwedReceiptsDroppedAreLogged(t *testing.T) {
	commands.ShortReceiptRetry(t)
	srv, st, sp, _, _ := spooling(t)
	msg, _ := loadMessages()
	logs := &bytes.Buffer{}
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Spool: droppingSpool{sp},
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	srv.Stop()
	w := &refusingReplier{refuse: func(rep commands.Reply) bool { return codeRE.MatchString(rep.Text) }}
	mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "85", ChatID: "85", Text: "cobran piso en el mercado", EventID: 1}, w)
	code, _ := sp.ReceiptOf(st.Pseudonym("telegram", "85"), 1)
	line := ""
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "oldest dropped") {
			line = l
		}
	}
	if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "count=2") {
		t.Fatalf("no ERROR line counting the drop:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), code) || strings.Contains(logs.String(), "mercado") {
		t.Fatalf("the log names the reporter or the tip:\n%s", logs.String())
	}
}

// A reporter left without an answer writes again, often the same words:
// a new message (another event), which only resembles the one whose
// receipt is owed. The owed receipt is told first, and the new message is
// kept all the same (a tip of its own during the outage, a draft once
// Redis is back), never taken for the message delivered again.
func TestNewMessageLikeTheOwedOneIsKept(t *testing.T) {
	commands.ShortReceiptRetry(t)
	for _, when := range []string{"outage", "redis back"} {
		t.Run(strings.ReplaceAll(when, " ", "_"), func(t *testing.T) {
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
			sp, err := storage.OpenSpool(t.TempDir(), kr)
			if err != nil {
				t.Fatal(err)
			}
			down := &atomic.Bool{}
			e := newHookedEnv(t, nil, downAll{down}, func(o *commands.Options) { o.Spool = sp })
			const text = "cobran piso en el mercado"
			down.Store(true)
			w := &refusingReplier{refuse: func(rep commands.Reply) bool { return codeRE.MatchString(rep.Text) }}
			e.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: reporterID, ChatID: reporterID, Text: text, EventID: 900}, w)
			p := e.store.Pseudonym("telegram", reporterID)
			code, _ := sp.ReceiptOf(p, 900)
			if len(sp.OwedReceipts(p)) != 1 {
				t.Fatal("the refused receipt is not owed")
			}
			down.Store(when == "outage")
			r := e.do(reporterID, commands.Request{Text: text, EventID: 901})
			if len(r) != 2 || r[0].Text != e.text("es", "spool_receipt_owed", map[string]any{"Receipt": code}) {
				t.Fatalf("the new message: %+v", r)
			}
			if when == "outage" {
				again, err := sp.ReceiptOf(p, 901)
				if _, spooled := sp.Spooled(p, 901); err != nil || !spooled || again == code ||
					r[1].Text != e.text("es", "spool_received", map[string]any{"Receipt": again}) {
					t.Fatalf("the new message not spooled as a tip of its own (%v): %+v", err, r)
				}
				return
			}
			if d, err := e.store.Draft(context.Background(), p); err != nil || d.Parts != 1 {
				t.Fatalf("the new message not kept in a draft: %+v %v; answered %+v", d, err, r)
			}
		})
	}
}
