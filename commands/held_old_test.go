package commands_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// asHeldByOldVersion rewrites the reporter's held message as a version
// before the sweep keeps it (and writes it back, an old replica changing
// the marks): without what it does not know, its ID, route, language,
// message id, time and reminder. It returns the ref the message had.
func asHeldByOldVersion(t *testing.T, tm *team) storage.HeldRef {
	t.Helper()
	ctx := context.Background()
	p := tm.store.Pseudonym("telegram", reporterID)
	v, err := tm.store.Answering(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var marks map[string]json.RawMessage
	var h map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &marks); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(marks["h"], &h); err != nil {
		t.Fatal(err)
	}
	var id string
	_ = json.Unmarshal(h["i"], &id)
	for _, k := range []string{"i", "r", "g", "m", "a", "rm"} {
		delete(h, k)
	}
	marks["h"], _ = json.Marshal(h)
	b, _ := json.Marshal(marks)
	if err := tm.store.SetAnswering(ctx, p, string(b), heldWindow); err != nil {
		t.Fatal(err)
	}
	return storage.HeldRef{Pseudonym: p, ID: id}
}

// A message held by a replica of the version before the sweep, during a
// rolling upgrade (after this process started), has no entry in the
// sweep's schedule: it is found all the same, given one, and its reporter
// reminded a day before its window ends, with the two buttons, then told
// at its end that it was deleted unsent, once each; an old replica
// writing the marks again meanwhile changes none of that. Nothing
// reaches the asker.
func TestHeldByAnOldVersionIsRemindedThenToldOfItsEnd(t *testing.T) {
	tm := unlinkedQuestion(t)
	ctx := context.Background()
	sweepHeld(t, tm.mux) // (this process's first sweep, before the message is held)
	held := holdEnLunes(t, tm, "r90")
	if err := tm.store.UnscheduleHeld(ctx, asHeldByOldVersion(t, tm)); err != nil {
		t.Fatal(err)
	}
	until := held.Add(heldWindow)

	tm.clk.Add(6 * time.Hour)
	sweepHeld(t, tm.mux)
	asHeldByOldVersion(t, tm)
	tm.clk.Add(6 * time.Hour)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("half a day after it was held: %q", texts(s))
	}

	tm.clk.Add(until.Add(-24*time.Hour + time.Minute).Sub(tm.clk.Now()))
	sweepHeld(t, tm.mux)
	sweepHeld(t, tm.mux)
	s := tm.takeSent(reporterID)
	want := tm.text("en", "held_reminder", map[string]any{"Date": held.UTC().Format("2006-01-02"), "Time": until.UTC().Format("2006-01-02 15:04 UTC")})
	if len(s) != 1 || s[0].Text != want || press(s, "ansh:1") == "" || press(s, "ansh:0") == "" {
		t.Fatalf("the reminder: %+v, want %q with both buttons", s, want)
	}

	tm.clk.Add(until.Add(30 * time.Second).Sub(tm.clk.Now()))
	sweepHeld(t, tm.mux)
	sweepHeld(t, tm.mux)
	want = tm.text("en", "held_expired", map[string]any{"Date": held.UTC().Format("2006-01-02"), "Period": "7 days"})
	if s := tm.takeSent(reporterID); len(s) != 1 || s[0].Text != want {
		t.Fatalf("at its end: %q, want %q", texts(s), want)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
		t.Fatalf("'it is my answer' after its end: %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 0 {
		t.Fatalf("Ana was told %q", a)
	}
}

// marksUnreachable is a store whose reporters' marks cannot be read
// while down (Redis unreachable: each read a timeout); reads counts the
// reads tried meanwhile.
type marksUnreachable struct {
	*storage.Store
	down  atomic.Bool
	reads atomic.Int32
}

func (s *marksUnreachable) Answering(ctx context.Context, p string) (string, error) {
	if !s.down.Load() {
		return s.Store.Answering(ctx, p)
	}
	s.reads.Add(1)
	return "", fmt.Errorf("get answering: %w", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded})
}

// A look for messages held by the version before the sweep that finds
// Redis unreachable once it has listed the reporters stops there: it
// does not try every other reporter's marks, each a timeout, each an
// error in the sweep's log line. It is made again later, and the old
// message is then found, and its reporter reminded in time.
func TestLookForOldHeldStopsWhenRedisIsUnreachable(t *testing.T) {
	tm := unlinkedQuestion(t)
	ctx := context.Background()
	held := holdEnLunes(t, tm, "r91")
	if err := tm.store.UnscheduleHeld(ctx, asHeldByOldVersion(t, tm)); err != nil {
		t.Fatal(err)
	}
	for i := range 20 { // (other reporters with marks)
		if err := tm.store.SetAnswering(ctx, tm.store.Pseudonym("telegram", strconv.Itoa(5000+i)), `{}`, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	s := &marksUnreachable{Store: tm.store}
	tm.mux = commands.New(commands.Options{
		Store: s, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
	})
	tm.mux.AddSender("telegram", tm.sent)

	s.down.Store(true)
	if err := tm.mux.SweepHeld(ctx); err == nil {
		t.Fatal("the look with Redis unreachable: no error")
	}
	if n := s.reads.Load(); n != 1 {
		t.Fatalf("the look with Redis unreachable tried %d reporters' marks, want 1", n)
	}
	s.down.Store(false)

	tm.clk.Add(10 * time.Minute)
	sweepHeld(t, tm.mux)
	until := held.Add(heldWindow)
	tm.clk.Add(until.Add(-24*time.Hour + time.Minute).Sub(tm.clk.Now()))
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(reporterID); len(s) != 1 || press(s, "ansh:1") == "" {
		t.Fatalf("the reminder after the look was made again: %q", texts(s))
	}
}

// routeUnreadable is a store on which every tip's route is sealed under
// a secret no longer known; looks counts the looks for messages held by
// the version before the sweep (storage.Answerers: a SCAN of the keys).
type routeUnreadable struct {
	*storage.Store
	looks atomic.Int32
}

func (s *routeUnreadable) ReporterRoute(context.Context, string) (string, string, error) {
	return "", "", fmt.Errorf("read route: %w", storage.ErrSealed)
}

func (s *routeUnreadable) Answerers(ctx context.Context) ([]string, error) {
	s.looks.Add(1)
	return s.Store.Answerers(ctx)
}

// A message held by the version before the sweep whose tip's route
// cannot be read (sealed under a secret no longer known) has no one to
// tell, and no later look would find one: it is final for that message,
// said in one log line with no id in clear, not an error that has the
// look for such messages made again every ten minutes (a SCAN of every
// key, an error logged each time) for as long as looks go on. The next
// look is made hours later, as after one that found nothing.
// Mutation: scheduleOldHeld counting errRouteUnreadable as an error →
// the sweep fails, and the look is made again every ten minutes.
func TestOldHeldWhoseRouteCannotBeReadDoesNotRepeatTheLook(t *testing.T) {
	tm := unlinkedQuestion(t)
	ctx := context.Background()
	holdEnLunes(t, tm, "r92")
	if err := tm.store.UnscheduleHeld(ctx, asHeldByOldVersion(t, tm)); err != nil {
		t.Fatal(err)
	}
	s := &routeUnreadable{Store: tm.store}
	tm.mux = commands.New(commands.Options{
		Store: s, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
	})
	tm.mux.AddSender("telegram", tm.sent)
	tm.logs.Reset()
	for range 6 {
		sweepHeld(t, tm.mux)
		tm.clk.Add(10 * time.Minute)
	}
	if n := s.looks.Load(); n != 1 {
		t.Fatalf("%d looks in an hour, want 1", n)
	}
	logs := tm.logs.String()
	if strings.Count(logs, "route cannot be read") != 1 || !strings.Contains(logs, "messages=1") {
		t.Fatalf("logs %q, want one line counting the message", logs)
	}
	if p := tm.store.Pseudonym("telegram", reporterID); strings.Contains(logs, p) || strings.Contains(logs, reporterID) {
		t.Fatalf("logs %q name the reporter", logs)
	}
	if s := tm.takeSent(reporterID); len(s) != 0 {
		t.Fatalf("the reporter was sent %q", texts(s))
	}
}
