package discord

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// A mention of the bot in a thread of the investigators' channel (90) is
// theirs, as in the channel itself: not taken as a tip posted in public,
// not removed; Discord is asked once per thread. A thread of another
// channel is public: its mention is handed to the engine as a public
// message.
// Mutation: publicMessage checking a.invChans[m.ChannelID] only (as
// before) → the investigators' thread's mentions reach the engine.
func TestDiscordInvestigatorThreadIsNotPublic(t *testing.T) {
	var mu sync.Mutex
	var lookups []string
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		lookups = append(lookups, r.Method+" "+r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/api/v9/channels/91":
			fmt.Fprint(w, `{"id":"91","type":11,"guild_id":"60","parent_id":"90"}`)
		case "/api/v9/channels/92":
			fmt.Fprint(w, `{"id":"92","type":11,"guild_id":"60","parent_id":"72"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Unknown Channel","code":10003}`)
		}
	})
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	mention := func(a *Adapter, channel string) {
		a.onMessage(a.s, &discordgo.MessageCreate{Message: &discordgo.Message{
			ID: "2000", ChannelID: channel, GuildID: "60", Content: "<@11> /recent",
			Author: &discordgo.User{ID: "50", Username: "inv"}, Mentions: []*discordgo.User{bot},
		}})
	}
	h := &recordingHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	a.botID, a.invChans = "11", map[string]bool{"90": true}
	mention(a, "90")
	mention(a, "91")
	mention(a, "91")
	h.mu.Lock()
	if len(h.got) != 0 {
		t.Errorf("investigators' channel or thread taken as public: %+v", h.got)
	}
	h.mu.Unlock()
	mention(a, "92")
	h.mu.Lock()
	if len(h.got) != 1 || !h.got[0].AnsweredAlone {
		t.Errorf("a thread elsewhere not taken as public: %+v", h.got)
	}
	h.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	if len(lookups) < 2 || !slices.Equal(lookups[:2], []string{"GET /api/v9/channels/91", "GET /api/v9/channels/92"}) {
		t.Errorf("lookups %v", lookups)
	}
}
