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

	"github.com/vigia-project/vigia/commands"
)

// serverAPI is a Discord REST API where the bot may delete messages in
// channel 72 only; it records deletes and the content of every DM.
type serverAPI struct {
	mu      sync.Mutex
	deletes []string
	dms     []string
}

func (s *serverAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodDelete:
		s.deletes = append(s.deletes, r.URL.Path)
		if !strings.HasPrefix(r.URL.Path, "/api/v9/channels/72/") {
			w.WriteHeader(http.StatusForbidden) // no Manage Messages here
			fmt.Fprint(w, `{"message":"Missing Permissions","code":50013}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case strings.HasSuffix(r.URL.Path, "/users/@me/channels"):
		fmt.Fprint(w, `{"id":"999","type":1}`)
	default:
		var m struct{ Content string }
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &m)
		s.dms = append(s.dms, r.URL.Path+" "+m.Content)
		fmt.Fprint(w, `{"id":"1","channel_id":"999","content":""}`)
	}
}

// A tip posted in public, mentioning the bot, is deleted where the bot
// may, and the member told by DM whether it was; a reply to one of the
// bot's messages (a community answering a warning, the bot in Mentions by
// the reply's ping alone) is left in place, unless its words name the bot.
func TestDiscordPublicMessageOutcomeIsTold(t *testing.T) {
	engine, msg := newEngine(t)
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	for _, c := range []struct {
		name      string
		channel   string
		content   string
		replyTo   *discordgo.Message
		deletes   []string
		messageID string
	}{
		{"not removable", "70", "<@11> hay halcones en la plaza", nil, []string{"/api/v9/channels/70/messages/2000"}, "group_private_only_server_not_removed"},
		{"removed", "72", "<@11> hay halcones en la plaza", nil, []string{"/api/v9/channels/72/messages/2000"}, "group_private_only_server_removed"},
		{"reply to the bot", "72", "gracias, lo compartimos", &discordgo.Message{ID: "1900", Author: bot}, nil, "group_private_only_server"},
		{"reply to the bot naming it", "72", "<@11> hay halcones en la plaza", &discordgo.Message{ID: "1900", Author: bot}, []string{"/api/v9/channels/72/messages/2000"}, "group_private_only_server_removed"},
		{"reply to the bot naming it (nickname form)", "72", "hay halcones en la plaza <@!11>", &discordgo.Message{ID: "1900", Author: bot}, []string{"/api/v9/channels/72/messages/2000"}, "group_private_only_server_removed"},
	} {
		api := &serverAPI{}
		a := newTestAdapter(t, api, engine, time.Hour)
		a.botID = "11"
		a.onMessage(a.s, &discordgo.MessageCreate{Message: &discordgo.Message{
			ID: "2000", ChannelID: c.channel, GuildID: "60", Content: c.content,
			Author: &discordgo.User{ID: "50", Username: "r"}, Mentions: []*discordgo.User{bot}, ReferencedMessage: c.replyTo,
		}})
		api.mu.Lock()
		if !slices.Equal(api.deletes, c.deletes) {
			t.Errorf("%s: deletes %v, want %v", c.name, api.deletes, c.deletes)
		}
		want := "/api/v9/channels/999/messages " + render(msg.Localize("en", c.messageID, nil))[0]
		if len(api.dms) != 1 || api.dms[0] != want {
			t.Errorf("%s: DMs %q, want %q", c.name, api.dms, want)
		}
		api.mu.Unlock()
	}
}

// A channel's message to the bot is answered by DM: the engine is told
// so, and answers in the language the member chose, not the group's.
func TestDiscordPublicMessageIsAnsweredAlone(t *testing.T) {
	h := &recordingHandler{}
	a := newTestAdapter(t, &serverAPI{}, h, time.Hour)
	a.botID = "11"
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	a.onMessage(a.s, &discordgo.MessageCreate{Message: &discordgo.Message{
		ID: "2000", ChannelID: "72", GuildID: "60", Content: "<@11> hola",
		Author: &discordgo.User{ID: "50", Username: "r"}, Mentions: []*discordgo.User{bot},
	}})
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != 1 || !h.got[0].AnsweredAlone || h.got[0].ChatKind != commands.Group {
		t.Fatalf("requests: %+v", h.got)
	}
}

// A server message edited to mention the bot (maybe a tip now in view) is
// removed and its author told by DM, once for the edit (not again for its
// link preview's update), as a new one would be; an edit of a community's
// reply to the bot (the reply's ping lists the bot, its words do not) is
// not the bot's.
func TestDiscordEditMentioningTheBotIsRemoved(t *testing.T) {
	engine, msg := newEngine(t)
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	for _, toBot := range []bool{true, false} {
		api := &serverAPI{}
		a := newTestAdapter(t, api, engine, time.Hour)
		a.botID = "11"
		edited := time.Now()
		content, replyTo := "<@11> extorsionan a los tenderos, el jefe es Juan Pérez", (*discordgo.Message)(nil)
		if !toBot {
			content, replyTo = "gracias, ya lo compartimos", &discordgo.Message{ID: "1900", Author: bot}
		}
		for range 2 { // the edit, then its link preview's update
			a.queueEdit(a.s, &discordgo.MessageUpdate{Message: &discordgo.Message{
				ID: "2000", ChannelID: "72", GuildID: "60", Content: content, ReferencedMessage: replyTo,
				Author: &discordgo.User{ID: "50", Username: "r"}, Mentions: []*discordgo.User{bot}, EditedTimestamp: &edited,
			}})
			a.wg.Wait()
		}
		api.mu.Lock()
		if toBot {
			want := "/api/v9/channels/999/messages " + render(msg.Localize("en", "group_private_only_server_removed", nil))[0]
			if !slices.Equal(api.deletes, []string{"/api/v9/channels/72/messages/2000"}) || len(api.dms) != 1 || api.dms[0] != want {
				t.Errorf("an edit mentioning the bot: deletes %v, DMs %q", api.deletes, api.dms)
			}
		} else if len(api.deletes)+len(api.dms) != 0 {
			t.Errorf("an edit of a reply to the bot: deletes %v, DMs %q", api.deletes, api.dms)
		}
		api.mu.Unlock()
	}
}

// goneAPI is a server API where every message to delete is gone already
// (404 Unknown Message).
type goneAPI struct{ serverAPI }

func (s *goneAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown Message","code":10008}`)
		return
	}
	s.serverAPI.ServeHTTP(w, r)
}

// A channel's message to the bot already gone when the bot deletes it (its
// author, a moderator or AutoMod removed it) is not in view: its author is
// not asked to delete it.
func TestDiscordPublicMessageAlreadyGoneIsRemoved(t *testing.T) {
	engine, msg := newEngine(t)
	api := &goneAPI{}
	a := newTestAdapter(t, api, engine, time.Hour)
	a.botID = "11"
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	a.onMessage(a.s, &discordgo.MessageCreate{Message: &discordgo.Message{
		ID: "2000", ChannelID: "72", GuildID: "60", Content: "<@11> hay halcones",
		Author: &discordgo.User{ID: "50", Username: "r"}, Mentions: []*discordgo.User{bot},
	}})
	api.mu.Lock()
	defer api.mu.Unlock()
	want := "/api/v9/channels/999/messages " + render(msg.Localize("en", "group_private_only_server_removed", nil))[0]
	if len(api.dms) != 1 || api.dms[0] != want {
		t.Errorf("DMs %q, want %q", api.dms, want)
	}
}
