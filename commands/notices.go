package commands

import (
	"context"
	"sync"
	"time"
)

// noticeEvery is how often, at most, a group's conversation is told that
// a message holding a code was removed. The removal itself is never
// skipped; a notice more often than this would only repeat the one still
// in view a few messages up, and anyone holding a receipt code (their
// own) could have the bot post one per message they paste: a flood in the
// group, and the bot's sending budget spent there while warnings and
// alerts wait.
const noticeEvery = time.Minute

// noticeDue reports whether a removal notice may be posted in the
// request's chat now, and if so counts it. It is counted in Redis, so all
// replicas share it, under the chat's pseudonym (never its id); where
// Redis cannot count (down: storageDown skips the call), this process
// counts alone.
func (m *Mux) noticeDue(ctx context.Context, c *Context, storageDown bool) bool {
	chat := m.store.Pseudonym(c.Request.Platform, "chat:"+c.Request.ChatID)
	if !storageDown {
		ok, _, err := m.store.Allow(ctx, chat, "notice", 1, noticeEvery)
		if err == nil {
			return ok
		}
		m.log.Info("removal notice not counted in storage; counted in this process", "platform", c.Request.Platform, "error", err.Error())
	}
	return m.notices.due(chat, m.now(), noticeEvery)
}

// chatNotices is when each chat (by pseudonym) last got a removal notice
// from this process, for when Redis cannot count them.
type chatNotices struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// due reports whether chat may get a notice now (none within period), and
// if so records it. Chats past their period are forgotten.
func (n *chatNotices) due(chat string, now time.Time, period time.Duration) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, t := range n.last {
		if now.Sub(t) >= period || now.Before(t) {
			delete(n.last, k)
		}
	}
	if _, ok := n.last[chat]; ok {
		return false
	}
	if n.last == nil {
		n.last = map[string]time.Time{}
	}
	n.last[chat] = now
	return true
}
