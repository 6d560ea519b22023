package commands

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
)

// teamChats follows the investigators' chats the platform moved since
// the configuration named them (a Telegram group upgraded to a supergroup
// gets a new id): alerts, urgent announcements and team commands go on in
// the chat as it is now, until VIGIA_INVESTIGATOR_CHATS is changed.
type teamChats struct {
	mu    sync.RWMutex
	moved map[string]string // configured "platform:chat" → "platform:chat" now
}

// isTeamChat reports whether route ("platform:chat") is an investigators'
// chat: configured, or where a configured one moved.
func (m *Mux) isTeamChat(route string) bool {
	if m.invChats[route] {
		return true
	}
	m.teams.mu.RLock()
	defer m.teams.mu.RUnlock()
	for _, now := range m.teams.moved {
		if now == route {
			return true
		}
	}
	return false
}

// teamChat is an investigators' chat: as configured (key), and where it
// is now (route).
type teamChat struct{ key, route string }

// teamChats returns the investigators' chats, as configured and where
// each is now.
func (m *Mux) teamChats() []teamChat {
	m.teams.mu.RLock()
	defer m.teams.mu.RUnlock()
	var out []teamChat
	for _, c := range slices.Sorted(maps.Keys(m.invChats)) {
		now, ok := m.teams.moved[c]
		if !ok {
			now = c
		}
		out = append(out, teamChat{key: c, route: now})
	}
	return out
}

// teamChatRoutes returns the investigators' chats, each where it is now.
func (m *Mux) teamChatRoutes() []string {
	m.teams.mu.RLock()
	defer m.teams.mu.RUnlock()
	var out []string
	for _, c := range slices.Sorted(maps.Keys(m.invChats)) {
		if now, ok := m.teams.moved[c]; ok {
			c = now
		}
		out = append(out, c)
	}
	return out
}

// LoadTeamChats learns where configured investigators' chats moved, as
// recorded before a restart.
func (m *Mux) LoadTeamChats(ctx context.Context) error {
	moves, err := m.store.TeamChatMoves(ctx, slices.Sorted(maps.Keys(m.invChats)))
	if err != nil {
		return err
	}
	m.teams.mu.Lock()
	defer m.teams.mu.Unlock()
	if m.teams.moved == nil {
		m.teams.moved = map[string]string{}
	}
	maps.Copy(m.teams.moved, moves)
	return nil
}

// teamChatMoved follows an investigators' chat to its new id, if platform
// chat from is one: recorded, the operator told to change the
// configuration (the log holds no id: the team's chat is told it, to pass
// on), and the chat told. It reports whether from was a team chat.
func (m *Mux) teamChatMoved(ctx context.Context, platform, from, to string) bool {
	route, next := platform+":"+from, platform+":"+to
	m.teams.mu.Lock()
	configured := ""
	for _, c := range slices.Sorted(maps.Keys(m.invChats)) {
		now, moved := m.teams.moved[c]
		if (!moved && c == route) || now == route {
			configured = c
			break
		}
	}
	if configured == "" || m.teams.moved[configured] == next {
		m.teams.mu.Unlock()
		return configured != ""
	}
	if m.teams.moved == nil {
		m.teams.moved = map[string]string{}
	}
	m.teams.moved[configured] = next
	m.teams.mu.Unlock()
	if err := m.store.MoveTeamChat(ctx, configured, next); err != nil {
		m.log.Warn("investigators' chat move not recorded (followed until a restart)", "platform", platform, "error", err.Error())
	}
	m.log.Error("an investigators' chat has a new id (the platform upgraded it): followed there; set VIGIA_INVESTIGATOR_CHATS to the id the bot posted in that chat", "platform", platform)
	m.notify(ctx, next, Reply{Text: m.msg.Localize(m.lang, "team_chat_moved", map[string]any{"Chat": next})})
	return true
}

// followMovedTeamChat handles a send to route that failed with err: if
// route is an investigators' chat that moved (MovedError), it is followed
// and the new route returned.
func (m *Mux) followMovedTeamChat(ctx context.Context, route string, err error) (string, bool) {
	var mv *MovedError
	if !errors.As(err, &mv) || !m.isTeamChat(route) {
		return "", false
	}
	platform, chat, _ := strings.Cut(route, ":")
	m.teamChatMoved(ctx, platform, chat, mv.To)
	return platform + ":" + mv.To, true
}
