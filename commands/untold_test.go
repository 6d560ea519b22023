package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A live answer whose write ran but whose outcome could not be known (its
// reply lost, the look for it failing) is told NOT saved, and then
// nothing comes again: the reporter does not send it again, the platform
// does not redeliver it, the process restarts. The answer is in the
// tip's history, yet Ana, who asked, was never told of it. The sweep
// tells her once the grace has passed, once, with the question and the
// answer and nothing of the reporter's; a later sweep tells nothing, and
// the message delivered after it is told delivered, Ana not told twice.
// Mutations: TellUntold telling nothing (ClaimUntold's result dropped),
// or RunSweeper not calling it, fails this (Ana told nothing); a grace of
// 0 fails it (told within the grace).
func TestUntoldAnswerIsToldByTheSweep(t *testing.T) {
	tm := answeredUntold(t)
	ctx := context.Background()
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
	for deadline := time.Now().Add(time.Minute); len(n) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
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
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242})
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
// answer was claimed: claimed, no other sweep tells it before the lease
// ends, so it is told now all the same, to Ana who asked, not left to a
// sweep minutes later (nor, before the lease, dropped with the context).
// Mutation: TellUntold telling under the sweep's own context fails this
// (Ana's membership not read, the answer goes to the team chat alone, or
// nowhere on a real platform).
func TestUntoldAnswerTakenAsTheSweeperStopsIsStillTold(t *testing.T) {
	tm := answeredUntold(t)
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

// afterUntoldTake runs run once, armed, just after the sweep's claim of
// an untold answer went through (its script: keys the tip, its log and the
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
		if err == nil && (name == "evalsha" || name == "eval") && len(a) == 13 && strings.HasSuffix(fmt.Sprint(a[5]), ":untold") && h.armed.CompareAndSwap(true, false) {
			h.run()
		}
		return err
	}
}
func (h *afterUntoldTake) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// The sweep claims an untold answer and every send of it fails (the
// platform down): it is not dropped. The sweep logs that it left it, a
// count, nothing of the answer, the tip or who asked; a sweep within the
// lease tells nothing (not told twice by sweeps running often), and the
// first sweep past the lease, the platform back, tells Ana, once.
// Mutation: TellUntold finishing an answer whatever tellAnswer reports
// fails this (never told); tellAnswer reporting an investigators' chat's
// failed send as told fails it too.
func TestUntoldAnswerWhoseSendsFailIsToldAfterTheLease(t *testing.T) {
	tm := answeredUntold(t)
	ctx := context.Background()
	tm.notices("2002")
	tm.engineOn(t, nil) // restarted; nothing delivered again
	down := &sendsFail{to: tm.sent}
	down.failing.Store(true)
	tm.mux.AddSender("telegram", down)
	tm.clk.Add(16 * time.Minute)
	tm.logs.Reset()
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	if down.tries.Load() == 0 {
		t.Fatal("no send was tried")
	}
	logs := tm.logs.String()
	if !strings.Contains(logs, "untold answers left for a later sweep") || !strings.Contains(logs, "unsent=1") {
		t.Errorf("the sweep did not log the answer it left: %s", logs)
	}
	for _, secret := range []string{"El lunes", "¿Qué día?", "2002", "ana", reporterID} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q: %s", secret, logs)
		}
	}
	down.failing.Store(false)
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	if n := append(tm.notices("2002"), tm.notices("-100777")...); len(n) != 0 {
		t.Fatalf("told again within the lease: %q", n)
	}
	tm.clk.Add(6 * time.Minute)
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if n := tm.notices("2002"); !slices.Equal(n, []string{want}) {
		t.Fatalf("past the lease, the platform back, Ana was told %q, want %q", n, want)
	}
	tm.clk.Add(6 * time.Minute)
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	if n := append(tm.notices("2002"), tm.notices("-100777")...); len(n) != 0 {
		t.Fatalf("told again after it was told: %q", n)
	}
}

// sendsFail is a platform whose sends fail while failing is set; it
// sends to to otherwise.
type sendsFail struct {
	to      commands.Sender
	failing atomic.Bool
	tries   atomic.Int32
}

func (s *sendsFail) Send(ctx context.Context, chatID string, rep commands.Reply) ([]string, error) {
	if s.failing.Load() {
		s.tries.Add(1)
		return nil, errors.New("platform unavailable")
	}
	return s.to.Send(ctx, chatID, rep)
}

// The sweep claims an untold answer with no investigators' chat to fall
// back on, and Redis fails the reads of who is on the team (Ana's
// profile): that is not "no one to tell". The answer is left for a sweep
// after the lease, which tells Ana, Redis back.
// Mutation: tellAnswer reporting "no one to tell" when a team check
// failed (as before) fails this (finished untold, Ana never told).
func TestUntoldAnswerWhoseTeamCheckFailsIsToldAfterTheLease(t *testing.T) {
	tm := answeredUntold(t)
	ctx := context.Background()
	tm.notices("2002")
	// Restarted with no investigators' chat, its team reads failing.
	failing := &pipelinesFail{}
	rdb := redis.NewClient(&redis.Options{Addr: tm.srv.Addr, Protocol: 2, DialerRetries: 1})
	t.Cleanup(func() { rdb.Close() })
	rdb.AddHook(failing)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "w", Now: tm.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := commands.New(commands.Options{Store: st, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
		Roles:     commands.Roles{"telegram:" + adminID: commands.Admin},
		Triage:    commands.Triage{ClaimTimeout: time.Hour, RemindAfter: 10 * time.Minute, UrgentAfter: 5 * time.Minute},
		Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
	mux.AddSender("telegram", tm.sent)
	tm.clk.Add(16 * time.Minute)
	failing.on.Store(true)
	if err := mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	if failing.hits.Load() == 0 {
		t.Fatal("no team read went through the hook")
	}
	failing.on.Store(false)
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("told while Ana's membership could not be read: %q", n)
	}
	tm.clk.Add(6 * time.Minute)
	if err := mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if n := tm.notices("2002"); !slices.Equal(n, []string{want}) {
		t.Fatalf("past the lease, Redis back, Ana was told %q, want %q", n, want)
	}
}

// pipelinesFail fails the pipelines of a Profile read (those with an
// EXISTS) while on is set.
type pipelinesFail struct {
	on   atomic.Bool
	hits atomic.Int32
}

func (h *pipelinesFail) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *pipelinesFail) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}
func (h *pipelinesFail) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !h.on.Load() || !slices.ContainsFunc(cmds, func(c redis.Cmder) bool { return c.Name() == "exists" }) {
			return next(ctx, cmds)
		}
		h.hits.Add(1)
		err := errors.New("dial tcp: connection refused")
		for _, c := range cmds {
			c.SetErr(err)
		}
		return err
	}
}

// answeredUntold is a team whose reporter answered Ana's "¿Qué día?"
// with "El lunes" while the answer's script ran but its reply, and the
// look after it, were lost (answerReplyLost): the answer is written and
// left untold, the reporter told error_storage.
func answeredUntold(t *testing.T) *team {
	t.Helper()
	tm, _ := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
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
	return tm
}
