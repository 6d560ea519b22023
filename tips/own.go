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
	mu      sync.RWMutex
	handles map[string]bool // folded, without the "@"
}

// Add records handles (with or without the "@") as the bot's own.
func (o *Own) Add(handles ...string) {
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
		o.handles[h] = true
	}
}

// Names reports whether e is one of the bot's own accounts: the handle
// ("vigiabot", "telegram:vigiabot") or a Telegram link to it
// ("t.me/vigiabot?start=…").
func (o *Own) Names(e Entity) bool {
	if o == nil {
		return false
	}
	var h string
	switch e.Kind {
	case KindHandle:
		h = e.Value
		if network, name, ok := strings.Cut(h, ":"); ok {
			if network != "telegram" {
				return false
			}
			h = name
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
	return h != "" && o.handles[h]
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
