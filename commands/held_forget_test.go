package commands_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// marksUnwritten is a store on which, while down, a change of the
// reporter's marks is made on what they hold and then not written: the
// write times out (Redis failing between the read and the write).
type marksUnwritten struct {
	*storage.Store
	down atomic.Bool
}

func (s *marksUnwritten) UpdateAnswering(ctx context.Context, p string, update func(string) (string, time.Duration)) error {
	if !s.down.Load() {
		return s.Store.UpdateAnswering(ctx, p, update)
	}
	v, err := s.Store.Answering(ctx, p)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	update(v)
	return fmt.Errorf("update answering: %w", context.DeadlineExceeded)
}

// A /forget whose deletion of the held reply is not written (Redis fails
// after the tip was forgotten and the marks read) does not tell the
// reporter the reply was deleted, for it was not: they are told the tip
// is forgotten, and that a reply waiting for their choice could not be
// deleted, to send /forget again. It is still held: /forget again
// deletes it, and says so, and nothing is said of it later.
func TestForgetWhoseHeldReplyIsNotDeletedDoesNotSayItWas(t *testing.T) {
	tm, receipt := questioned(t)
	tm.mux.AddSender("telegram", &lostAnswerSender{recorder: tm.sent, chat: reporterID})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué día?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_unknown", map[string]any{"ID": "1"}) {
		t.Fatalf("/ask whose delivery is unknown: %q", texts(r))
	}
	s := &marksUnwritten{Store: tm.store}
	tm.mux = commands.New(commands.Options{
		Store: s, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
	})
	tm.mux.AddSender("telegram", tm.sent)
	tm.notices(reporterID)
	holdEnLunes(t, tm, "r71")

	s.down.Store(true)
	r := tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt})
	want := tm.text("en", "forget_done", nil) + "\n\n" + tm.text("en", "forget_held_unknown", nil)
	if len(r) != 1 || r[0].Text != want {
		t.Fatalf("/forget whose deletion of the held reply failed: %q, want %q", texts(r), want)
	}
	s.down.Store(false)
	r = tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt})
	want = tm.text("en", "forget_done", nil) + "\n\n" + tm.text("en", "forget_held_dropped", nil)
	if len(r) != 1 || r[0].Text != want {
		t.Fatalf("/forget again: %q, want %q", texts(r), want)
	}
	tm.clk.Add(heldWindow - 12*time.Hour)
	if due, err := tm.store.DueHeld(context.Background(), 10); err != nil || len(due) != 0 {
		t.Fatalf("held entries after /forget again: %v (%v)", due, err)
	}
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("after /forget again, the reporter was sent %q", texts(s))
	}
}
