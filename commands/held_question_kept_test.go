package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A reply held as its question's window ends keeps its own answer window,
// in which "Yes" still delivers it (TestHeldReplyOutlivesItsQuestionsWindow):
// the tip's next question, which takes out the fields of questions whose
// window has ended, does not take out that one's while a reply held for it
// can still be pressed, or "Yes" would make it a tip, the reporter told the
// question was answered or the tip is gone.
// Mutation: numberQuestion taking a question out once its reply window
// alone has ended -> fails (answer_not_open, not answer_done).
func TestHeldReplyKeepsItsQuestionPastTheTipsNextQuestion(t *testing.T) {
	tm := unlinkedQuestion(t)
	tm.clk.Add(7*24*time.Hour - time.Hour) // an hour before the question's window ends
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 9411}); press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	tm.clk.Add(2 * time.Hour) // the question's window ended, the held reply's not
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("the tip's next question: %q", texts(r))
	}
	tm.notices(reporterID)
	tm.clk.Add(24 * time.Hour)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); !tm.answered(r) {
		t.Fatalf("'it is my answer', a day later, the tip asked again meanwhile: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || !strings.Contains(a[0], "El lunes") {
		t.Fatalf("answers kept: %q", a)
	}
}
