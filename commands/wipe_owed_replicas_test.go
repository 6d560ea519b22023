package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// failingClears fails ClearAnswering while fail is set, as Redis failing
// at that step of a wipe's discard would.
type failingClears struct {
	commands.Store
	fail  atomic.Bool
	calls atomic.Int32
}

func (f *failingClears) ClearAnswering(ctx context.Context, pseudonym string) error {
	f.calls.Add(1)
	if f.fail.Load() {
		return errors.New("i/o timeout")
	}
	return f.Store.ClearAnswering(ctx, pseudonym)
}

// replica is another process's Mux over store, with its own (empty)
// memory: a second replica sharing Redis, or this one restarted.
func replica(t *testing.T, store commands.Store, base *commands.Options, sender commands.Sender, logs *bytes.Buffer) *commands.Mux {
	t.Helper()
	o := *base
	o.Store = store
	o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	mux := commands.New(o)
	mux.AddSender("telegram", sender)
	return mux
}

// A wipe whose discard fails at ClearAnswering (the draft dropped, the
// message held for the reporter's choice not) owes the rest of it, and
// not in its process's memory alone: another replica sharing Redis, or
// the process restarted, does it before its held-message sweep, which
// would otherwise remind the reporter of that message, and then tell
// them it was deleted unsent, in the chat they just wiped.
// Mutation: discardUnsent not recording the discard in Redis (no
// keepOwed), or SweepHeld not settling the discards Redis keeps →
// TestWipeOwedDiscardIsDoneByEveryReplica fails (the reminder is sent).
func TestWipeOwedDiscardIsDoneByEveryReplica(t *testing.T) {
	tm := unlinkedQuestion(t)
	ctx := context.Background()
	p := &platform{recorder: tm.sent}
	tm.mux.AddSender("telegram", p)
	held := holdEnLunes(t, tm, "r70")
	pseudonym := tm.store.Pseudonym("telegram", reporterID)

	logs := &bytes.Buffer{}
	fc := &failingClears{Store: tm.store}
	fc.fail.Store(true)
	opts := commands.Options{Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en"}
	wiper := replica(t, fc, &opts, p, logs)
	rec := &recorder{}
	wiper.Handle(ctx, commands.Request{Platform: "telegram", UserID: reporterID, ChatID: reporterID, UserChat: reporterID,
		Command: "wipe", CommandAtStart: true, EventID: 9300, MessageID: "r71"}, rec)
	if r := rec.take(); len(r) != 0 {
		t.Fatalf("the wipe answered %q", texts(r))
	}
	if _, w := p.took(); len(w) != 1 || w[0] != reporterID+"/r71" {
		t.Fatalf("the chat was not wiped: %v", w)
	}
	if fc.calls.Load() == 0 {
		t.Fatal("the wipe's discard did not reach ClearAnswering")
	}
	if _, err := tm.store.Answering(ctx, pseudonym); err != nil {
		t.Fatalf("the held message is gone already (%v): the failure was not reproduced", err)
	}

	// The other replica's sweeps, past the reminder's time and the end
	// of the message's window.
	for _, at := range []time.Time{held.Add(heldWindow - 12*time.Hour), held.Add(heldWindow + time.Minute)} {
		tm.clk.Add(at.Sub(tm.clk.Now()))
		sweepHeld(t, tm.mux)
		if _, err := tm.mux.ExpireDrafts(ctx, 30*time.Minute); err != nil {
			t.Fatal(err)
		}
		if s := tm.takeSent(reporterID); len(s) != 0 {
			t.Fatalf("the bot wrote into the wiped chat: %q", texts(s))
		}
	}
	if _, err := tm.store.Answering(ctx, pseudonym); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the held message is still kept (%v)", err)
	}
	if owed, err := tm.store.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("discards still owed in Redis: %d %v", len(owed), err)
	}

	// The process that owed it, Redis working again, finds it done: it
	// is owed no more (the reporter's next message is a new tip).
	fc.fail.Store(false)
	if _, err := wiper.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if l := logs.String(); !strings.Contains(l, "unsent draft not discarded by a wipe yet") || strings.Contains(l, reporterID) || strings.Contains(l, pseudonym) {
		t.Fatalf("the wiping process's log:\n%s", l)
	}
}

// The same for an unsent draft whose discard failed (DropDraft): a
// restarted process, or another replica, does not tell the wiped chat
// that the draft expired unsent; it discards it, silently.
// Mutation: ExpireDrafts settling the discards this process owes only
// (its memory), as before → TestWipeOwedDraftDoesNotExpireIntoTheWipedChat
// fails (draft_expired is sent).
func TestWipeOwedDraftDoesNotExpireIntoTheWipedChat(t *testing.T) {
	fd := &flakyDrops{}
	e := newEnv(t, func(s commands.Store) commands.Store { fd.Store = s; return fd })
	p := &platform{recorder: &recorder{}}
	e.mux.AddSender("telegram", p)
	ctx := context.Background()
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	if r := rep(commands.Request{Text: "El dueño se llama Ramiro", MessageID: "45"}); press(r, "send:") == "" {
		t.Fatalf("the draft: %+v", r)
	}
	fd.fails.Store(1)
	if r := rep(commands.Request{Command: "wipe", MessageID: "46"}); len(r) != 0 {
		t.Fatalf("the wipe answered %+v", r)
	}
	pseudonym := e.store.Pseudonym("telegram", wiperID)
	if _, err := e.store.Draft(ctx, pseudonym); err != nil {
		t.Fatalf("the draft is gone already (%v): the failure was not reproduced", err)
	}

	restarted := replica(t, e.store, &commands.Options{Messages: e.msg, Now: e.clk.Now, DefaultLanguage: "es"}, p, &bytes.Buffer{})
	e.clk.Add(time.Hour) // past the drafts' idle time (30 min)
	if _, err := restarted.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if s := p.sent[wiperID]; len(s) != 0 {
		t.Fatalf("after the wipe, the bot wrote into the wiped chat: %+v", s)
	}
	if _, err := e.store.Draft(ctx, pseudonym); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Redis still holds the unsent draft (%v)", err)
	}
	if owed, err := e.store.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("discards still owed in Redis: %d %v", len(owed), err)
	}
	if r := rep(commands.Request{Text: "hola", MessageID: "52"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, e.msg.Localize("en", "draft_started", nil)) {
		t.Fatalf("the next message after the wipe: %+v", r)
	}
}

// A wipe whose discard failed at ClearAnswering owes it; the reporter,
// after wiping, presses Answer under a question; then another replica
// settles the discard Redis keeps. The Answer pressed after the wipe is
// not discarded: the reporter's next message is delivered as the
// answer, not kept as a tip. Before, settling cleared whatever the
// reporter was answering, whenever it began. Mutation: discardOwed
// clearing the armed answer whatever its time → fails (the message is
// kept as a new tip).
func TestOwedDiscardKeepsAnAnswerArmedAfterTheWipe(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	ctx := context.Background()
	p := &platform{recorder: tm.sent}
	tm.mux.AddSender("telegram", p)
	fc := &failingClears{Store: tm.store}
	fc.fail.Store(true)
	opts := commands.Options{Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en"}
	wiper := replica(t, fc, &opts, p, &bytes.Buffer{})
	wiper.Handle(ctx, commands.Request{Platform: "telegram", UserID: reporterID, ChatID: reporterID, UserChat: reporterID,
		Command: "wipe", CommandAtStart: true, EventID: 9400, MessageID: "r81"}, &recorder{})
	if owed, err := tm.store.DiscardsOwed(ctx); err != nil || len(owed) != 1 {
		t.Fatalf("discards owed in Redis: %d %v; the failure was not reproduced", len(owed), err)
	}
	tm.clk.Add(time.Second)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1", EventID: 9401}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
		t.Fatalf("Answer pressed after the wipe: %q", texts(r))
	}
	if _, err := tm.mux.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if owed, err := tm.store.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("the discard was not settled: %d %v", len(owed), err)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes a las nueve", EventID: 9402}); !tm.answered(r) {
		t.Fatalf("the message after the Answer pressed: %q, want it delivered as the answer", texts(r))
	}
}
