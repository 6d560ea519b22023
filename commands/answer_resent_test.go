package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// answerReplyLost, armed, lets the next answer's script run in Redis and
// then loses its reply (a connection reset), and fails the look for its
// mark that follows (HMGET, its first field "qa:<n>"): the answer's outcome
// is not known to the process.
type answerReplyLost struct{ script, look atomic.Bool }

func (h *answerReplyLost) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *answerReplyLost) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		a := cmd.Args()
		name := strings.ToLower(cmd.Name())
		if (name == "evalsha" || name == "eval") && len(a) == 13 && strings.Contains(a[4].(string), ":log:") && h.script.Load() {
			if err := next(ctx, cmd); err != nil {
				return err // (NOSCRIPT: not run; sent again whole)
			}
			h.script.Store(false)
			err := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
			cmd.SetErr(err)
			return err
		}
		if name == "hmget" && len(a) >= 4 && strings.HasPrefix(a[2].(string), "qa:") && h.look.CompareAndSwap(true, false) {
			err := errors.New("dial tcp: connection refused")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}
func (h *answerReplyLost) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// engineOn starts the engine afresh (a restart, or another replica) on
// its own client to the team's Redis, through hook if not nil.
func (tm *team) engineOn(t *testing.T, hook redis.Hook) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: tm.srv.Addr, Protocol: 2, DialerRetries: 1})
	t.Cleanup(func() { rdb.Close() })
	if hook != nil {
		rdb.AddHook(hook)
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "w", Now: tm.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	tm.store = st
	tm.mux = commands.New(commands.Options{Store: st, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:-100777"},
		Triage:    commands.Triage{ClaimTimeout: time.Hour, RemindAfter: 10 * time.Minute, UrgentAfter: 5 * time.Minute},
		Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
	tm.mux.AddSender("telegram", tm.sent)
}

// A live answer whose write ran but whose outcome could not be known (its
// reply lost, the look for it failing) is told NOT saved, and the
// reporter sends it again, a message of its own: it is the same answer,
// not a new tip ("that question is no longer open"): told delivered, the
// investigators told once (the first write told no one), one answer in
// the tip's history, no draft. The engine runs on a process started
// afresh for the resend (a restart, or another replica).
// Mutation: AnswerOnce without its "qh:<n>" words mark (sameAnswerMark
// "") fails this (answer_not_open, the resend kept as a tip).
func TestUnknownAnswerSentAgainIsTheSameAnswer(t *testing.T) {
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
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("told before it was known: %q", n)
	}
	tm.engineOn(t, nil) // restarted
	r = tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes ", ReplyToBot: true, ReplyToID: "m1", EventID: 424243})
	if !tm.answered(r) {
		t.Fatalf("sent again: %q, want answer_done", texts(r))
	}
	if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("1", "¿Qué día?", "El lunes")}) {
		t.Fatalf("Ana was told %q, want the answer once", n)
	}
	if d, err := tm.store.Draft(ctx, tm.store.Pseudonym("telegram", reporterID)); err == nil && d.Parts != 0 {
		t.Fatalf("the answer sent again went to a draft: %+v", d)
	}
	tip, err := tm.store.Tip(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, e := range tip.History {
		if strings.Contains(e.Text, "El lunes") {
			got++
		}
	}
	if got != 1 {
		t.Fatalf("%d answers in the history, want 1: %+v", got, tip.History)
	}
}
