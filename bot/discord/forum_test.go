package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// forumAPI is a Discord REST API with one forum post, thread 3000 (its
// first message has the same id), answered by `replies` messages; the bot
// has Manage Threads if manageThreads. It records every call but the DM
// channel's, the new title, and the DMs.
type forumAPI struct {
	mu            sync.Mutex
	replies       int
	manageThreads bool
	calls         []string
	title         string
	dms           []string
}

func (s *forumAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	forbidden := func() {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Missing Permissions","code":50013}`)
	}
	switch {
	case path == "/users/@me/channels":
		fmt.Fprint(w, `{"id":"999","type":1}`)
		return
	case path == "/channels/999/messages":
		var m struct{ Content string }
		_ = json.Unmarshal(body, &m)
		s.dms = append(s.dms, m.Content)
		fmt.Fprint(w, `{"id":"1","channel_id":"999","content":""}`)
		return
	}
	s.calls = append(s.calls, r.Method+" "+path)
	switch {
	case r.Method == http.MethodGet && path == "/guilds/60":
		fmt.Fprint(w, `{"id":"60","name":"g","preferred_locale":"es-ES"}`)
	case r.Method == http.MethodGet && path == "/channels/3000":
		fmt.Fprintf(w, `{"id":"3000","type":11,"guild_id":"60","parent_id":"80","name":"el jefe es Juan","message_count":%d}`, s.replies)
	case r.Method == http.MethodDelete && path == "/channels/3000/messages/3000":
		w.WriteHeader(http.StatusNoContent)
	case (r.Method == http.MethodDelete || r.Method == http.MethodPatch) && path == "/channels/3000":
		if !s.manageThreads {
			forbidden()
			return
		}
		if r.Method == http.MethodPatch {
			var c struct{ Name string }
			_ = json.Unmarshal(body, &c)
			s.title = c.Name
		}
		fmt.Fprint(w, `{"id":"3000","type":11}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown","code":0}`)
	}
}

// A tip posted in public as a forum post (its first message mentions the
// bot) is removed with its title, which the member wrote: a post that
// holds nothing else is deleted whole; one others answered keeps their
// messages, loses its first and is renamed to a neutral title in the
// server's language. Without Manage Threads the title stays in view, and
// the member is told their message could not be removed, even though the
// message itself was.
// Mutation: DeleteRequest without the forum post's case (deleteMessage
// only) → every case fails (the title is left: no thread delete, no
// rename, and the member is told it was removed).
func TestDiscordForumPostTitleIsRemoved(t *testing.T) {
	engine, msg := newEngine(t)
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	for _, c := range []struct {
		name          string
		replies       int
		manageThreads bool
		calls         []string
		title         string
		told          string
	}{
		{"alone", 0, true, []string{"GET /channels/3000", "DELETE /channels/3000"}, "", "group_private_only_server_removed"},
		{"answered", 2, true, []string{"GET /channels/3000", "DELETE /channels/3000/messages/3000", "GET /guilds/60", "PATCH /channels/3000"}, msg.Localize("es", "removed_post_title", nil), "group_private_only_server_removed"},
		{"alone, no Manage Threads", 0, false, []string{"GET /channels/3000", "DELETE /channels/3000", "DELETE /channels/3000/messages/3000", "GET /guilds/60", "PATCH /channels/3000"}, "", "group_private_only_server_not_removed"},
		{"answered, no Manage Threads", 1, false, []string{"GET /channels/3000", "DELETE /channels/3000/messages/3000", "GET /guilds/60", "PATCH /channels/3000"}, "", "group_private_only_server_not_removed"},
	} {
		api := &forumAPI{replies: c.replies, manageThreads: c.manageThreads}
		a := newTestAdapter(t, api, engine, time.Hour)
		a.botID = "11"
		a.onMessage(a.s, &discordgo.MessageCreate{Message: &discordgo.Message{
			ID: "3000", ChannelID: "3000", GuildID: "60", Content: "<@11> cobran piso en el mercado",
			Author: &discordgo.User{ID: "50", Username: "r"}, Mentions: []*discordgo.User{bot},
		}})
		api.mu.Lock()
		if !slices.Equal(api.calls, c.calls) {
			t.Errorf("%s: calls %v, want %v", c.name, api.calls, c.calls)
		}
		if api.title != c.title {
			t.Errorf("%s: title %q, want %q", c.name, api.title, c.title)
		}
		if want := render(msg.Localize("en", c.told, nil))[0]; len(api.dms) != 1 || api.dms[0] != want {
			t.Errorf("%s: DMs %q, want %q", c.name, api.dms, want)
		}
		api.mu.Unlock()
	}
}
