package commands_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// heldOutage is a store on which, while down, a held message's part is
// not written (refused: the connection refused, else a timeout of a
// write that never ran); after that write, the draft cannot be read
// (hang: the read waits for its context, at most ten seconds), and the
// reporter's marks are not written unless givesBack.
type heldOutage struct {
	*storage.Store
	down, failed             atomic.Bool
	refused, hang, givesBack bool
}

func (s *heldOutage) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	if !s.down.Load() {
		return s.Store.AddToDraft(ctx, p, d)
	}
	s.failed.Store(true)
	if s.refused {
		return storage.Draft{}, fmt.Errorf("add to draft: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	}
	return storage.Draft{}, fmt.Errorf("add to draft: %w", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded})
}

func (s *heldOutage) UpdateAnswering(ctx context.Context, p string, update func(string) (string, time.Duration)) error {
	if s.down.Load() && s.failed.Load() && !s.givesBack {
		return fmt.Errorf("update answering: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	}
	return s.Store.UpdateAnswering(ctx, p, update)
}

func (s *heldOutage) DraftWithPart(ctx context.Context, p string, eventID int64) (storage.Draft, bool, error) {
	if !s.down.Load() || !s.failed.Load() {
		return s.Store.DraftWithPart(ctx, p, eventID)
	}
	if s.hang {
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
		return storage.Draft{}, false, fmt.Errorf("draft part: %w", context.DeadlineExceeded)
	}
	return storage.Draft{}, false, fmt.Errorf("draft part: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
}

// onHeldOutage has tm's mux run on a heldOutage store.
func onHeldOutage(tm *team, s *heldOutage) {
	s.Store = tm.store
	tm.mux = commands.New(commands.Options{
		Store: s, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
	})
	tm.mux.AddSender("telegram", tm.sent)
}

// A press of "it is a new tip" in a plain outage: its part's write is
// refused (it never ran), and so is its give-back and any read of the
// draft. The reporter is told to try again, which is true (pressed again
// once Redis is back and the press's lease is over, it is added), not
// that the message may already be in their tip: it cannot be.
func TestHeldPressRefusedInAnOutageIsToldToTryAgain(t *testing.T) {
	tm := unlinkedQuestion(t)
	s := &heldOutage{refused: true}
	onHeldOutage(tm, s)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", MessageID: "r96", EventID: 9331}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	s.down.Store(true)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", "error_storage_retry", nil) {
		t.Fatalf("'it is a new tip' pressed in an outage: %q, want error_storage_retry", texts(r))
	}
	s.down.Store(false)
	tm.clk.Add(3 * time.Minute)
	sweepHeld(t, tm.mux)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); !tm.drafted(r, "") {
		t.Fatalf("pressed again after the outage and the lease: %q", texts(r))
	}
}

// A press whose part's write timed out without running, whose draft
// cannot be read, but whose give-back is written: the message is held
// still, and the reporter told to try again (pressed again, it is
// added). keepPart does not look for the part itself on a press (its
// look failing, it would answer held_part_unknown, and the press let the
// message go, written nowhere).
func TestHeldPressGivenBackIsNotLookedForByKeepPart(t *testing.T) {
	tm := unlinkedQuestion(t)
	s := &heldOutage{givesBack: true}
	onHeldOutage(tm, s)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", MessageID: "r97", EventID: 9341}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	s.down.Store(true)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", "error_storage_retry", nil) {
		t.Fatalf("'it is a new tip' pressed, its write timed out: %q, want error_storage_retry", texts(r))
	}
	s.down.Store(false)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); !tm.drafted(r, "") {
		t.Fatalf("pressed again: %q", texts(r))
	}
}

// A press whose part's write timed out (it may have run) and whose
// give-back failed looks for the part in the draft for a second at most:
// with Redis hanging, the reporter still hears within the request's time
// that the message may already be in their tip.
func TestHeldPressLookIsBounded(t *testing.T) {
	tm := unlinkedQuestion(t)
	s := &heldOutage{hang: true}
	onHeldOutage(tm, s)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", MessageID: "r98", EventID: 9351}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	s.down.Store(true)
	start := time.Now()
	r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"})
	if len(r) != 1 || r[0].Text != tm.text("en", "held_part_unknown", nil) {
		t.Fatalf("'it is a new tip' pressed, Redis hanging: %q, want held_part_unknown", texts(r))
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the press took %s to answer", took)
	}
}
