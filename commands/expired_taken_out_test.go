package commands_test

import (
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A question taken out of its tip as expired (at the tip's next question,
// two answer windows and two days after it was asked) still says, under
// its Answer pressed, that its time has ended, not that no question is
// open; one answered says none is open, as before, and so does every
// Answer once the reporter withdrew with /forget.
// Mutation: numberQuestion not marking the question it takes out
// ("qe:<n>") fails this (answer_none under the expired question).
func TestAnswerUnderAQuestionTakenOutSaysItExpired(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?") // question 1
	tm.clk.Add(17 * 24 * time.Hour)
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué hora?"}) // question 2: 1 is taken out
	tm.notices(reporterID)
	tm.notices("2002")
	expired := tm.text("en", "answer_expired", map[string]any{"Period": "7 days"})
	none := tm.text("en", "answer_none", nil)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"}); len(r) != 1 || r[0].Text != expired {
		t.Fatalf("Answer under the question taken out: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " A las nueve"}); !tm.answered(r) {
		t.Fatalf("/reply to the open question: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"}); len(r) != 1 || r[0].Text != none {
		t.Fatalf("Answer under the question answered: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:7"}); len(r) != 1 || r[0].Text != none {
		t.Fatalf("Answer under a question never asked: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt})
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"}); len(r) != 1 || r[0].Text != none {
		t.Fatalf("Answer under the question taken out, after /forget: %q", texts(r))
	}
}
