package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// stopAfterSend is a platform that takes a message, and the bot is
// stopped (SIGTERM: stop) as it answers, before the sweep has settled
// what it sent. With atTheCut, its answer comes only once the send's
// context has ended too: just as the bound the sweep still sends within
// after a stop (untoldLastTell) cuts in.
type stopAfterSend struct {
	*recorder
	stop     context.CancelFunc
	atTheCut bool
}

func (s stopAfterSend) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	ids, err := s.recorder.Send(ctx, chat, r)
	s.stop()
	if s.atTheCut {
		<-ctx.Done()
	}
	return ids, err
}

// A held message's reminder, or its end notice, that the platform took
// as the bot was being stopped is settled all the same: the process
// restarted does not tell the reporter again once the sweep's lease is
// over. Before, the settling ran on the sweep's context, ended by then:
// not written, the take's lease ran out and the next sweep told them a
// second time.
// Mutation: tellHeld settling on ctx (as before) → told twice, test
// fails.
func TestHeldToldAsTheBotStopsIsNotToldAgainAfterTheRestart(t *testing.T) {
	for _, c := range []struct {
		name  string
		after time.Duration // from the hold to the sweep
		text  string        // what the sweep tells
	}{
		{"reminder", heldWindow - time.Hour, "Reminder"},
		{"end", heldWindow + time.Minute, "The message you sent on"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm := unlinkedQuestion(t)
			holdEnLunes(t, tm, "r62")
			tm.clk.Add(c.after)
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			tm.mux.AddSender("telegram", stopAfterSend{recorder: tm.sent, stop: stop})
			_ = tm.mux.SweepHeld(ctx)
			if s := tm.takeSent(reporterID); len(s) != 1 || !strings.HasPrefix(s[0].Text, c.text) {
				t.Fatalf("told as the bot stopped: %q, want %q once", texts(s), c.text)
			}
			restarted := newReplica(tm, "telegram", tm.sent)
			tm.clk.Add(10 * time.Minute) // past the take's lease, before the end
			sweepHeld(t, restarted)
			if s := tm.takeSent(reporterID); len(s) != 0 {
				t.Fatalf("told again after the restart: %q", texts(s))
			}
		})
	}
}
