package commands_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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

// The sweeper's context ends (the process stopping) just after an untold
// answer was taken: taken, it is in no one's hands but this sweep's (the
// set and the tip no longer name it), so it is told all the same, to Ana
// who asked, not dropped with the context.
// Mutation: TellUntold telling under the sweep's own context fails this
// (Ana's membership not read, the answer goes to the team chat alone, or
// nowhere on a real platform).
func TestUntoldAnswerTakenAsTheSweeperStopsIsStillTold(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
	lost := &answerReplyLost{}
	tm.engineOn(t, lost)
	lost.script.Store(true)
	lost.look.Store(true)
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242})
	if len(r) != 1 || r[0].Text != tm.text("en", "error_storage", nil) {
		t.Fatalf("the answer whose outcome is not known: %q, want error_storage", texts(r))
	}
	tm.notices("2002")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := &afterUntoldTake{run: cancel}
	tm.engineOn(t, stop) // restarted; nothing delivered again
	stop.armed.Store(true)
	tm.clk.Add(16 * time.Minute)
	_ = tm.mux.TellUntold(ctx)
	if stop.armed.Load() {
		t.Fatal("no take went through the hook")
	}
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if n := tm.notices("2002"); !slices.Equal(n, []string{want}) {
		t.Fatalf("taken as the sweeper stopped, Ana was told %q, want %q", n, want)
	}
}

// afterUntoldTake runs run once, armed, just after the sweep's take of an
// untold answer went through (its script: keys the tip, its log and the
// untold set; not its EVALSHA refused NOSCRIPT, sent again whole).
type afterUntoldTake struct {
	armed atomic.Bool
	run   func()
}

func (h *afterUntoldTake) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *afterUntoldTake) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		a := cmd.Args()
		name := strings.ToLower(cmd.Name())
		if err == nil && (name == "evalsha" || name == "eval") && len(a) == 8 && strings.HasSuffix(fmt.Sprint(a[5]), ":untold") && h.armed.CompareAndSwap(true, false) {
			h.run()
		}
		return err
	}
}
func (h *afterUntoldTake) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
