package commands

import (
	"context"
	"slices"
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

// keptNotices is how many notices that a message holding a code could NOT
// be removed a chat gets in noticeEvery, at most. They ask the sender to
// delete it themselves (the bot lacks the right): each may be another
// member's, whose code stays in view until they do, so they are counted
// apart (a routine removal notice never silences one) and more are let
// through; bounded all the same, against the same flood.
const keptNotices = 5

// noticeKinds are the counters of the two kinds of notice.
const (
	noticeRemoved = "notice"
	noticeKept    = "notice_kept"
)

// noticeDue reports whether a removal notice of kind (noticeRemoved, or
// noticeKept for one that says the message could not be removed) may be
// posted in the request's chat now, and if so counts it. It is counted in
// Redis, so all replicas share it, under the chat's pseudonym (never its
// id); where Redis cannot count (down: storageDown skips the call), this
// process counts alone.
func (m *Mux) noticeDue(ctx context.Context, c *Context, storageDown bool, kind string) bool {
	chat := m.store.Pseudonym(c.Request.Platform, "chat:"+c.Request.ChatID)
	limit := 1
	if kind == noticeKept {
		limit = keptNotices
	}
	if !storageDown {
		ok, _, err := m.store.Allow(ctx, chat, kind, limit, noticeEvery)
		if err == nil {
			return ok
		}
		m.log.Info("removal notice not counted in storage; counted in this process", "platform", c.Request.Platform, "error", err.Error())
	}
	return m.notices.due(kind+"\x00"+chat, m.now(), noticeEvery, limit)
}

// chatNotices is when each chat (by pseudonym, and kind of notice) got
// removal notices from this process within their period, for when Redis
// cannot count them.
type chatNotices struct {
	mu   sync.Mutex
	sent map[string][]time.Time
}

// due reports whether chat may get a notice now (fewer than limit within
// period), and if so records it. Notices past their period are forgotten.
func (n *chatNotices) due(chat string, now time.Time, period time.Duration, limit int) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, ts := range n.sent {
		ts = slices.DeleteFunc(ts, func(t time.Time) bool { return now.Sub(t) >= period || now.Before(t) })
		if len(ts) == 0 {
			delete(n.sent, k)
		} else {
			n.sent[k] = ts
		}
	}
	if len(n.sent[chat]) >= limit {
		return false
	}
	if n.sent == nil {
		n.sent = map[string][]time.Time{}
	}
	n.sent[chat] = append(n.sent[chat], now)
	return true
}
