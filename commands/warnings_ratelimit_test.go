package commands_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// floodedPlatform is a fake adapter whose groups answer 429 with
// retryAfter until the clock reaches until, as Telegram does once the
// bot is over its limit: the broadcaster's sends (SendNoWait) get it at
// once, never a wait.
type floodedPlatform struct {
	*community
	clk        *clock
	until      time.Time
	retryAfter time.Duration

	mu       sync.Mutex
	limited  int            // 429s answered
	attempts map[string]int // sends per chat, 429s included
}

func (f *floodedPlatform) SendNoWait(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	f.mu.Lock()
	f.attempts[chat]++
	if strings.HasPrefix(chat, "-") && f.clk.Now().Before(f.until) {
		f.limited++
		f.mu.Unlock()
		return nil, fmt.Errorf("flooded: %w", &commands.RateLimitError{RetryAfter: f.retryAfter})
	}
	f.mu.Unlock()
	return f.community.Send(ctx, chat, r)
}

// subscribeDiscord subscribes Discord channel as a member with Manage
// Channels.
func (tm *team) subscribeDiscord(t *testing.T, channel string) {
	t.Helper()
	tm.event++
	w := &adminReplier{recorder: &recorder{}, admin: true}
	tm.mux.Handle(context.Background(), commands.Request{Platform: "discord", UserID: "60", ChatID: "u60", ChannelID: channel,
		ChatKind: commands.Private, EventID: tm.event, Command: "subscribe", CommandAtStart: true}, w)
	if r := w.take(); len(r) == 0 || !strings.HasPrefix(r[0].Text, "This chat will receive") {
		t.Fatalf("discord subscribe: %+v", r)
	}
}

// A 429 on one platform holds that platform back for its retry_after, and
// that platform only: the other platform's communities get the warning in
// the same round, no Telegram chat is asked again before the wait is
// over, and once it is every community has it, once.
func TestRateLimitHoldsBackOnlyItsPlatform(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	tg := &floodedPlatform{community: &community{}, clk: tm.clk, until: tm.clk.Now().Add(40 * time.Second),
		retryAfter: 20 * time.Second, attempts: map[string]int{}}
	dc := &community{}
	tm.mux.AddSender("telegram", tg)
	tm.mux.AddSender("discord", dc)
	for i := 1; i <= 3; i++ { // subscribed first: tried before Discord
		tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"})
	}
	tm.clk.Add(time.Second)
	for _, ch := range []string{"701", "702", "703"} {
		tm.subscribeDiscord(t, ch)
	}
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1")

	if err := tm.mux.BroadcastOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"701", "702", "703"} {
		if got := dc.got[ch]; len(got) != 1 {
			t.Fatalf("discord channel %s got %d messages in the round Telegram refused, want 1", ch, len(got))
		}
	}
	if asked := tg.attempts["-1"] + tg.attempts["-2"] + tg.attempts["-3"]; tg.limited != 1 || asked != 1 {
		t.Fatalf("after one 429 Telegram was asked again in the same round: %d 429s, sends %v", tg.limited, tg.attempts)
	}

	// Rounds every PerChatGap: Telegram is asked again only once each
	// retry_after is over (at 20 s, refused again; at 40 s, delivered).
	for range 16 {
		tm.clk.Add(commands.PerChatGap)
		if err := tm.mux.BroadcastOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if tg.limited != 2 {
		t.Fatalf("Telegram answered %d 429s, want 2: asked again within its retry_after", tg.limited)
	}
	for _, chat := range []string{"-1", "-2", "-3"} {
		if got := tg.got[chat]; len(got) != 1 || !strings.Contains(got[0], warningText) {
			t.Fatalf("telegram chat %s got %q", chat, got)
		}
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 6, "Total": 6, "Gone": 0, "Unconfirmed": 0}, 6)
	if got := tg.got["2002"]; len(got) == 0 || got[len(got)-1] != report {
		t.Fatalf("report %q, want %q", got, report)
	}
}

// A destination refused with 429s more often than a failing one may be
// (maxDeliveryAttempts) is not given up: a rate limit is not its fault.
func TestRateLimitIsNotAFailedAttempt(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{flaky: map[string]int{"-1": 12}} // 429 twelve times, then delivers
	tm.publishTo(t, platform, "-1")
	for range 14 {
		if err := tm.mux.BroadcastOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		tm.clk.Add(commands.PerChatGap)
	}
	if got := platform.got["-1"]; len(got) != 1 {
		t.Fatalf("the community got %q", got)
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 1, "Total": 1, "Gone": 0, "Unconfirmed": 0}, 1)
	if got := platform.got["2002"]; len(got) == 0 || got[len(got)-1] != report {
		t.Fatalf("report %q, want %q", got, report)
	}
}
