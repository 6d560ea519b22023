package commands_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// An untold answer the platform took just as the sweep's last tells were
// cut off by a shutdown is finished all the same: the process restarted
// does not tell Ana again once the claim's lease is over. Before, the
// finish ran on the tells' context, ended by then: the answer stayed
// claimed, and the first sweep past the lease told it a second time.
// Mutation: TellUntold finishing on tellCtx (as before) → Ana told
// twice, test fails.
func TestUntoldAnswerToldAsTheSweepIsCutOffIsNotToldAgain(t *testing.T) {
	commands.ShortUntoldLastTell(t, 10*time.Millisecond)
	tm := answeredUntold(t)
	tm.notices("2002")
	tm.engineOn(t, nil) // restarted; nothing delivered again
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	tm.mux.AddSender("telegram", stopAfterSend{recorder: tm.sent, stop: stop, atTheCut: true})
	tm.clk.Add(16 * time.Minute)
	_ = tm.mux.TellUntold(ctx)
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if n := tm.notices("2002"); !slices.Equal(n, []string{want}) {
		t.Fatalf("told as the sweep was cut off, Ana was told %q, want %q", n, want)
	}
	tm.engineOn(t, nil)          // restarted
	tm.clk.Add(10 * time.Minute) // past the claim's lease
	if err := tm.mux.TellUntold(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana told again after the restart: %q", n)
	}
}

// A live answer the platform took for Ana just as the reporter's event
// was cut off (Discord's shutdown deadline, Ctrl-C at the console, a
// handler's timeout) is finished all the same: no sweep tells Ana again
// once the grace is over. Before, its own call finished it on the
// event's context, ended by then: the finish was refused, the answer
// left due, and the sweep told her a second time.
// Mutation: deliverAnswer finishing on the event's context (as before)
// → Ana told twice, test fails.
func TestAnswerToldLiveAsTheEventIsCutOffIsNotToldAgain(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	tm.mux.AddSender("telegram", stopAfterSend{recorder: tm.sent, stop: stop})
	rec := &recorder{}
	tm.mux.Handle(ctx, commands.Request{
		Platform: "telegram", UserID: reporterID, ChatID: reporterID, UserChat: reporterID, Name: "Rosa",
		Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242,
	}, rec)
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if n := tm.notices("2002"); !slices.Equal(n, []string{want}) {
		t.Fatalf("the event cut off as Ana was told: Ana told %q, want %q", n, want)
	}
	tm.mux.AddSender("telegram", tm.sent)
	for range 3 {
		tm.clk.Add(16 * time.Minute)
		if err := tm.mux.TellUntold(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := append(tm.notices("2002"), tm.notices("-100777")...); len(n) != 0 {
		t.Fatalf("Ana told again by the sweep: %q", n)
	}
}
