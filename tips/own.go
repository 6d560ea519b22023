package tips

import (
	"net/url"
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
// ("vigiabot", "telegram:vigiabot") or a Telegram link to it, on any of
// Telegram's link hosts, its public preview too ("t.me/vigiabot?start=…",
// "telegram.me/VigiaBot/5", "telegram.dog/vigiabot", "t.me/s/vigiabot",
// "vigiabot.t.me"); the last two kinds only of those Add recorded.
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
		// Letters escaped in its path ("t.me/%76igiabot") read as the
		// letters they stand for, once, as a browser opens the link (and
		// as Extract reads its handle).
		var ok bool
		if h, ok = telegramLinkName(UnescapeUnreserved(e.Value)); !ok {
			return false
		}
	default:
		return false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	telegram, ok := o.handles[h]
	return h != "" && ok && (bare || telegram)
}

// telegramLinkName is the account a Telegram link opens, folded, as
// Extract writes the link (host lowered, no scheme, no "www."): the
// first word of its path on t.me, telegram.me or telegram.dog (after
// "s/", the public preview of a channel or bot), or the name before
// ".t.me". False for a link elsewhere.
func telegramLinkName(link string) (string, bool) {
	end := strings.IndexAny(link, "/?#")
	if end < 0 {
		end = len(link)
	}
	host, path := link[:end], strings.TrimPrefix(link[end:], "/")
	switch {
	case host == "t.me" || host == "telegram.me" || host == "telegram.dog":
		if len(path) > 2 && strings.EqualFold(path[:2], "s/") {
			path = path[2:]
		}
	case strings.HasSuffix(host, ".t.me") && !strings.Contains(strings.TrimSuffix(host, ".t.me"), "."):
		path = strings.TrimSuffix(host, ".t.me")
	default:
		return "", false
	}
	if i := strings.IndexAny(path, "/?#"); i >= 0 {
		path = path[:i]
	}
	return foldHandle(path), true
}

// LinksTelegramAccount reports whether link, as written, opens the
// Telegram account name (with or without the "@"), case aside: on t.me,
// telegram.me or telegram.dog, as "t.me/s/name" or "name.t.me", with a
// path or a query, as telegramLinkName reads the link Extract makes of
// it, and "name.t.me" also where Extract reads no link (a blank escaped
// around the name: "https://%C2%A0name.t.me"), the name read as
// Telegram reads a username (TelegramUsername), as on t.me/. Letters escaped in its host or path
// ("t.me/%76ecina", "%74.me/vecina") are read as the letters they stand
// for (UnescapeUnreserved), as a browser opens the link. ("tg:" links
// are the Telegram adapter's to read.)
func LinksTelegramAccount(link, name string) bool {
	name = foldHandle(strings.TrimPrefix(strings.TrimSpace(name), "@"))
	if name == "" {
		return false
	}
	link = UnescapeUnreserved(link)
	// Read unbounded (extractAs): the name is the given account's, of
	// whatever length, not one told apart from the words t.me reads as
	// its own links (telegramUsername), which Extract no longer indexes.
	for _, e := range extractAs(link, "", false, true) {
		// Each read as Telegram reads a username (TelegramUsername):
		// "t.me/name%00", "t.me/name%20", "t.me/%0Aname" open, and
		// show investigators, name.
		if h, ok := telegramLinkName(e.Value); e.Kind == KindURL && ok && TelegramUsername(h) == name {
			return true
		}
		// The account Extract reads of it, its path decoded whole:
		// "t.me/%40name", "t.me/s%2Fname" index and show the account
		// name, whatever escape telegramLinkName keeps.
		if h, ok := strings.CutPrefix(e.Value, "telegram:"); e.Kind == KindHandle && ok && TelegramUsername(h) == name {
			return true
		}
	}
	// "<name>.t.me" Extract reads no link of, a blank escaped around the
	// name ("https://%C2%A0vigia_user.t.me", "https://vigia%C2%A0.t.me"):
	// the name as Telegram reads a username, as on t.me/ (each word of a
	// text on its own).
	for _, w := range strings.Fields(link) {
		if !strings.Contains(w, "://") {
			w = "http://" + w
		}
		if u, err := url.Parse(w); err == nil {
			host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
			if h, ok := telegramLinkName(host); ok && strings.HasSuffix(host, ".t.me") && TelegramUsername(h) == name {
				return true
			}
		}
	}
	return false
}

// TelegramUsername is the username Telegram reads at the start of s, as
// it opens a link to it: blanks before it skipped (spaces, control and
// format characters, as Blank reads them, and an "@" among them), then its letters, digits and
// "_" (all a username holds), what follows ignored. "vigia_user\x00",
// " vigia_user", "vigia_user\u200b", "vigia_user!x" read "vigia_user";
// "x vigia_user" reads "x". A name followed by a character no username
// holds is that account or none: never another's. "" for none.
func TelegramUsername(s string) string {
	blank := func(r rune) bool { return Blank(string(r)) }
	s = strings.TrimLeftFunc(s, blank)
	if t, ok := strings.CutPrefix(s, "@"); ok { // (" @name", "@ name": as "@name")
		s = strings.TrimLeftFunc(t, blank)
	}
	if end := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}); end >= 0 {
		s = s[:end]
	}
	return s
}

// Without returns entities less the bot's own (Names), in their order,
// and less a domain only the bot's own links name (a subdomain of t.me
// Extract reads as a domain: Telegram's link hosts are no domain entity,
// nor "<name>.t.me" where name is a username, which is the account).
func (o *Own) Without(entities []Entity) []Entity {
	if o == nil {
		return entities
	}
	ownHost := map[string]bool{} // a link's host: whether every link to it is the bot's
	for _, e := range entities {
		if e.Kind == KindURL {
			host := e.Value
			if i := strings.IndexAny(host, "/?#"); i >= 0 {
				host = host[:i]
			}
			own, seen := ownHost[host]
			ownHost[host] = o.Names(e) && (own || !seen)
		}
	}
	out := entities[:0:0]
	for _, e := range entities {
		if !o.Names(e) && !(e.Kind == KindDomain && ownHost[e.Value]) {
			out = append(out, e)
		}
	}
	return out
}
