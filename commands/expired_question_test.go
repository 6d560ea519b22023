package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A question whose answer window (7 days from when it was asked) has
// ended can no longer be answered, whichever way the reporter tries, and
// /status does not show it: a reply to its message is a new tip (as
// before), its Answer button and /reply CODE say its time has ended, and
// /reply answers the one question still open beside it. An Answer pressed
// before the window ended still takes the message after it.
// Mutation: OpenQuestions not giving when a question was asked (the
// window never ends) → this fails (/status lists the expired question,
// its Answer arms).
func TestExpiredQuestionIsNotShownNorAnswered(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?") // m1
	tm.clk.Add(6 * 24 * time.Hour)
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué hora?"}) // m2
	tm.clk.Add(2 * 24 * time.Hour)
	tm.notices(reporterID)
	tm.notices("2002")
	status := func() string {
		return tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt})[0].Text
	}
	if s := status(); !strings.Contains(s, tm.text("en", "status_question", map[string]any{"Question": "¿Qué hora?"})) || strings.Contains(s, "¿Qué día?") {
		t.Fatalf("/status, one question expired, one open:\n%s", s)
	}
	expired := tm.text("en", "answer_expired", map[string]any{"Period": "7 days"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"}); len(r) != 1 || r[0].Text != expired {
		t.Fatalf("Answer under the expired question: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes"}); !tm.drafted(r, "") {
		t.Fatalf("the message after that Answer: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"})
	if r := tm.reply("m1", "El lunes"); !tm.drafted(r, "") {
		t.Fatalf("a reply to the expired question: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " A las nueve"}); !tm.answered(r) {
		t.Fatalf("/reply, one question open beside an expired one: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué hora?", "A las nueve") {
		t.Fatalf("Ana was told %q", n)
	}
	if s := status(); strings.Contains(s, "¿Qué día?") || strings.Contains(s, tm.text("en", "answer_which", nil)) {
		t.Fatalf("/status, the only question left expired:\n%s", s)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " El lunes"}); len(r) != 1 || r[0].Text != expired {
		t.Fatalf("/reply, the only question left expired: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "A las nueve" {
		t.Fatalf("answers recorded: %q", a)
	}

	// Pressed within the window, Answer takes the next message, which
	// comes after the window ended (an hour at most).
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Quién?"}) // m3
	tm.clk.Add(7*24*time.Hour - 10*time.Minute)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:3"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
		t.Fatalf("Answer 10 minutes before the window ends: %q", texts(r))
	}
	tm.clk.Add(20 * time.Minute)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El vecino"}); !tm.answered(r) {
		t.Fatalf("the message after it, 10 minutes past the window: %q", texts(r))
	}
}

// A reporter answering an investigator's question with only their
// receipt code hears that nothing went and that the question is still
// open while it is; once its window has ended (Answer pressed just
// before, the code sent after), that it can no longer be answered (not
// "still open"). Nothing reaches the investigators either
// way. Mutation: the code-only answer not asking openQuestion (as
// before) -> the expired case answers receipt_only_answer.
func TestReceiptOnlyAnswerToAnExpiredQuestionSaysItIsClosed(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?") // m1
	tm.notices("2002")
	if r := tm.reply("m1", receipt); len(r) != 1 || r[0].Text != tm.text("en", "receipt_only_answer", nil) {
		t.Fatalf("the code alone, the question open: %q", texts(r))
	}
	// Answer pressed just before the window ends; the code sent after.
	tm.clk.Add(7*24*time.Hour - 10*time.Minute)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
		t.Fatalf("Answer: %q", texts(r))
	}
	tm.clk.Add(20 * time.Minute)
	want := tm.text("en", "receipt_only_closed", map[string]any{"Period": "7 days"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: receipt}); len(r) != 1 || r[0].Text != want {
		t.Errorf("the code alone, the question expired: %q, want %q", texts(r), want)
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Errorf("Ana was told %q", n)
	}
}
