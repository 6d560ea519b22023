package commands_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// The reporter answers Ana's question while every send to the team fails
// (their platform down at that moment): the answer is written, the
// reporter told it is delivered, and no one is told. It stays due: the
// sweep tells Ana once its grace has passed, the platform back, once.
// Before, its own call took the untold copy out before telling it, and
// nothing told it ever.
// Mutations: deliverAnswer finishing the answer whatever tellAnswer
// reports fails this (never told); toTell taking the untold copy out
// (FinishUntold in its place) fails it too.
func TestAnswerWhoseEverySendFailsIsToldByTheSweep(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	ctx := context.Background()
	tm.notices(reporterID)
	down := &sendsFail{to: tm.sent}
	down.failing.Store(true)
	tm.mux.AddSender("telegram", down)
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242})
	if !tm.answered(r) {
		t.Fatalf("the answer, the team's platform down: %q, want answer_done", texts(r))
	}
	if down.tries.Load() == 0 {
		t.Fatal("no send was tried")
	}
	down.failing.Store(false)
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	if n := append(tm.notices("2002"), tm.notices("-100777")...); len(n) != 0 {
		t.Fatalf("told within the grace: %q", n)
	}
	tm.clk.Add(16 * time.Minute)
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if n := tm.notices("2002"); !slices.Equal(n, []string{want}) {
		t.Fatalf("the sweep after the grace, the platform back: Ana told %q, want %q", n, want)
	}
	tm.clk.Add(6 * time.Minute)
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	if n := append(tm.notices("2002"), tm.notices("-100777")...); len(n) != 0 {
		t.Fatalf("told again: %q", n)
	}
}

// An answer told by its own call (a send went out) is finished: no sweep
// tells it again.
// Mutation: deliverAnswer not finishing a told answer fails this (Ana
// told twice, the second time by the sweep).
func TestAnswerToldLiveIsNotToldAgainByTheSweep(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	ctx := context.Background()
	tm.notices(reporterID)
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242})
	if !tm.answered(r) {
		t.Fatalf("the answer: %q, want answer_done", texts(r))
	}
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if n := tm.notices("2002"); !slices.Equal(n, []string{want}) {
		t.Fatalf("Ana told %q, want %q", n, want)
	}
	for range 3 {
		tm.clk.Add(16 * time.Minute)
		if err := tm.mux.TellUntold(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := append(tm.notices("2002"), tm.notices("-100777")...); len(n) != 0 {
		t.Fatalf("told again by the sweep: %q", n)
	}
}

// A sweep's batch runs long: its lease on an answer ends before it comes
// to it, and another replica's sweep claims it and tells it meanwhile.
// The first sweep, renewing its lease before it tells (RenewUntold),
// finds it no longer its own and does not tell it: Ana is told once.
// Mutation: TellUntold telling without renewing its lease fails this
// (told twice).
func TestUntoldAnswerClaimedByAnotherSweepAsTheBatchRunsIsToldOnce(t *testing.T) {
	tm := answeredUntold(t)
	ctx := context.Background()
	tm.notices("2002")
	tm.engineOn(t, nil)
	other := tm.mux // another replica
	late := &afterUntoldTake{run: func() {
		tm.clk.Add(6 * time.Minute) // the batch's earlier answers took the lease
		if err := other.TellUntold(ctx); err != nil {
			t.Error(err)
		}
	}}
	tm.engineOn(t, late)
	late.armed.Store(true)
	tm.clk.Add(16 * time.Minute)
	if err := tm.mux.TellUntold(ctx); err != nil {
		t.Fatal(err)
	}
	if late.armed.Load() {
		t.Fatal("no claim went through the hook")
	}
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if n := tm.notices("2002"); !slices.Equal(n, []string{want}) {
		t.Fatalf("Ana told %q, want once: %q", n, want)
	}
}
