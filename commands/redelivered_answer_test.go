package commands_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A reply to a question answered already went on as a new tip (the
// Answer pressed then, if any, cancelled and the reporter told so).
// Delivered again by the platform (the same event) after the reporter
// pressed Answer under another tip's question, it changes nothing of
// that question: the press stays armed, the reporter is not told it was
// cancelled, the message is told as what it was (kept in the draft, once),
// and the next message answers the question they pressed Answer for. So
// too after /forget of the answered question's tip.
func TestRedeliveredReplyToAnsweredQuestionKeepsAnotherAnswerPressed(t *testing.T) {
	for _, tc := range []struct {
		name       string
		forget     bool // the answered question's tip withdrawn before the reply
		pressFirst bool // Answer pressed under tip 2's question before the reply too
	}{
		{"after /forget, Answer pressed before the reply and since", true, true},
		{"after /forget, Answer pressed since", true, false},
		{"Answer pressed before the reply and since", false, true},
		{"Answer pressed since", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, receipt := questioned(t, "¿Qué día?") // tip 1, m1
			tm.tipWithQuestions()                     // tip 2
			if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "2 ¿Cuántos eran?"}); r[0].Text != tm.text("en", "ask_sent", nil) {
				t.Fatalf("/ask 2: %q", texts(r))
			}
			tm.notices(reporterID)
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}); !tm.answered(r) {
				t.Fatalf("the answer: %q", texts(r))
			}
			tm.notices("2002")
			if tc.forget {
				if r := tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt}); len(r) != 1 || r[0].Text != tm.text("en", "forget_done", nil) {
					t.Fatalf("/forget: %q", texts(r))
				}
			}
			pressTwo := func(when string) {
				t.Helper()
				if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:2:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
					t.Fatalf("Answer under tip 2's question %s: %q", when, texts(r))
				}
			}
			if tc.pressFirst {
				pressTwo("before the reply")
			}
			msg := commands.Request{Text: "Otra cosa: venden en la esquina", ReplyToBot: true, ReplyToID: "m1", EventID: 424243}
			first := tm.as(reporterID, "Rosa", msg)
			note := ""
			if tc.pressFirst {
				note = "answer_reply_not_taken"
			}
			if !tm.drafted(first, note) {
				t.Fatalf("the reply to the answered question: %q", texts(first))
			}
			pressTwo("since")
			for i := range 2 {
				r := tm.as(reporterID, "Rosa", msg)
				if len(r) != 1 || r[0].Text != first[len(first)-1].Text {
					t.Fatalf("the reply delivered again (%d): %q, first %q", i+1, texts(r), texts(first))
				}
			}
			if d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); err != nil || d.Parts != 1 {
				t.Fatalf("draft: %+v %v", d, err)
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
				t.Fatalf("the message after Answer under tip 2's question: %q", texts(r))
			}
			if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("2", "¿Cuántos eran?", "Eran cuatro")}) {
				t.Fatalf("Ana was told %q", n)
			}
		})
	}
}

// keepCut is a store whose first AddToDraft fails: the handling of a
// message cut short after what came before it was written (a crash).
type keepCut struct {
	commands.Store
	cut bool
}

func (s *keepCut) AddToDraft(ctx context.Context, pseudonym string, p storage.DraftPart) (storage.Draft, error) {
	if s.cut {
		s.cut = false
		return storage.Draft{}, errors.New("cut short")
	}
	return s.Store.AddToDraft(ctx, pseudonym, p)
}

// A reply to a question answered already that cancelled the Answer
// pressed before it, its handling then cut short before the message was
// kept (a crash), delivered again after the reporter pressed Answer
// again: it cancels nothing more (the press stays armed, the reporter is
// not told it was cancelled), and is kept as a new tip, once.
func TestRedeliveredReplyThatCancelledAnAnswerCancelsNoOther(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Cuántos eran?")
	tm.notices(reporterID)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}); !tm.answered(r) {
		t.Fatalf("the answer: %q", texts(r))
	}
	tm.notices("2002")
	cut := &keepCut{Store: tm.store}
	tm.mux = commands.New(commands.Options{Store: cut, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
	tm.mux.AddSender("telegram", tm.sent)
	pressTwo := func() {
		t.Helper()
		if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
			t.Fatalf("Answer under the second question: %q", texts(r))
		}
	}
	pressTwo()
	msg := commands.Request{Text: "Otra cosa: venden en la esquina", ReplyToBot: true, ReplyToID: "m1", EventID: 424243}
	cut.cut = true
	if r := tm.as(reporterID, "Rosa", msg); len(r) == 0 || r[0].Text != tm.text("en", "answer_reply_not_taken", nil) {
		t.Fatalf("the reply to the answered question: %q", texts(r))
	}
	pressTwo()
	if r := tm.as(reporterID, "Rosa", msg); !tm.drafted(r, "") {
		t.Fatalf("the reply delivered again: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
		t.Fatalf("the message after Answer under the second question: %q", texts(r))
	}
	if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("1", "¿Cuántos eran?", "Eran cuatro")}) {
		t.Fatalf("Ana was told %q", n)
	}
	if d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); err != nil || d.Parts != 1 {
		t.Fatalf("draft: %+v %v", d, err)
	}
}
