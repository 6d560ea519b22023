package commands_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// releaseFails is a store on which, once a held message was used (its
// answer delivered, or its part added to a draft), the reporter's marks
// are not written until heal: the release after the press fails.
type releaseFails struct {
	*storage.Store
	failing atomic.Bool
}

func (s *releaseFails) Answer(ctx context.Context, id string, n int, answer string) (storage.Question, error) {
	defer s.failing.Store(true)
	return s.Store.Answer(ctx, id, n, answer)
}

func (s *releaseFails) AnswerOnce(ctx context.Context, id string, n int, answer, pseudonym string, eventID int64) (storage.Question, bool, error) {
	defer s.failing.Store(true)
	return s.Store.AnswerOnce(ctx, id, n, answer, pseudonym, eventID)
}

func (s *releaseFails) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	defer s.failing.Store(true)
	return s.Store.AddToDraft(ctx, p, d)
}

func (s *releaseFails) UpdateAnswering(ctx context.Context, p string, update func(string) (string, time.Duration)) error {
	if s.failing.Load() {
		return fmt.Errorf("update answering: %w", context.DeadlineExceeded)
	}
	return s.Store.UpdateAnswering(ctx, p, update)
}

// A held message a press used (delivered as the answer, or kept as a
// new tip's part) whose release was not written (Redis failing after the
// use) is not asked about again: the sweep, looking at it as the press's
// lease ends, finds it used and lets it go. No reminder, no end notice
// follows, though the draft it went to is cancelled meanwhile; a press of
// its buttons finds nothing; the asker had the answer once.
func TestHeldMessageUsedWhoseReleaseFailedIsNotAskedAboutAgain(t *testing.T) {
	for _, choice := range []string{"1", "0"} {
		t.Run("ansh:"+choice, func(t *testing.T) {
			tm := unlinkedQuestion(t)
			s := &releaseFails{Store: tm.store}
			tm.mux = commands.New(commands.Options{
				Store: s, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
				Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
			})
			tm.mux.AddSender("telegram", tm.sent)
			holdEnLunes(t, tm, "r80")
			r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:" + choice})
			if choice == "1" && !tm.answered(r) || choice == "0" && !tm.drafted(r, "") {
				t.Fatalf("'ansh:%s' pressed, its release not written: %q", choice, texts(r))
			}
			s.failing.Store(false)

			tm.clk.Add(3 * time.Minute) // (the press's lease over; the sweep runs every minute)
			sweepHeld(t, tm.mux)
			if choice == "0" {
				if r := tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "cancel:")}); len(r) != 1 || r[0].Text != tm.text("en", "cancelled", nil) {
					t.Fatalf("the draft cancelled: %q", texts(r))
				}
			}
			for _, d := range []time.Duration{heldWindow - 24*time.Hour, 23 * time.Hour, 2 * time.Hour} {
				tm.clk.Add(d)
				sweepHeld(t, tm.mux)
				if s := tm.takeSent(reporterID); len(s) != 0 {
					t.Fatalf("about a message that went as they chose, the reporter was sent %q", texts(s))
				}
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
				t.Fatalf("'it is my answer' pressed after: %q", texts(r))
			}
			want := 0
			if choice == "1" {
				want = 1
			}
			if a := tm.notices("2002"); len(a) != want {
				t.Fatalf("Ana was told %q", a)
			}
		})
	}
}

// A press that took the held message and never used it (the process
// ended first) leaves it held: the sweep, looking at it as the lease
// ends, finds it unused, and the reporter is reminded of it in time.
func TestHeldMessageTakenByAPressThatNeverFinishedIsStillReminded(t *testing.T) {
	tm := unlinkedQuestion(t)
	s := onPressDuring(tm)
	holdEnLunes(t, tm, "r81")
	s.during = func() { panic("the process ends here") }
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"})
	tm.clk.Add(3 * time.Minute)
	sweepHeld(t, tm.mux)
	tm.clk.Add(heldWindow - 24*time.Hour)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 1 || press(s, "ansh:1") == "" {
		t.Fatalf("the reminder: %q", texts(s))
	}
}

// partReplyLost is a store on which a held message's part is written to
// the draft but its reply lost (a timeout: the press hears it failed),
// and the reporter's marks are then not written (the give-back fails)
// until heal. unwritten: the part is not written either (the write
// itself timed out); unreadable: the draft cannot be read either.
// Healed, it is the store.
type partReplyLost struct {
	*storage.Store
	failing, healed       atomic.Bool
	unwritten, unreadable bool
}

func (s *partReplyLost) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	if s.healed.Load() {
		return s.Store.AddToDraft(ctx, p, d)
	}
	if !s.unwritten {
		if _, err := s.Store.AddToDraft(ctx, p, d); err != nil {
			return storage.Draft{}, err
		}
	}
	s.failing.Store(true)
	return storage.Draft{}, fmt.Errorf("add to draft: %w", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded})
}

func (s *partReplyLost) UpdateAnswering(ctx context.Context, p string, update func(string) (string, time.Duration)) error {
	if s.failing.Load() {
		return fmt.Errorf("update answering: %w", context.DeadlineExceeded)
	}
	return s.Store.UpdateAnswering(ctx, p, update)
}

func (s *partReplyLost) DraftWithPart(ctx context.Context, p string, eventID int64) (storage.Draft, bool, error) {
	if s.unreadable && s.failing.Load() {
		return storage.Draft{}, false, fmt.Errorf("draft part: %w", context.DeadlineExceeded)
	}
	return s.Store.DraftWithPart(ctx, p, eventID)
}

// onPartReplyLost has tm's mux run on a partReplyLost store.
func onPartReplyLost(tm *team) *partReplyLost {
	s := &partReplyLost{Store: tm.store}
	tm.mux = commands.New(commands.Options{
		Store: s, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
	})
	tm.mux.AddSender("telegram", tm.sent)
	return s
}

// A press of "it is a new tip" whose part was written to the draft but
// whose reply was lost, and whose give-back failed too, leaves the
// message taken: one read finds the part in the draft, and the reporter
// is told it was added, as the write would have told them (told to try
// again, they would send it again, and have it twice). The sweep, after
// the press's lease, finds its event in the draft and lets the held copy
// go without a word. Nothing is lost: the message is in the reporter's
// draft, once, for them to send; a press again hears it is no longer
// waiting; no reminder or end notice says it was deleted.
func TestHeldPressWhosePartReplyWasLostKeepsTheMessageInTheDraft(t *testing.T) {
	tm := unlinkedQuestion(t)
	s := onPartReplyLost(tm)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", MessageID: "r93", EventID: 9301}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); !tm.drafted(r, "") || press(r, "send:") == "" {
		t.Fatalf("'it is a new tip' pressed, its reply lost: %q", texts(r))
	}
	s.failing.Store(false)
	tm.clk.Add(3 * time.Minute)
	sweepHeld(t, tm.mux)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
		t.Fatalf("pressed again after the sweep: %q", texts(r))
	}
	d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID))
	if err != nil || d.Parts != 1 {
		t.Fatalf("the reporter's draft %+v %v, want the message in it once", d, err)
	}
	for _, d := range []time.Duration{heldWindow - 24*time.Hour, 23 * time.Hour, 2 * time.Hour} {
		tm.clk.Add(d)
		sweepHeld(t, tm.mux)
		for _, r := range tm.takeSent(reporterID) {
			if strings.HasPrefix(r.Text, "Reminder") || strings.HasPrefix(r.Text, "The message you sent on") {
				t.Fatalf("about a message in their draft, the reporter was sent %q", r.Text)
			}
		}
	}
}

// The same press, the reporter's draft already open, and the held
// message naming them: the answer is the one a write whose reply came
// back gives, its warning included, and the part counted once.
func TestHeldPressWhosePartReplyWasLostIsToldAsAdded(t *testing.T) {
	tm := unlinkedQuestion(t)
	if r := tm.as(reporterID, "Rosa Paredes", commands.Request{Text: "Cobran piso en la farmacia", EventID: 9310}); !tm.drafted(r, "") {
		t.Fatalf("a first message: %q", texts(r))
	}
	s := onPartReplyLost(tm)
	if r := tm.as(reporterID, "Rosa Paredes", commands.Request{Text: "Rosa Paredes los vio el lunes", ReplyToBot: true, ReplyToID: "m1", MessageID: "r94", EventID: 9311}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	r := tm.as(reporterID, "Rosa Paredes", commands.Request{Callback: "ansh:0"})
	want := tm.text("en", "own_name_in_text", nil) + "\n\n" + tm.text("en", "draft_added", nil, 2)
	if len(r) != 1 || r[0].Text != want || press(r, "send:") == "" {
		t.Fatalf("'it is a new tip' pressed, its reply lost: %q", texts(r))
	}
	s.failing.Store(false)
	if d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); err != nil || d.Parts != 2 {
		t.Fatalf("the reporter's draft %+v %v, want the two messages", d, err)
	}
}

// The same press whose part was not written (the write itself failed):
// the reporter is told to try again, which is true (pressed again once
// the press's lease is over, it is added); and one whose draft cannot be
// read either is told that the message may or may not be in it.
func TestHeldPressWhosePartWriteFailedIsToldWhatIsKnown(t *testing.T) {
	for _, c := range []struct {
		name                  string
		unwritten, unreadable bool
		want                  string
	}{
		{"not written", true, false, "error_storage_retry"},
		{"not readable", false, true, "held_part_unknown"},
		{"neither", true, true, "held_part_unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm := unlinkedQuestion(t)
			s := onPartReplyLost(tm)
			s.unwritten, s.unreadable = c.unwritten, c.unreadable
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", MessageID: "r95", EventID: 9321}); press(r, "ansh:0") == "" {
				t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", c.want, nil) {
				t.Fatalf("'it is a new tip' pressed, its write failed: %q, want %s", texts(r), c.want)
			}
			s.failing.Store(false)
			s.healed.Store(true)
			tm.clk.Add(3 * time.Minute)
			sweepHeld(t, tm.mux)
			if c.unwritten {
				if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); !tm.drafted(r, "") {
					t.Fatalf("pressed again after the lease: %q", texts(r))
				}
			}
			d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID))
			if err != nil || d.Parts != 1 {
				t.Fatalf("the reporter's draft %+v %v, want the message in it once", d, err)
			}
		})
	}
}
