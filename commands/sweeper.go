package commands

import (
	"context"
	"strings"
	"time"
)

// ExpireDrafts drops drafts idle for too long and tells each reporter, in
// their language, that nothing was sent. It returns how many it dropped.
func (m *Mux) ExpireDrafts(ctx context.Context, idle time.Duration) (int, error) {
	expired, err := m.store.ExpireDrafts(ctx, 100)
	for _, d := range expired {
		platform, chatID, _ := strings.Cut(d.Route, ":")
		s, ok := m.senders[platform]
		if !ok {
			continue
		}
		lang := d.Language
		if lang == "" {
			lang = m.lang
		}
		text := m.msg.Localize(lang, "draft_expired", map[string]any{"Minutes": int(idle / time.Minute)})
		if serr := s.Send(ctx, chatID, Reply{Text: text}); serr != nil {
			m.log.Warn("draft expiry notice not delivered", "platform", platform, "error", serr.Error())
		}
	}
	return len(expired), err
}

// RunSweeper calls ExpireDrafts every interval until ctx ends.
func (m *Mux) RunSweeper(ctx context.Context, interval, idle time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := m.ExpireDrafts(ctx, idle); err != nil && ctx.Err() == nil {
				m.log.Warn("draft sweep failed", "error", err.Error())
			}
		}
	}
}
