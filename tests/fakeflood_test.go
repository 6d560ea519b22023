package tests

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// floodLimits makes the fake Bot API enforce Telegram's documented flood
// limits (core.telegram.org/bots/faq, "My bot is hitting limits"): about 30
// messages a second overall, and at most 20 messages a minute to one group.
// A message over a limit is not delivered: it is answered 429 with
// retry_after, as the real API does. Only message-sending methods count;
// the 1-a-second advice for a single private chat allows bursts and is not
// enforced.
type floodLimits struct {
	perSecond      int // messages a second, all chats together
	perGroupMinute int // messages a minute to one group

	accepted []time.Time            // delivered messages of the last second
	groups   map[string][]time.Time // delivered messages per group, last minute
	attempts []floodAttempt         // every message request, in arrival order
	refused  map[string]int         // chat -> retry_after it is refused with, until admitted
}

// floodAttempt is one message request the bot made while limits were on.
type floodAttempt struct {
	Time       time.Time
	Chat       string
	RetryAfter int // 0: delivered; else answered 429 with this retry_after
}

// enableLimits turns the flood limits on; the default fake has none.
// Requests before this call are not counted.
func (f *fakeTelegram) enableLimits(perSecond, perGroupMinute int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = &floodLimits{perSecond: perSecond, perGroupMinute: perGroupMinute, groups: map[string][]time.Time{}}
}

// floodAttempts returns every message request seen since enableLimits.
func (f *fakeTelegram) floodAttempts() []floodAttempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limits == nil {
		return nil
	}
	return append([]floodAttempt(nil), f.limits.attempts...)
}

// isMessageMethod reports whether a Bot API method sends a message (and so
// counts towards the flood limits).
func isMessageMethod(method string) bool {
	return strings.HasPrefix(method, "send") && method != "sendChatAction" || method == "copyMessage" || method == "forwardMessage"
}

// isGroup reports whether a chat id is a group's, supergroup's or
// channel's (negative), not a private chat's.
func isGroup(chat string) bool { return strings.HasPrefix(chat, "-") }

// admit decides one message request at now: 0 if it is delivered, else the
// retry_after (whole seconds, at least 1) of the 429 it gets. The caller
// holds f.mu.
func (l *floodLimits) admit(chat string, now time.Time) int {
	if ra := l.refused[chat]; ra > 0 {
		l.attempts = append(l.attempts, floodAttempt{Time: now, Chat: chat, RetryAfter: ra})
		return ra
	}
	l.accepted = since(l.accepted, now.Add(-time.Second))
	wait := time.Duration(0)
	if len(l.accepted) >= l.perSecond {
		wait = l.accepted[len(l.accepted)-l.perSecond].Add(time.Second).Sub(now)
	}
	if isGroup(chat) {
		g := since(l.groups[chat], now.Add(-time.Minute))
		l.groups[chat] = g
		if len(g) >= l.perGroupMinute {
			wait = max(wait, g[len(g)-l.perGroupMinute].Add(time.Minute).Sub(now))
		}
	}
	retryAfter := 0
	if wait > 0 {
		retryAfter = max(1, int(math.Ceil(wait.Seconds())))
	} else {
		l.accepted = append(l.accepted, now)
		if isGroup(chat) {
			l.groups[chat] = append(l.groups[chat], now)
		}
	}
	l.attempts = append(l.attempts, floodAttempt{Time: now, Chat: chat, RetryAfter: retryAfter})
	return retryAfter
}

// since drops the times at or before cut (times are in order).
func since(ts []time.Time, cut time.Time) []time.Time {
	i := sort.Search(len(ts), func(i int) bool { return ts[i].After(cut) })
	return ts[i:]
}

// tooMany answers a 429 the way the Bot API does.
func tooMany(w http.ResponseWriter, retryAfter int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintf(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`, retryAfter, retryAfter)
}

// maxInWindow is the largest number of times in any window of length d
// (half-open: (t-d, t]); times must be in order.
func maxInWindow(ts []time.Time, d time.Duration) int {
	best, lo := 0, 0
	for hi := range ts {
		for !ts[lo].After(ts[hi].Add(-d)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// refuse answers every message to chat 429 with retryAfter, as if it were
// over its limit, until admit: a refusal that lasts until the test says,
// however slow the machine, not for a stretch of wall-clock time. Call
// after enableLimits.
func (f *fakeTelegram) refuse(chat string, retryAfter int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limits.refused == nil {
		f.limits.refused = map[string]int{}
	}
	f.limits.refused[chat] = retryAfter
}

// admit ends refuse: chat is held to the flood limits only.
func (f *fakeTelegram) admit(chat string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.limits.refused, chat)
}

// The fake's limits themselves: the 31st message within a second and the
// 21st to one group within a minute are refused with the wait left.
func TestFakeFloodLimits(t *testing.T) {
	l := &floodLimits{perSecond: 30, perGroupMinute: 20, groups: map[string][]time.Time{}}
	t0 := time.Unix(1000, 0)
	for i := range 30 {
		if ra := l.admit(fmt.Sprint(i), t0.Add(time.Duration(i)*time.Millisecond)); ra != 0 {
			t.Fatalf("message %d refused (retry_after %d)", i, ra)
		}
	}
	if ra := l.admit("99", t0.Add(500*time.Millisecond)); ra != 1 {
		t.Fatalf("31st message in a second: retry_after %d, want 1", ra)
	}
	if ra := l.admit("99", t0.Add(time.Second+time.Millisecond)); ra != 0 {
		t.Fatalf("a second later: retry_after %d", ra)
	}
	for i := range 20 {
		if ra := l.admit("-5", t0.Add(time.Duration(2+i)*time.Second)); ra != 0 {
			t.Fatalf("group message %d refused (retry_after %d)", i, ra)
		}
	}
	if ra := l.admit("-5", t0.Add(30*time.Second)); ra != 32 {
		t.Fatalf("21st group message in a minute: retry_after %d, want 32", ra)
	}
	if got := maxInWindow(l.accepted, time.Second); got > 30 {
		t.Fatalf("%d accepted within a second", got)
	}
	ts := []time.Time{t0, t0.Add(time.Second), t0.Add(1500 * time.Millisecond)}
	if got := maxInWindow(ts, time.Second); got != 2 {
		t.Fatalf("maxInWindow = %d, want 2 (the window is half-open)", got)
	}
}
