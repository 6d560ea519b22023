package commands_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// pressDuring is a store that runs during once, as the held message is
// being handled: as its answer is delivered, or as it is added to a draft.
type pressDuring struct {
	*storage.Store
	during func()
}

func (s *pressDuring) run() {
	if f := s.during; f != nil {
		s.during = nil
		f()
	}
}

func (s *pressDuring) Answer(ctx context.Context, id string, n int, answer string) (storage.Question, error) {
	s.run()
	return s.Store.Answer(ctx, id, n, answer)
}

func (s *pressDuring) AnswerOnce(ctx context.Context, id string, n int, answer, pseudonym string, eventID int64) (storage.Question, bool, error) {
	s.run()
	return s.Store.AnswerOnce(ctx, id, n, answer, pseudonym, eventID)
}

func (s *pressDuring) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	s.run()
	return s.Store.AddToDraft(ctx, p, d)
}

// onPressDuring puts tm's engine on a pressDuring of its store.
func onPressDuring(tm *team) *pressDuring {
	s := &pressDuring{Store: tm.store}
	tm.mux = commands.New(commands.Options{
		Store: s, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
	})
	tm.mux.AddSender("telegram", tm.sent)
	return s
}

// "Yes" and then "No" pressed at once (a double tap, two replicas): the
// second press, arriving while the first delivers the held message as
// the answer, is told it is being handled, and makes no new tip of the
// same words. The answer reaches the asker once; nothing is drafted.
func TestHeldReplyPressedTwiceAtOnceIsHandledOnce(t *testing.T) {
	tm := unlinkedQuestion(t)
	s := onPressDuring(tm)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 9601}); press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	var second []commands.Reply
	s.during = func() { second = tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}) }
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); !tm.answered(r) {
		t.Fatalf("'it is my answer': %q", texts(r))
	}
	if len(second) != 1 || second[0].Text != tm.text("en", "held_busy", nil) {
		t.Fatalf("'it is a new tip' pressed meanwhile: %q", texts(second))
	}
	if a := tm.notices("2002"); len(a) != 1 || a[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", a)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa"}); !tm.drafted(r, "") {
		t.Fatalf("a new message after: %q (a draft was left with the answer's words?)", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
		t.Fatalf("'No' pressed after: %q", texts(r))
	}
}

// "No" and then "Yes" at once: the second press, arriving while the
// first adds the held message to a draft, is told it is being handled
// and delivers nothing: the asker hears nothing, the question stays
// open, and the draft holds the message once.
func TestHeldTipPressedTwiceAtOnceIsHandledOnce(t *testing.T) {
	tm := unlinkedQuestion(t)
	s := onPressDuring(tm)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega", ReplyToBot: true, ReplyToID: "m1", EventID: 9701}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	var second []commands.Reply
	s.during = func() { second = tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}) }
	r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"})
	if !tm.drafted(r, "") {
		t.Fatalf("'it is a new tip': %q", texts(r))
	}
	if len(second) != 1 || second[0].Text != tm.text("en", "held_busy", nil) {
		t.Fatalf("'it is my answer' pressed meanwhile: %q", texts(second))
	}
	if a := tm.notices("2002"); len(a) != 0 {
		t.Fatalf("Ana was told %q", a)
	}
	if open, err := tm.store.OpenQuestions(context.Background(), "1"); err != nil || len(open) != 1 {
		t.Fatalf("open questions: %d %v, want the question still open", len(open), err)
	}
	if got := tm.sentTip(t, r); got != "Otra cosa: hay armas en la bodega" {
		t.Fatalf("the new tip holds %q", got)
	}
}

// Button data other than the two choices (forged) is neither: the
// reporter is told the button does not work, the message stays held, and
// a real choice still handles it.
func TestHeldReplyForgedChoiceChangesNothing(t *testing.T) {
	tm := unlinkedQuestion(t)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 9801}); press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	for _, forged := range []string{"ansh:2", "ansh:", "ansh:01", "ansh:yes"} {
		if r := tm.as(reporterID, "Rosa", commands.Request{Callback: forged}); len(r) != 1 || r[0].Text != tm.text("en", "button_invalid", nil) {
			t.Fatalf("%q pressed: %q", forged, texts(r))
		}
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Hola"}); !tm.drafted(r, "") || strings.Contains(r[0].Text, "El lunes") {
		t.Fatalf("a new message after the forged presses: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); !tm.answered(r) {
		t.Fatalf("'it is my answer' after: %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 1 || a[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", a)
	}
}

// A press whose handling never finishes after it took the held message
// (here a panic, as a crash would be) does not lose it: pressed again
// meanwhile it is being handled; once the take's lease is over it is held
// again, and "Yes" delivers it, once.
func TestHeldReplyTakenByAPressThatNeverFinishedIsHeldAgain(t *testing.T) {
	tm := unlinkedQuestion(t)
	s := onPressDuring(tm)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 9901}); press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	s.during = func() { panic("the process ends here") }
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"})
	if a := tm.notices("2002"); len(a) != 0 {
		t.Fatalf("Ana was told %q by the press that never finished", a)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "held_busy", nil) {
		t.Fatalf("pressed again at once: %q", texts(r))
	}
	tm.clk.Add(3 * time.Minute)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); !tm.answered(r) {
		t.Fatalf("pressed again after the lease: %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 1 || a[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", a)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
		t.Fatalf("pressed once more: %q", texts(r))
	}
}
