package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// maxResults bounds /search and /entity answers.
const maxResults = 20

// parseWindow reads "7d", "30d" or "48h"; false if s is not a window.
func parseWindow(s string) (time.Duration, bool) {
	s = strings.ToLower(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 3650 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	if h, ok := strings.CutSuffix(s, "h"); ok {
		n, err := strconv.Atoi(h)
		if err != nil || n < 1 || n > 87600 {
			return 0, false
		}
		return time.Duration(n) * time.Hour, true
	}
	return 0, false
}

// search is /search words… [7d|30d] [category]: every word must appear;
// case and accents do not matter.
func search(ctx context.Context, c *Context) error {
	words := strings.Fields(c.Request.Args)
	window := c.mux.retention
	var cat tips.Category
	var query []string
	for _, w := range words {
		if d, ok := parseWindow(w); ok {
			window = d
		} else if k, ok := tips.ParseCategory(strings.ToLower(w)); ok {
			cat = k
		} else {
			query = append(query, w)
		}
	}
	if len(tips.IndexTokens(strings.Join(query, " "))) == 0 || len(query) > 20 {
		return c.Say(ctx, "search_usage", nil)
	}
	list, err := c.mux.store.Search(ctx, strings.Join(query, " "), c.mux.now().Add(-window), cat, maxResults)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return c.Say(ctx, "search_empty", nil)
	}
	return c.Reply(ctx, Reply{Text: c.tipList(c.T("search_header", nil, len(list)), list), Protected: true})
}

// entity is /entity VALUE: tips naming it in any of its forms.
func entity(ctx context.Context, c *Context) error {
	arg := strings.TrimSpace(c.Request.Args)
	if arg == "" || len(arg) > 500 {
		return c.Say(ctx, "entity_usage", nil)
	}
	found := tips.Extract(arg, c.mux.region)
	if len(found) == 0 {
		if d, ok := tips.DomainEntity(arg); ok {
			found = []tips.Entity{d}
		}
	}
	if len(found) == 0 {
		return c.Say(ctx, "entity_unknown", nil)
	}
	e := found[0]
	for _, f := range found { // a link names its URL, domain and maybe a profile: prefer the most specific
		if f.Kind == tips.KindHandle || f.Kind == tips.KindPhone {
			e = f
			break
		}
		if f.Kind == tips.KindURL {
			e = f
		}
	}
	list, err := c.mux.store.EntityTips(ctx, e, c.mux.now().Add(-c.mux.retention), maxResults)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return c.Say(ctx, "search_empty", nil)
	}
	header := c.T("entity_header", map[string]any{"Entity": safe(e.Display)}, len(list))
	return c.Reply(ctx, Reply{Text: c.tipList(header, list), Protected: true})
}

// signals is /signals [window]: the strongest corroborated entities of
// the corroboration window, or of any window up to the retention.
func signals(ctx context.Context, c *Context) error {
	window := c.mux.window
	if arg := strings.TrimSpace(c.Request.Args); arg != "" {
		d, ok := parseWindow(arg)
		if !ok {
			return c.Say(ctx, "signals_usage", nil)
		}
		window = d
		if r := c.mux.retention; r > 0 {
			window = min(d, r) // nothing older is kept
		}
	}
	list, err := c.mux.store.Signals(ctx, window, 10)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return c.Say(ctx, "signals_empty", nil)
	}
	lines := []string{c.T("signals_header", map[string]any{"Days": max(1, int(window.Hours()/24))})}
	for _, s := range list {
		var cats []string
		for _, cat := range tips.Categories {
			if n := s.Categories[cat]; n > 0 {
				cats = append(cats, fmt.Sprintf("%s %d", c.categoryName(cat), n))
			}
		}
		lines = append(lines, c.T("signals_line", map[string]any{
			"Entity": safe(s.Entity.Display), "Reporters": s.Reporters, "Tips": s.Tips, "Categories": strings.Join(cats, ", "),
			"First": c.age(s.FirstSeen), "Last": c.age(s.LastSeen), "Score": fmt.Sprintf("%.0f", s.Score),
		}))
	}
	return c.Reply(ctx, Reply{Text: strings.Join(lines, "\n"), Protected: true})
}

// alert tells the investigator chats that an entity reached the
// corroboration threshold (storage guarantees once per entity per window).
func (m *Mux) alert(ctx context.Context, s storage.Signal) error {
	text := m.msg.Localize(m.lang, "alert_signal", map[string]any{
		"Entity": safe(s.Entity.Display), "Reporters": s.Reporters, "Days": int(m.window.Hours() / 24),
	})
	delivered := 0
	for chat := range m.invChats {
		if m.notify(ctx, chat, Reply{Text: text, Protected: true}) {
			delivered++
		}
	}
	if delivered == 0 && len(m.invChats) > 0 {
		return errors.New("alert reached no investigator chat") // raised again later
	}
	return nil
}
