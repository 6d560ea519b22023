package commands_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// answerAfterShutdown is a fake platform whose first send to a group is in
// flight when the bot is stopped: it waits until the test has stopped the
// broadcaster, then answers like a real API would, unless the send was cut
// short by then (as an HTTP request is when its context ends): Telegram
// refused it with a 429, which the bot only learns if it waited.
type answerAfterShutdown struct {
	*community
	inFlight, stopped chan struct{}
	answered          bool
	only              string // if set, only a message with this text is held
}

func (a *answerAfterShutdown) SendNoWait(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if a.answered || !strings.HasPrefix(chat, "-") || a.only != "" && r.Text != a.only {
		return a.community.Send(ctx, chat, r)
	}
	a.answered = true
	close(a.inFlight)
	<-a.stopped
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("request cut short: %w", err) // outcome unknown to the bot
	}
	return nil, fmt.Errorf("too many requests: %w", &commands.RateLimitError{RetryAfter: time.Second})
}

// A shutdown while a warning's send is in flight waits for the platform's
// answer: Telegram refused it (429), so the community gets it after the
// restart, once, and the report says every community got it, none
// unconfirmed.
func TestShutdownDuringSendWaitsForTheAnswer(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	p := &answerAfterShutdown{community: &community{}, inFlight: make(chan struct{}), stopped: make(chan struct{})}
	tm.publishTo(t, p, "-1", "-2")

	ctx, stop := context.WithCancel(context.Background())
	round := make(chan error, 1)
	go func() { round <- tm.mux.BroadcastOnce(ctx) }()
	<-p.inFlight
	stop() // SIGTERM
	close(p.stopped)
	<-round

	for range 3 { // after the restart
		tm.clk.Add(commands.PerChatGap)
		if err := tm.mux.BroadcastOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for _, chat := range []string{"-1", "-2"} {
		if got := p.got[chat]; len(got) != 1 || !strings.Contains(got[0], warningText) {
			t.Errorf("community %s got %q, want the warning once", chat, got)
		}
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 2, "Total": 2, "Gone": 0, "Unconfirmed": 0}, 2)
	if got := p.got["2002"]; len(got) == 0 || got[len(got)-1] != report {
		t.Errorf("report %q, want %q", got, report)
	}
}

// onLog is a log handler that calls on with each record's message before
// it is logged: a test's hook into the moment the engine logs something.
type onLog struct {
	slog.Handler
	on func(msg string)
}

func (h onLog) Handle(ctx context.Context, r slog.Record) error {
	h.on(r.Message)
	return h.Handler.Handle(ctx, r)
}
func (h onLog) WithAttrs(as []slog.Attr) slog.Handler { return onLog{h.Handler.WithAttrs(as), h.on} }
func (h onLog) WithGroup(g string) slog.Handler       { return onLog{h.Handler.WithGroup(g), h.on} }

// A shutdown just as the broadcaster has Telegram's 429 in hand (it says
// so in its log) does not keep it from recording that the message was
// refused: the community gets it after the restart, and the report says
// every community got it, none unconfirmed.
func TestShutdownAfterA429StillRecordsIt(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	logger := slog.New(onLog{slog.NewTextHandler(io.Discard, nil), func(msg string) {
		if strings.HasPrefix(msg, "warning held back") {
			stop() // SIGTERM
		}
	}})
	sent := &recorder{}
	e, srv := newEngine(t, "w", sent, commands.Options{
		Retention:        90 * 24 * time.Hour,
		Roles:            commands.Roles{"telegram:" + adminID: commands.Admin},
		Triage:           commands.Triage{ClaimTimeout: time.Hour},
		PublishApprovals: 1,
		Logger:           logger,
	})
	tm := &team{env: e, srv: srv, sent: sent}
	p := &community{flaky: map[string]int{"-1": 1}} // 429 once, then delivers
	tm.publishTo(t, p, "-1", "-2")

	_ = tm.mux.BroadcastOnce(ctx) // stopped in it
	if ctx.Err() == nil {
		t.Fatal("the broadcaster logged no 429")
	}
	for range 3 { // after the restart
		tm.clk.Add(commands.PerChatGap)
		if err := tm.mux.BroadcastOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for _, chat := range []string{"-1", "-2"} {
		if got := p.got[chat]; len(got) != 1 || !strings.Contains(got[0], warningText) {
			t.Errorf("community %s got %q, want the warning once", chat, got)
		}
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 2, "Total": 2, "Gone": 0, "Unconfirmed": 0}, 2)
	if got := p.got["2002"]; len(got) == 0 || got[len(got)-1] != report {
		t.Errorf("report %q, want %q", got, report)
	}
}

// The same for the correction of a retracted warning: a shutdown while it
// is in flight waits for Telegram's answer (429), so it is posted after
// the restart, once, and the retraction's report has none unconfirmed.
func TestShutdownDuringCorrectionWaitsForTheAnswer(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	correction := tm.correctionOf(tm.clk.Now()) // the day it is approved
	p := &answerAfterShutdown{community: &community{}, inFlight: make(chan struct{}), stopped: make(chan struct{}), only: correction}
	tm.publishTo(t, p, "-1", "-2")
	tm.deliverAll(t)
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	tm.clk.Add(commands.PerChatGap)

	ctx, stop := context.WithCancel(context.Background())
	round := make(chan error, 1)
	go func() { round <- tm.mux.BroadcastOnce(ctx) }()
	<-p.inFlight
	stop() // SIGTERM
	close(p.stopped)
	<-round

	for range 3 { // after the restart
		tm.clk.Add(commands.PerChatGap)
		if err := tm.mux.BroadcastOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for _, chat := range []string{"-1", "-2"} {
		if n := slices.Index(p.got[chat], correction); n < 0 || slices.Index(p.got[chat][n+1:], correction) >= 0 {
			t.Errorf("community %s got %q, want the correction once", chat, p.got[chat])
		}
	}
	report := tm.msg.Localize("en", "retract_done", map[string]any{"ID": "1", "Total": 2, "Deleted": 2, "Count": 2, "Gone": 0, "Unconfirmed": 0}, 2)
	if got := p.got["2002"]; len(got) == 0 || got[len(got)-1] != report {
		t.Errorf("report %q, want %q", got, report)
	}
}

// neverAnswers is a fake platform whose first send to a group never gets
// an answer: it ends only when its context does.
type neverAnswers struct {
	*community
	inFlight chan struct{}
	asked    bool
}

func (n *neverAnswers) SendNoWait(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if n.asked || !strings.HasPrefix(chat, "-") {
		return n.community.Send(ctx, chat, r)
	}
	n.asked = true
	close(n.inFlight)
	<-ctx.Done()
	return nil, fmt.Errorf("request cut short: %w", ctx.Err())
}

// Waiting for a send's answer at shutdown is bounded (ReplyGrace): a
// platform that never answers does not keep the bot from stopping. That
// send's outcome is unknown, so it is not sent again: the report counts
// it unconfirmed.
func TestShutdownDoesNotWaitForeverForASend(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	p := &neverAnswers{community: &community{}, inFlight: make(chan struct{})}
	tm.publishTo(t, p, "-1", "-2")

	ctx, stop := context.WithCancel(context.Background())
	round := make(chan error, 1)
	go func() { round <- tm.mux.BroadcastOnce(ctx) }()
	<-p.inFlight
	stop() // SIGTERM
	select {
	case <-round:
	case <-time.After(30 * time.Second):
		t.Fatal("the broadcaster still waits for a send that never answers, 30 s after shutdown")
	}

	for range 3 { // after the restart
		tm.clk.Add(commands.PerChatGap)
		if err := tm.mux.BroadcastOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 1, "Total": 2, "Gone": 0, "Unconfirmed": 1}, 2)
	if got := p.got["2002"]; len(got) == 0 || got[len(got)-1] != report {
		t.Errorf("report %q, want %q", got, report)
	}
}
