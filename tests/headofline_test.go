package tests

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage/redistest"
)

// Polling through the real binary: a reporter whose replies Telegram
// holds back (its per-chat rate limit, a slow network) holds up neither
// the polling nor another reporter, whose message is answered meanwhile.
// The slow chat's own updates are handled in order once it moves, and
// every update leaves the inbox once handled.
func TestSlowChatDoesNotHoldUpOtherReporters(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	held := make(chan struct{})
	tg.mu.Lock()
	tg.hold = map[string]chan struct{}{"7300": held}
	tg.mu.Unlock()
	released := false
	release := func() {
		if !released {
			released = true
			tg.mu.Lock()
			delete(tg.hold, "7300")
			tg.mu.Unlock()
			close(held)
		}
	}
	t.Cleanup(release)
	bot := startBot(t, tg, rs.URL(), "VIGIA_SPOOL_DIR="+t.TempDir())
	a, b := user(7300, "", "A", "en"), user(7301, "", "B", "en")
	tg.push(message(1, a, privateChat(7300, "", "A"), map[string]any{"text": "primera parte del aviso"}))
	tg.waitCalls(1, messagesTo("7300")) // its reply is on its way, and held
	tg.push(message(2, a, privateChat(7300, "", "A"), map[string]any{"text": "segunda parte del aviso"}))
	tg.push(message(3, b, privateChat(7301, "", "B"), map[string]any{"text": "otro aviso"}))
	tg.waitCalls(1, messagesTo("7301")) // answered while 7300 is still held
	if n := len(tg.waitCalls(1, messagesTo("7300"))); n != 1 {
		t.Fatalf("%d replies to the held chat before it moved", n)
	}
	release()
	replies := tg.waitCalls(2, messagesTo("7300"))
	if !strings.Contains(replies[1].Fields["text"], "2 parts") {
		t.Fatalf("the held chat's second message answered first: %q", replies[1].Fields["text"])
	}
	waitFor(t, func() bool { return inboxEmpty(rs) })
	bot.stop(t)
}

// inboxEmpty reports whether every update in Telegram's inbox was handled
// (confirmed to Telegram means stored there, not yet handled).
func inboxEmpty(rs *redistest.Server) bool {
	n, err := rs.Client().XLen(context.Background(), "vigia:{inbox}:telegram").Result()
	return err == nil && n == 0
}
