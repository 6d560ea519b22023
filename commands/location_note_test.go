package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A location is kept to about 1 km and a place's name and address not at
// all: the reporter who sends one (the house where someone is held, say)
// is told so, in their language, with the draft's answer, and asked to
// write the address if the exact place matters. A part without a
// location is answered as before.
func TestReporterIsToldALocationIsKeptApproximately(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range []string{"es", "en", "fr", "pt-BR"} {
		user := "71" + strings.ReplaceAll(lang, "-", "")
		r := e.do(user, commands.Request{Location: &tips.Location{Lat: 20.640123, Lon: -103.311456}, Language: lang})
		want := e.text(lang, "location_coarse", nil) + "\n\n" + e.text(lang, "draft_started", nil)
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, want) {
			t.Fatalf("%s: a location starting a draft answered %+v, want it to begin %q", lang, r, want)
		}
		r = e.do(user, commands.Request{Location: &tips.Location{Lat: 20.65, Lon: -103.32}, Language: lang})
		if want := e.text(lang, "location_coarse", nil) + "\n\n" + e.text(lang, "draft_added", nil, 2); len(r) != 1 || r[0].Text != want {
			t.Fatalf("%s: a location added answered %+v, want %q", lang, r, want)
		}
		r = e.do(user, commands.Request{Text: "la casa de seguridad tiene portón negro", Language: lang})
		if len(r) != 1 || r[0].Text != e.text(lang, "draft_added", nil, 3) {
			t.Fatalf("%s: a text part answered %+v", lang, r)
		}
	}
}

// While Redis is down a location is spooled as a tip of its own: its
// receipt says the same of it.
func TestSpooledLocationIsToldKeptApproximately(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	srv.Stop()
	rec := &recorder{}
	mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "701", ChatID: "701", EventID: 100,
		Location: &tips.Location{Lat: 20.640123, Lon: -103.311456}}, rec)
	r := rec.take()
	code := codeRE.FindString(r[0].Text)
	want := msg.Localize("en", "spool_received", map[string]any{"Receipt": code}) + "\n\n" + msg.Localize("en", "location_coarse", nil)
	if len(r) != 1 || code == "" || r[0].Text != want || sp.Len() != 1 {
		t.Fatalf("a location during the outage answered %+v (spool holds %d), want %q", r, sp.Len(), want)
	}
}

// A spooled location delivered again by the platform (a restart before it
// heard the message was handled, the first answer maybe never sent) is
// answered as the first answer was, the note included: before the replay
// and after it.
func TestRedeliveredSpooledLocationIsToldKeptApproximately(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	note := "\n\n" + msg.Localize("en", "location_coarse", nil)
	say := func() []commands.Reply {
		rec := &recorder{}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "702", ChatID: "702", EventID: 100,
			Location: &tips.Location{Lat: 20.640123, Lon: -103.311456}}, rec)
		return rec.take()
	}
	srv.Stop()
	first := say()
	code := codeRE.FindString(first[0].Text)
	if len(first) != 1 || code == "" || !strings.HasSuffix(first[0].Text, note) {
		t.Fatalf("a location during the outage answered %+v", first)
	}
	if again := say(); len(again) != 1 || again[0].Text != first[0].Text {
		t.Fatalf("redelivered before the replay: %+v, first answer %q", again, first[0].Text)
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if again := say(); len(again) != 1 || again[0].Text != msg.Localize("en", "sent", map[string]any{"Receipt": code})+note {
		t.Fatalf("redelivered after the replay: %+v", again)
	}
	if list, _ := st.Recent(ctx, 10); len(list) != 1 {
		t.Fatalf("%d tips", len(list))
	}
}

// A spooled location's receipt the platform refuses twice is told with
// the reporter's next message: with the note its first answer had.
func TestOwedReceiptOfASpooledLocationSaysItsNote(t *testing.T) {
	commands.ShortReceiptRetry(t)
	srv, st, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	srv.Stop()
	w, refused := receiptRefuser()
	mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "703", ChatID: "703", EventID: 1,
		Location: &tips.Location{Lat: 20.640123, Lon: -103.311456}}, w)
	if got := w.take(); *refused != 2 || len(got) != 0 {
		t.Fatalf("%d refused, then %+v", *refused, got)
	}
	code, _ := sp.ReceiptOf(st.Pseudonym("telegram", "703"), 1)
	want := msg.Localize("en", "spool_receipt_owed", map[string]any{"Receipt": code}) + "\n\n" + msg.Localize("en", "location_coarse", nil)
	r := telegramUser(mux, "703")(commands.Request{Command: "help", CommandAtStart: true, EventID: 2})
	if len(r) != 2 || code == "" || r[0].Text != want || r[1].Text != msg.Localize("en", "help", nil) {
		t.Fatalf("the next message: %+v, want first %q", r, want)
	}
}
