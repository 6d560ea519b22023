package commands_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A live answer whose write ran but whose outcome could not be known (its
// reply lost, the look for it failing) is told NOT saved, and then
// nothing comes again: the reporter does not send it again, the platform
// does not redeliver it, the process restarts. The answer is in the
// tip's history, yet Ana, who asked, was never told of it. The sweep
// tells her once the grace has passed, once, with the question and the
// answer and nothing of the reporter's; a later sweep tells nothing, and
// the message delivered after it is told delivered, Ana not told twice.
// Mutations: TellUntold telling nothing (TakeUntold's result dropped),
// or RunSweeper not calling it, fails this (Ana told nothing); a grace of
// 0 fails it (told within the grace).
func TestUntoldAnswerIsToldByTheSweep(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
	ctx := context.Background()
	lost := &answerReplyLost{}
	tm.engineOn(t, lost)
	lost.script.Store(true)
	lost.look.Store(true)
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242})
	if lost.script.Load() || lost.look.Load() {
		t.Fatal("the answer's script and look did not go through the hook")
	}
	if len(r) != 1 || r[0].Text != tm.text("en", "error_storage", nil) {
		t.Fatalf("the answer whose outcome is not known: %q, want error_storage", texts(r))
	}
	tm.engineOn(t, nil) // restarted; nothing delivered again
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("told within the grace (left to a redelivery): %q", n)
	}
	tm.clk.Add(16 * time.Minute)
	sweepCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); tm.mux.RunSweeper(sweepCtx, 10*time.Millisecond, time.Hour) }()
	var n []string
	for deadline := time.Now().Add(10 * time.Second); len(n) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		n = append(n, tm.notices("2002")...)
	}
	cancel()
	<-done
	n = append(n, tm.notices("2002")...)
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if !slices.Equal(n, []string{want}) {
		t.Fatalf("Ana was told %q by the sweeper, want the answer once: %q", n, want)
	}
	if strings.Contains(want, "Rosa") || strings.Contains(want, reporterID) {
		t.Fatalf("the notice names the reporter: %q", want)
	}
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	r = tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242})
	if !tm.answered(r) {
		t.Fatalf("delivered after the sweep: %q, want answer_done", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana told again: %q", n)
	}
	if got := tm.tipAnswers("1"); len(got) != 1 {
		t.Fatalf("answers in the history %q, want one", got)
	}
}
