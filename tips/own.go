package tips

import (
	"strings"
	"sync"
)

// Own is the bot's own accounts: its Telegram username, its Discord user
// id and name. Reporters paste the bot's own link, shared to invite
// others ("t.me/vigiabot?start=…"), and mention it ("@vigiabot",
// "<@ID>"): that names no one, and counted it would make the bot itself
// a signal every few reporters (an alert anyone could manufacture). The
// text keeps it as sent; it is only not an entity. Adapters add the
// names as their platform tells them (Add); a nil Own holds none. Safe
// for concurrent use.
type Own struct {
	mu sync.RWMutex
	// handles are folded, without the "@"; true for the bot's Telegram
	// accounts (their "telegram:" handle and t.me links are its own too),
	// false for those of other networks (AddBare).
	handles map[string]bool
}

// Add records handles (with or without the "@") as the bot's own
// Telegram accounts: "@name", "telegram:name" and t.me links to it.
func (o *Own) Add(handles ...string) { o.add(true, handles) }

// AddBare records handles (with or without the "@") as the bot's own on
// a network whose accounts Extract reads only as a bare "@name" (its
// Discord user id and name). The Telegram account and t.me link of the
// same name are another's, and still entities: an impostor taking the
// bot's Discord name on Telegram is what investigators need to see.
func (o *Own) AddBare(handles ...string) { o.add(false, handles) }

func (o *Own) add(telegram bool, handles []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, h := range handles {
		h = foldHandle(strings.TrimPrefix(strings.TrimSpace(h), "@"))
		if h == "" {
			continue
		}
		if o.handles == nil {
			o.handles = map[string]bool{}
		}
		o.handles[h] = o.handles[h] || telegram
	}
}

// Names reports whether e is one of the bot's own accounts: the handle
// ("vigiabot", "telegram:vigiabot") or a Telegram link to it
// ("t.me/vigiabot?start=…"); the last two only of those Add recorded.
func (o *Own) Names(e Entity) bool {
	if o == nil {
		return false
	}
	var h string
	bare := false
	switch e.Kind {
	case KindHandle:
		h = e.Value
		if network, name, ok := strings.Cut(h, ":"); ok {
			if network != "telegram" {
				return false
			}
			h = name
		} else {
			bare = true
		}
	case KindURL:
		host, path, _ := strings.Cut(e.Value, "/")
		if host != "t.me" && host != "telegram.me" {
			return false
		}
		if i := strings.IndexAny(path, "/?#"); i >= 0 {
			path = path[:i]
		}
		h = foldHandle(path)
	default:
		return false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	telegram, ok := o.handles[h]
	return h != "" && ok && (bare || telegram)
}

// Without returns entities less the bot's own (Names), in their order.
func (o *Own) Without(entities []Entity) []Entity {
	if o == nil {
		return entities
	}
	out := entities[:0:0]
	for _, e := range entities {
		if !o.Names(e) {
			out = append(out, e)
		}
	}
	return out
}
