package commands_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// wipedAfterOutage spools a tip (event 100, message 5) while Redis is
// down, brings Redis back, replays the spool if replay is set, and has
// the reporter wipe their chat (/wipe, event 101, message 7). It returns
// the first answer's receipt and a function that hands a request from
// the reporter to mux (the one given, or another: a restart).
func wipedAfterOutage(t *testing.T, replay bool) (srv interface{ Stop() }, st *storage.Store, sp *storage.Spool, dir string, mux *commands.Mux, receipt string, say func(*commands.Mux, commands.Request) []commands.Reply) {
	t.Helper()
	s, st, sp, dir, mux := spooling(t)
	ctx := context.Background()
	p := &platform{recorder: &recorder{}}
	mux.AddSender("telegram", p)
	say = func(mux *commands.Mux, req commands.Request) []commands.Reply {
		req.Platform, req.UserID, req.ChatID, req.UserChat, req.ChatKind = "telegram", "71", "71", "71", commands.Private
		rec := &recorder{}
		mux.Handle(ctx, req, rec)
		return rec.take()
	}
	s.Stop()
	first := say(mux, commands.Request{Text: "cobran piso en el mercado", EventID: 100, MessageID: "5"})
	if len(first) != 1 || codeRE.FindString(first[0].Text) == "" {
		t.Fatalf("the tip in the outage: %+v", first)
	}
	receipt = codeRE.FindString(first[0].Text)
	s.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if replay {
		if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
			t.Fatalf("replay: %d %v", n, err)
		}
	}
	if r := say(mux, commands.Request{Command: "wipe", CommandAtStart: true, EventID: 101, MessageID: "7"}); len(r) != 0 {
		t.Fatalf("/wipe answered: %+v", r)
	}
	if _, wiped := p.took(); len(wiped) != 1 || wiped[0] != "71/7" {
		t.Fatalf("wiped: %v", wiped)
	}
	return s, st, sp, dir, mux, receipt, say
}

// A tip spooled in an outage and replayed, delivered again by the
// platform after the reporter wiped the chat, is answered with nothing
// (sentAgain, reached through the draft's refusal of a sent event): not
// its receipt back in the wiped chat; nor after a restart (a new process
// on the same spool, whose memory holds no wipe: the mark is in Redis).
// The tip stays stored, once. A message sent after the wipe is answered.
// Mutation: wipedBefore always false: the receipt is answered again.
func TestWipedChatRedeliveredReplayedTipNotAnswered(t *testing.T) {
	_, st, sp, _, mux, receipt, say := wipedAfterOutage(t, true)
	ctx := context.Background()
	tip := commands.Request{Text: "cobran piso en el mercado", EventID: 100, MessageID: "5"}
	if r := say(mux, tip); len(r) != 0 {
		t.Fatalf("delivered again after the wipe, answered in the wiped chat: %+v", r)
	}
	// A restart, or another replica: a new engine (whose memory holds no
	// wipe) on the same spool, which still holds the receipt.
	msg, _ := loadMessages()
	other := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Spool: sp,
		Roles: commands.Roles{"telegram:9": commands.Investigator}, Logger: slog.New(slog.DiscardHandler)})
	other.AddSender("telegram", &platform{recorder: &recorder{}})
	if r := say(other, tip); len(r) != 0 {
		t.Fatalf("delivered again after the wipe, to a restarted process: %+v", r)
	}
	if got, err := st.TipByReceipt(ctx, receipt); err != nil || got.Content.Text() != tip.Text {
		t.Fatalf("the tip: %q %v", got.Content.Text(), err)
	}
	if recent, err := st.Recent(ctx, 10); err != nil || len(recent) != 1 {
		t.Fatalf("tips stored: %d %v", len(recent), err)
	}
	if r := say(mux, commands.Request{Text: "y también venden armas", EventID: 102, MessageID: "8"}); len(r) != 1 {
		t.Fatalf("a message after the wipe: %+v", r)
	}
}

// The same with a file (its text spooled, the file lost in the outage):
// delivered again after the wipe, the file's event is found sent
// (EventSent) and answered with nothing. Mutation: wipedBefore always
// false: the receipt is answered again.
func TestWipedChatRedeliveredReplayedFileNotAnswered(t *testing.T) {
	s, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	p := &platform{recorder: &recorder{}}
	mux.AddSender("telegram", p)
	say := func(req commands.Request) []commands.Reply {
		req.Platform, req.UserID, req.ChatID, req.UserChat, req.ChatKind = "telegram", "71", "71", "71", commands.Private
		rec := &recorder{}
		mux.Handle(ctx, req, rec)
		return rec.take()
	}
	photo := commands.Request{Text: "el que cobra", EventID: 100, MessageID: "5",
		Attachment: &tips.Attachment{Kind: tips.Document}, FileData: []byte("%PDF-1.4 not much")}
	s.Stop()
	if r := say(photo); len(r) != 1 || codeRE.FindString(r[0].Text) == "" {
		t.Fatalf("the file in the outage: %+v", r)
	}
	s.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	say(commands.Request{Command: "wipe", CommandAtStart: true, EventID: 101, MessageID: "7"})
	if r := say(photo); len(r) != 0 {
		t.Fatalf("the file delivered again after the wipe, answered in the wiped chat: %+v", r)
	}
}

// A tip spooled in an outage, not replayed yet, delivered again after
// the reporter wiped the chat (Redis back): the spool's branch answers
// nothing, and the replay still stores it, once. Mutation: wipedBefore
// always false: spool_received is answered again.
func TestWipedChatRedeliveredSpooledTipNotAnswered(t *testing.T) {
	_, st, sp, _, mux, receipt, say := wipedAfterOutage(t, false)
	ctx := context.Background()
	tip := commands.Request{Text: "cobran piso en el mercado", EventID: 100, MessageID: "5"}
	if r := say(mux, tip); len(r) != 0 {
		t.Fatalf("spooled, delivered again after the wipe, answered in the wiped chat: %+v", r)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if got, err := st.TipByReceipt(ctx, receipt); err != nil || got.Content.Text() != tip.Text {
		t.Fatalf("the tip: %q %v", got.Content.Text(), err)
	}
}

// A delayed wipe marks, when it runs, the message it was set from: a
// tip spooled and replayed before it, delivered again after it ran, is
// answered with nothing. Mutation: runWipe without markWiped: the
// receipt is answered again.
func TestWipedChatLaterRedeliveredTipNotAnswered(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	e, srv := newEngine(t, "wl", p, commands.Options{Spool: sp})
	if !srv.Real {
		t.Skip("needs a real redis-server to stop and restart")
	}
	ctx := context.Background()
	say := func(req commands.Request) []commands.Reply {
		req.Platform, req.UserID, req.ChatID, req.UserChat, req.ChatKind = "telegram", "71", "71", "71", commands.Private
		rec := &recorder{}
		e.mux.Handle(ctx, req, rec)
		return rec.take()
	}
	tip := commands.Request{Text: "cobran piso en el mercado", EventID: 100, MessageID: "5"}
	srv.Stop()
	if r := say(tip); len(r) != 1 || codeRE.FindString(r[0].Text) == "" {
		t.Fatalf("the tip in the outage: %+v", r)
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); e.store.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, e.store); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if r := say(commands.Request{Command: "wipe", Args: "1h", CommandAtStart: true, EventID: 101, MessageID: "7"}); len(r) != 1 {
		t.Fatalf("/wipe 1h: %+v", r)
	}
	e.clk.Add(61 * time.Minute)
	if err := e.mux.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, wiped := p.took(); len(wiped) != 1 || wiped[0] != "71/7" {
		t.Fatalf("wiped: %v", wiped)
	}
	if r := say(tip); len(r) != 0 {
		t.Fatalf("delivered again after the delayed wipe ran, answered in the wiped chat: %+v", r)
	}
}
