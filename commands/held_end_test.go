package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// heldWindow is how long a message held now is kept for the reporter's
// choice: the answer window (commands' default).
const heldWindow = 7 * 24 * time.Hour

// holdEnLunes holds the reporter's swipe-reply "El lunes" (their message
// msg) to tm's unlinked question, and returns when it was held.
func holdEnLunes(t *testing.T, tm *team, msg string) time.Time {
	t.Helper()
	held := tm.clk.Now()
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", MessageID: msg}); press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	return held
}

// takeSent returns (and forgets) what the bot sent to chat on its own.
func (tm *team) takeSent(chat string) []commands.Reply {
	tm.sent.mu.Lock()
	defer tm.sent.mu.Unlock()
	out := tm.sent.sent[chat]
	delete(tm.sent.sent, chat)
	return out
}

// sweepHeld runs mux's sweep of held messages.
func sweepHeld(t *testing.T, mux *commands.Mux) {
	t.Helper()
	if err := mux.SweepHeld(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A held message the reporter never chooses for does not vanish without
// a word: a day before its window ends they are reminded, under the
// message, with the two buttons again (once); at its end they are told
// it was deleted without reaching the investigators, to send it again if
// they want to. Nothing reaches the asker, nothing becomes a tip, and a
// press after that is told the message no longer waits.
func TestHeldReplyNeverChosenIsRemindedThenToldOfItsEnd(t *testing.T) {
	tm := unlinkedQuestion(t)
	held := holdEnLunes(t, tm, "r55")
	until := held.Add(heldWindow)

	tm.clk.Add(heldWindow - 24*time.Hour - time.Minute)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("a minute before the reminder is due: %q", texts(s))
	}
	tm.clk.Add(2 * time.Minute)
	sweepHeld(t, tm.mux)
	s := tm.takeSent(reporterID)
	want := tm.text("en", "held_reminder", map[string]any{"Date": held.UTC().Format("2006-01-02"), "Time": until.UTC().Format("2006-01-02 15:04 UTC")})
	if len(s) != 1 || s[0].Text != want || s[0].ReplyTo != "r55" || press(s, "ansh:1") == "" || press(s, "ansh:0") == "" {
		t.Fatalf("the reminder: %+v, want %q under r55 with both buttons", s, want)
	}
	tm.clk.Add(time.Hour)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("reminded again: %q", texts(s))
	}

	tm.clk.Add(until.Add(-time.Second).Sub(tm.clk.Now()))
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("a second before its end: %q", texts(s))
	}
	tm.clk.Add(30 * time.Second) // (the sweep runs every minute: told within one)
	sweepHeld(t, tm.mux)
	s = tm.takeSent(reporterID)
	want = tm.text("en", "held_expired", map[string]any{"Date": held.UTC().Format("2006-01-02"), "Period": "7 days"})
	if len(s) != 1 || s[0].Text != want || s[0].ReplyTo != "r55" || len(s[0].Buttons) != 0 {
		t.Fatalf("at its end: %+v, want %q under r55", s, want)
	}
	tm.clk.Add(time.Hour)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("told again: %q", texts(s))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
		t.Fatalf("'it is my answer' after its end: %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 0 {
		t.Fatalf("Ana was told %q", a)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa"}); !tm.drafted(r, "") || strings.Contains(r[0].Text, "El lunes") {
		t.Fatalf("a new message after its end: %q", texts(r))
	}
}

// A held message chosen for (here from the reminder's buttons) is not
// told of an end: it went as the reporter said.
func TestHeldReplyChosenAfterTheReminderIsNotToldOfAnEnd(t *testing.T) {
	tm := unlinkedQuestion(t)
	holdEnLunes(t, tm, "r56")
	tm.clk.Add(heldWindow - 12*time.Hour)
	sweepHeld(t, tm.mux)
	s := tm.takeSent(reporterID)
	if len(s) != 1 || press(s, "ansh:1") == "" {
		t.Fatalf("the reminder: %q", texts(s))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: press(s, "ansh:1")}); !tm.answered(r) {
		t.Fatalf("'it is my answer' from the reminder: %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 1 || a[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", a)
	}
	tm.clk.Add(24 * time.Hour)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("after it went as the answer: %q", texts(s))
	}
}

// A press past the window's end, before the sweep told the reporter,
// still handles the message: it is deleted only once they are told.
func TestHeldReplyPressedPastItsEndBeforeTheSweepStillGoes(t *testing.T) {
	tm := unlinkedQuestion(t)
	holdEnLunes(t, tm, "r57")
	tm.clk.Add(heldWindow + time.Minute)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); !tm.answered(r) {
		t.Fatalf("'it is my answer' a minute past its end, before a sweep: %q", texts(r))
	}
	tm.takeSent(reporterID)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("after it went as the answer: %q", texts(s))
	}
}

// duringSend is a sender that runs during once, as a message goes to
// chat, and fails it with err (if set) instead of sending it.
type duringSend struct {
	*recorder
	mu     sync.Mutex
	chat   string
	during func()
	err    error
}

func (s *duringSend) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	s.mu.Lock()
	f, err := s.during, s.err
	if chat == s.chat {
		s.during = nil
	} else {
		f, err = nil, nil
	}
	s.mu.Unlock()
	if f != nil {
		f()
	}
	if err != nil {
		return nil, err
	}
	return s.recorder.Send(ctx, chat, r)
}

// newReplica is a second bot process on tm's Redis, sending through s.
func newReplica(tm *team, platform string, s commands.Sender) *commands.Mux {
	mux := commands.New(commands.Options{
		Store: tm.store, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
	})
	mux.AddSender(platform, s)
	return mux
}

// Two processes sweep at once: the one that takes the held message tells
// the reporter; the other, sweeping while that one sends, and a press
// then, leave it alone (the press is told it is being handled). The
// reporter is told once. A process without the message's platform never
// takes it.
func TestHeldEndSweptByTwoProcessesIsToldOnce(t *testing.T) {
	tm := unlinkedQuestion(t)
	holdEnLunes(t, tm, "r58")
	d := &duringSend{recorder: tm.sent, chat: reporterID}
	tm.mux.AddSender("telegram", d)
	other := newReplica(tm, "telegram", tm.sent)
	foreign := newReplica(tm, "discord", tm.sent)

	tm.clk.Add(heldWindow - time.Hour)
	sweepHeld(t, foreign)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("a process without Telegram reminded: %q", texts(s))
	}
	var pressed []commands.Reply
	d.during = func() {
		sweepHeld(t, other)
		pressed = tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"})
	}
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 1 || !strings.HasPrefix(s[0].Text, "Reminder") {
		t.Fatalf("reminded: %q, want once", texts(s))
	}
	if len(pressed) != 1 || pressed[0].Text != tm.text("en", "held_busy", nil) {
		t.Fatalf("'it is a new tip' pressed while the reminder went: %q", texts(pressed))
	}

	tm.clk.Add(time.Hour)
	d.during = func() { sweepHeld(t, other) }
	sweepHeld(t, foreign)
	sweepHeld(t, tm.mux)
	sweepHeld(t, other)
	if s := tm.takeSent(reporterID); len(s) != 1 || !strings.HasPrefix(s[0].Text, "The message you sent on") {
		t.Fatalf("told of its end: %q, want once", texts(s))
	}
	tm.clk.Add(heldSafety)
	sweepHeld(t, other)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("told again: %q", texts(s))
	}
}

// heldSafety is how long past its end a held message waits for the sweep.
const heldSafety = 24 * time.Hour

// A sweep that took the held message and never sent its end notice (the
// process died: here a panic in the send) does not lose it: a press
// meanwhile is told it is being handled; once the take's lease is over
// the next sweep tells the reporter, once.
func TestHeldEndTakenByASweepThatNeverFinishedIsToldAfterTheLease(t *testing.T) {
	tm := unlinkedQuestion(t)
	holdEnLunes(t, tm, "r59")
	tm.clk.Add(heldWindow - time.Hour)
	sweepHeld(t, tm.mux)
	tm.takeSent(reporterID) // (the reminder)
	tm.clk.Add(time.Hour)
	d := &duringSend{recorder: tm.sent, chat: reporterID, during: func() { panic("the process ends here") }}
	tm.mux.AddSender("telegram", d)
	func() {
		defer func() { _ = recover() }()
		_ = tm.mux.SweepHeld(context.Background())
	}()
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("sent by the sweep that died: %q", texts(s))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "held_busy", nil) {
		t.Fatalf("pressed while it is taken: %q", texts(r))
	}
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("sent while the dead sweep's lease runs: %q", texts(s))
	}
	tm.clk.Add(3 * time.Minute)
	sweepHeld(t, tm.mux)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 1 || s[0].Text != tm.text("en", "held_expired", map[string]any{"Date": tm.clk.Now().Add(-heldWindow - 3*time.Minute).UTC().Format("2006-01-02"), "Period": "7 days"}) {
		t.Fatalf("after the lease: %q, want the end notice once", texts(s))
	}
}

// An end notice the platform does not take (an error of its own) leaves
// the message held, and is sent at a later sweep; one to a chat that is
// gone (the bot blocked) has no one to tell, and is not tried again.
func TestHeldEndNoticeNotTakenIsTriedAgain(t *testing.T) {
	tm := unlinkedQuestion(t)
	holdEnLunes(t, tm, "r60")
	d := &duringSend{recorder: tm.sent, chat: reporterID, during: func() {}, err: errors.New("telegram sendMessage: 502 Bad Gateway")}
	tm.mux.AddSender("telegram", d)
	tm.clk.Add(heldWindow + time.Minute)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("recorded though refused: %q", texts(s))
	}
	d.mu.Lock()
	d.err = nil
	d.mu.Unlock()
	tm.clk.Add(3 * time.Minute)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 1 || !strings.HasPrefix(s[0].Text, "The message you sent on") {
		t.Fatalf("at the next sweep after the lease: %q", texts(s))
	}

	tm2 := unlinkedQuestion(t)
	holdEnLunes(t, tm2, "r61")
	gone := &duringSend{recorder: tm2.sent, chat: reporterID, during: func() {}, err: fmt.Errorf("telegram: bot was blocked by the user: %w", commands.ErrDestinationGone)}
	tm2.mux.AddSender("telegram", gone)
	tm2.clk.Add(heldWindow + time.Minute)
	sweepHeld(t, tm2.mux)
	gone.mu.Lock()
	gone.err, gone.during = nil, func() {}
	gone.mu.Unlock()
	tm2.clk.Add(time.Hour)
	sweepHeld(t, tm2.mux)
	if s := tm2.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("tried again after the chat was gone: %q", texts(s))
	}
}

// The held message's route, words and id are nowhere in Redis in clear:
// not in its reporter's marks, not in the sweep's schedule, before or
// after the reminder.
func TestHeldMessageKeepsNothingInClear(t *testing.T) {
	tm := unlinkedQuestion(t)
	const chat, msg, words = "5550987654321", "918273645", "Lo vi en la bodega azul"
	r := tm.as(reporterID, "Rosa", commands.Request{Text: words, ReplyToBot: true, ReplyToID: "m1", MessageID: msg, ChatID: chat})
	if press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	check := func(when string) {
		t.Helper()
		dump, err := tm.srv.Dump(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range dump {
			for _, c := range []string{chat, msg, words} {
				if strings.Contains(k, c) || bytes.Contains(v, []byte(c)) {
					t.Errorf("%s: key %q holds %q in clear", when, k, c)
				}
			}
		}
	}
	check("held")
	tm.clk.Add(heldWindow - time.Hour)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(chat); len(s) != 1 || s[0].ReplyTo != msg {
		t.Fatalf("the reminder, to the chat the message came from: %+v", s)
	}
	check("reminded")
}

// The reminder and the end notice are in the reporter's language: the
// one they wrote the held message in.
func TestHeldReminderAndEndAreInTheReportersLanguage(t *testing.T) {
	tm := unlinkedQuestion(t)
	held := tm.clk.Now()
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", MessageID: "r62", Language: "es"}); press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	tm.clk.Add(heldWindow - time.Hour)
	sweepHeld(t, tm.mux)
	s := tm.takeSent(reporterID)
	want := tm.text("es", "held_reminder", map[string]any{"Date": held.UTC().Format("2006-01-02"), "Time": held.Add(heldWindow).UTC().Format("2006-01-02 15:04 UTC")})
	if len(s) != 1 || s[0].Text != want || len(s[0].Buttons) != 2 || s[0].Buttons[0][0].Label != tm.text("es", "button_held_answer", nil) {
		t.Fatalf("the reminder: %+v, want %q", s, want)
	}
	if s[0].Language != "es" { // for the demo's console: its lines are in the session's
		t.Fatalf("the reminder does not say it is in Spanish: %q", s[0].Language)
	}
	tm.clk.Add(time.Hour)
	sweepHeld(t, tm.mux)
	want = tm.text("es", "held_expired", map[string]any{"Date": held.UTC().Format("2006-01-02"), "Period": "7 días"})
	if s := tm.takeSent(reporterID); len(s) != 1 || s[0].Text != want {
		t.Fatalf("at its end: %q, want %q", texts(s), want)
	}
}

// Held messages of a platform this process does not run (Discord's here:
// another process tells their reporters) do not keep its sweep from its
// own: a sweep's batch of them, due before the reporter's, is passed
// over at the next sweep, and the reporter is reminded all the same.
func TestHeldSweepIsNotBlockedByAnotherPlatformsMessages(t *testing.T) {
	tm := unlinkedQuestion(t)
	held := holdEnLunes(t, tm, "r63")
	ctx := context.Background()
	until := held.Add(heldWindow).UnixMilli()
	var others []storage.HeldRef
	for i := range 100 { // (a sweep's batch)
		user := fmt.Sprint(7000 + i)
		ref := storage.HeldRef{Pseudonym: tm.store.Pseudonym("discord", user), ID: fmt.Sprintf("d%03d", i)}
		marks := fmt.Sprintf(`{"h":{"q":{"t":"1","n":1,"u":%d},"t":"x","i":%q,"r":"discord:%s","u":%d,"a":%d,"rm":%d}}`,
			until, ref.ID, user, until, held.UnixMilli(), held.Add(time.Hour).UnixMilli())
		if err := tm.store.SetAnswering(ctx, ref.Pseudonym, marks, heldWindow); err != nil {
			t.Fatal(err)
		}
		if err := tm.store.ScheduleHeld(ctx, ref, held.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		others = append(others, ref)
	}
	tm.clk.Add(heldWindow - time.Hour)
	sweepHeld(t, tm.mux)
	tm.clk.Add(time.Minute)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 1 || !strings.HasPrefix(s[0].Text, "Reminder") {
		t.Fatalf("the reminder, behind a batch of Discord's held messages: %q", texts(s))
	}
	// Theirs are still due, for the process that runs Discord.
	due, err := tm.store.DueHeld(ctx, 200)
	if err != nil || len(due) != len(others) {
		t.Fatalf("due after the sweeps: %d (%v), want Discord's %d", len(due), err, len(others))
	}
}

// A reporter who forgets their tip (/forget CODE) while a reply of theirs
// is held for the choice between an answer to its question and a new tip
// is done with that tip: the held message is deleted with its questions,
// and they are told so (to send it again if it was a new tip). No
// reminder asks about it later, no end notice follows, a press of its
// buttons finds nothing, and its entry in the sweep's schedule is gone.
func TestForgetDeletesTheHeldReplyOfItsQuestion(t *testing.T) {
	tm, receipt := questioned(t)
	tm.mux.AddSender("telegram", &lostAnswerSender{recorder: tm.sent, chat: reporterID})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué día?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_unknown", map[string]any{"ID": "1"}) {
		t.Fatalf("/ask whose delivery is unknown: %q", texts(r))
	}
	tm.mux.AddSender("telegram", tm.sent)
	tm.notices(reporterID)
	tm.notices("2002")
	holdEnLunes(t, tm, "r70")

	r := tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt})
	want := tm.text("en", "forget_done", nil) + "\n\n" + tm.text("en", "forget_held_dropped", nil)
	if len(r) != 1 || r[0].Text != want {
		t.Fatalf("/forget with a held reply: %q, want %q", texts(r), want)
	}
	if due, err := tm.store.DueHeld(context.Background(), 10); err != nil || len(due) != 0 {
		t.Fatalf("held entries after /forget: %v (%v)", due, err)
	}
	for _, d := range []time.Duration{heldWindow - 12*time.Hour, 13 * time.Hour} {
		tm.clk.Add(d)
		sweepHeld(t, tm.mux)
		if s := tm.takeSent(reporterID); len(s) != 0 {
			t.Fatalf("after /forget, the reporter was sent %q", texts(s))
		}
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
		t.Fatalf("'it is a new tip' after /forget: %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 0 {
		t.Fatalf("Ana was told %q", a)
	}
	// A second /forget has nothing held to speak of.
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt}); len(r) != 1 || r[0].Text != tm.text("en", "forget_done", nil) {
		t.Fatalf("/forget again: %q", texts(r))
	}
}
