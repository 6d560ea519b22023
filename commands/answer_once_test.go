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

// An answer stored whose mark (RememberAnswer) was not written, the
// message then delivered again by the platform (a restart before it heard
// the update was handled): the reporter is told it went as the answer,
// as the first time; the investigators are not told twice; it starts no
// draft (no tip). As a reply to the question, and after Answer pressed.
func TestRedeliveredAnswerWhoseMarkWasNotWrittenIsDeliveredOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		press string
		msg   commands.Request
	}{
		{"reply", "", commands.Request{Text: "El lunes a las nueve", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}},
		{"answer pressed", "ans:1:1", commands.Request{Text: "El lunes a las nueve", EventID: 424242}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?")
			tm.notices(reporterID)
			tm.mux = commands.New(commands.Options{Store: &cutStore{Store: tm.store, cutRemember: true}, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
				Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
			tm.mux.AddSender("telegram", tm.sent)
			if tc.press != "" {
				tm.as(reporterID, "Rosa", commands.Request{Callback: tc.press})
			}
			if r := tm.as(reporterID, "Rosa", tc.msg); !tm.answered(r) {
				t.Fatalf("the answer: %q", texts(r))
			}
			if r := tm.as(reporterID, "Rosa", tc.msg); !tm.answered(r) {
				t.Fatalf("the answer delivered again: %q\n%s", texts(r), tm.logs)
			}
			if _, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("the answer delivered again started a draft: %v", err)
			}
			if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes a las nueve") {
				t.Fatalf("Ana was told %q", n)
			}
			if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes a las nueve" {
				t.Fatalf("answers recorded: %q", a)
			}
			// Its mark written now: the next message is a tip's part.
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa", EventID: 424243}); press(r, "send:") == "" {
				t.Fatalf("a new message: %q", texts(r))
			}
		})
	}
}

// A /reply CODE answer delivered again by the platform (a restart before
// it heard the update was handled), the answer stored and told already:
// the reporter is told it was received, as the first time, not that no
// question is open; the investigators are not told twice. Delivered again
// once another question is open, it is not taken for that one's answer.
func TestRedeliveredReplyCommandIsToldReceivedOnce(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
	msg := commands.Request{Command: "reply", Args: receipt + " El lunes a las nueve", EventID: 515151}
	if r := tm.as(reporterID, "Rosa", msg); !tm.answered(r) {
		t.Fatalf("/reply: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes a las nueve") {
		t.Fatalf("Ana was told %q", n)
	}
	if r := tm.as(reporterID, "Rosa", msg); !tm.answered(r) {
		t.Fatalf("/reply delivered again: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told again: %q", n)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuántos eran?"}); r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("second /ask: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", msg); !tm.answered(r) {
		t.Fatalf("/reply delivered again, another question open: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told the old answer as the new question's: %q", n)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes a las nueve" {
		t.Fatalf("answers recorded: %q", a)
	}
	open, err := tm.store.OpenQuestions(context.Background(), "1")
	if err != nil || len(open) != 1 || open[0].Text != "¿Cuántos eran?" {
		t.Fatalf("open questions: %+v, %v", open, err)
	}
}

// An answer delivered again by the platform after the reporter pressed
// Answer under another question goes to the question it answered, once:
// not as that other question's answer (the mark of its event not
// written: a crash after the answer was stored), nor cancelling the
// Answer pressed (its marks written: a reply to a question answered
// already). The press stays armed for the message the reporter writes
// next.
func TestRedeliveredAnswerAfterAnotherAnswerPressedKeepsItsQuestion(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cut   bool
		press string
		msg   commands.Request
	}{
		{"mark not written, Answer pressed", true, "ans:1:1", commands.Request{Text: "El lunes a las nueve", EventID: 424242}},
		{"mark not written, a reply", true, "", commands.Request{Text: "El lunes a las nueve", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}},
		{"marks written, a reply", false, "", commands.Request{Text: "El lunes a las nueve", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?", "¿Cuántos eran?")
			tm.notices(reporterID)
			tm.mux = commands.New(commands.Options{Store: &cutStore{Store: tm.store, cutRemember: tc.cut}, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
				Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
			tm.mux.AddSender("telegram", tm.sent)
			if tc.press != "" {
				tm.as(reporterID, "Rosa", commands.Request{Callback: tc.press})
			}
			if r := tm.as(reporterID, "Rosa", tc.msg); !tm.answered(r) {
				t.Fatalf("the answer: %q", texts(r))
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
				t.Fatalf("Answer under the second question: %q", texts(r))
			}
			r := tm.as(reporterID, "Rosa", tc.msg)
			for _, x := range r {
				if x.Text != tm.text("en", "answer_done", nil) {
					t.Fatalf("the answer delivered again: %q", texts(r))
				}
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
				t.Fatalf("the message after Answer under the second question: %q", texts(r))
			}
			want := []string{tm.notice("1", "¿Qué día?", "El lunes a las nueve"), tm.notice("1", "¿Cuántos eran?", "Eran cuatro")}
			if n := tm.notices("2002"); !slices.Equal(n, want) {
				t.Fatalf("Ana was told %q, want %q", n, want)
			}
			if a := tm.tipAnswers("1"); !slices.Equal(a, []string{"El lunes a las nueve", "Eran cuatro"}) {
				t.Fatalf("answers recorded: %q", a)
			}
		})
	}
}

// An answer whose first handling was cut off after it was stored (its
// event's mark not written: a crash), its tip then withdrawn with
// /forget, delivered again by the platform: it goes nowhere. Not as the
// answer to another tip's question whose Answer was pressed since (its
// investigators told the forgotten tip's words), nor kept as a new tip.
// The Answer pressed stays armed for the message the reporter writes next.
func TestRedeliveredAnswerAfterForgetGoesNowhere(t *testing.T) {
	for _, tc := range []struct {
		name  string
		press bool // Answer pressed under the second tip's question after /forget
		msg   commands.Request
	}{
		{"Answer pressed under another tip's question since", true, commands.Request{Text: "El lunes a las nueve", EventID: 424242}},
		{"nothing pressed since", false, commands.Request{Text: "El lunes a las nueve", EventID: 424242}},
		{"a reply, nothing pressed since", false, commands.Request{Text: "El lunes a las nueve", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, receipt := questioned(t, "¿Qué día?") // tip 1, m1
			tm.tipWithQuestions()                     // tip 2
			if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "2 ¿Cuántos eran?"}); r[0].Text != tm.text("en", "ask_sent", nil) {
				t.Fatalf("/ask 2: %q", texts(r))
			}
			tm.notices(reporterID)
			tm.mux = commands.New(commands.Options{Store: &cutStore{Store: tm.store, cutRemember: true}, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
				Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
			tm.mux.AddSender("telegram", tm.sent)
			if !tc.msg.ReplyToBot {
				tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			}
			if r := tm.as(reporterID, "Rosa", tc.msg); !tm.answered(r) {
				t.Fatalf("the answer: %q", texts(r))
			}
			if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes a las nueve") {
				t.Fatalf("Ana was told %q", n)
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt}); len(r) != 1 || r[0].Text != tm.text("en", "forget_done", nil) {
				t.Fatalf("/forget: %q", texts(r))
			}
			if tc.press {
				if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:2:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
					t.Fatalf("Answer under the second tip's question: %q", texts(r))
				}
			}
			if r := tm.as(reporterID, "Rosa", tc.msg); len(r) != 0 {
				t.Fatalf("the answer delivered again after /forget: %q", texts(r))
			}
			if n := tm.notices("2002"); len(n) != 0 {
				t.Fatalf("Ana was told %q", n)
			}
			if _, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("the answer delivered again after /forget started a draft: %v", err)
			}
			if a := tm.tipAnswers("2"); len(a) != 0 {
				t.Fatalf("the second tip's answers: %q", a)
			}
			if !tc.press {
				return
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
				t.Fatalf("the message after Answer under the second tip's question: %q", texts(r))
			}
			if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("2", "¿Cuántos eran?", "Eran cuatro") {
				t.Fatalf("Ana was told %q", n)
			}
		})
	}
}

// An answer whose first handling finished (stored, its event remembered)
// but whose "received" never reached the reporter (a restart before the
// platform heard the update was handled), delivered again: the reporter
// is told it was delivered, as the first time, not nothing at all; the
// investigators are not told twice, no tip is started, and an Answer
// pressed since stays armed.
func TestRedeliveredAnswerHandledAlreadyIsToldDone(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  commands.Request
	}{
		{"Answer pressed", commands.Request{Text: "El lunes a las nueve", EventID: 424242}},
		{"a reply", commands.Request{Text: "El lunes a las nueve", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?", "¿Cuántos eran?")
			tm.notices(reporterID)
			if !tc.msg.ReplyToBot {
				tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			}
			if r := tm.as(reporterID, "Rosa", tc.msg); !tm.answered(r) {
				t.Fatalf("the answer: %q", texts(r))
			}
			if r := tm.as(reporterID, "Rosa", tc.msg); !tm.answered(r) {
				t.Fatalf("the answer delivered again: %q", texts(r))
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
				t.Fatalf("Answer under the second question: %q", texts(r))
			}
			if r := tm.as(reporterID, "Rosa", tc.msg); !tm.answered(r) {
				t.Fatalf("the answer delivered again after Answer pressed: %q", texts(r))
			}
			if _, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("the answer delivered again started a draft: %v", err)
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
				t.Fatalf("the message after Answer under the second question: %q", texts(r))
			}
			want := []string{tm.notice("1", "¿Qué día?", "El lunes a las nueve"), tm.notice("1", "¿Cuántos eran?", "Eran cuatro")}
			if n := tm.notices("2002"); !slices.Equal(n, want) {
				t.Fatalf("Ana was told %q, want %q", n, want)
			}
			if a := tm.tipAnswers("1"); !slices.Equal(a, []string{"El lunes a las nueve", "Eran cuatro"}) {
				t.Fatalf("answers recorded: %q", a)
			}
		})
	}
}
