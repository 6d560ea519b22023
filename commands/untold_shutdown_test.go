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
