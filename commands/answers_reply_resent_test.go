package commands_test

import (
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
)

// A /reply CODE answer whose write ran but whose outcome could not be
// known (its reply lost, the look for it failing): the reporter is told
// so, and sends /reply CODE with the same words again, a message of its
// own. Its question closed by the first, it was told "There is no open
// question for that tip": the answer it had given unrecognised, and the
// investigators, whom the first write did not tell, never told. It is the
// same answer already recorded (its words' mark): told delivered, the
// investigators told once; sent a third time, delivered, not told again.
// Mutation: replyCommand without the look for the words (AnsweredWith)
// fails this (answer_none, Ana told nothing).
func TestUnknownReplyCommandSentAgainIsTheSameAnswer_answers(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
	lost := &answerReplyLost{}
	restartEngine(t, tm, lost)
	lost.script.Store(true)
	lost.look.Store(true)
	r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " El lunes", EventID: 616161})
	if lost.script.Load() || lost.look.Load() {
		t.Fatal("the answer's script and look did not go through the hook")
	}
	if tm.answered(r) {
		t.Fatalf("the answer whose outcome is not known: %q, told delivered", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("told before it was known: %q", n)
	}
	restartEngine(t, tm, nil)
	r = tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + "  El lunes ", EventID: 616162})
	if !tm.answered(r) {
		t.Fatalf("/reply sent again with the same words: %q, want answer_done", texts(r))
	}
	if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("1", "¿Qué día?", "El lunes")}) {
		t.Fatalf("Ana was told %q, want the answer once", n)
	}
	r = tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " El lunes", EventID: 616163})
	if !tm.answered(r) {
		t.Fatalf("/reply a third time: %q, want answer_done", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told again: %q", n)
	}
	// Other words are not that answer: no question is open.
	r = tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " El martes", EventID: 616164})
	if len(r) != 1 || r[0].Text != tm.text("en", "answer_none", nil) {
		t.Fatalf("/reply with other words: %q, want answer_none", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes" {
		t.Fatalf("answers recorded: %q", a)
	}
}

// restartEngine gives tm a store and engine on a client of their own, with
// hook (if any), as a process started afresh (tm.engineOn).
func restartEngine(t *testing.T, tm *team, hook redis.Hook) {
	t.Helper()
	tm.engineOn(t, hook)
}
