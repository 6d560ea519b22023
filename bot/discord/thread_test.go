package discord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
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

// A mention of the bot in a channel Discord describes as "null" (an
// answer that is no channel, and no error) is taken as public, as one
// Discord cannot tell: handed to the engine, which removes a tip posted
// there, not dropped by a panic.
// Mutation: investigators without its nil check → the mention is dropped
// (the nil channel dereferenced, the panic recovered).
func TestDiscordChannelDescribedAsNullIsPublic(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v9/channels/93" {
			fmt.Fprint(w, `null`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown Channel","code":10003}`)
	})
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	h := &recordingHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	a.botID, a.invChans = "11", map[string]bool{"90": true}
	a.onMessage(a.s, &discordgo.MessageCreate{Message: &discordgo.Message{
		ID: "2000", ChannelID: "93", GuildID: "60", Content: "<@11> cobran piso",
		Author: &discordgo.User{ID: "50", Username: "m"}, Mentions: []*discordgo.User{bot},
	}})
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != 1 || !h.got[0].AnsweredAlone {
		t.Errorf("a mention in a channel described as null not taken as public: %+v", h.got)
	}
}

// A slash command in a thread (or a forum post) of the investigators'
// channel (90) is answered as in the channel: an investigator command for
// the channel to see (not ephemeral), the request the engine gets being
// the channel's; a reporter's command there stays ephemeral, as does an
// investigator command in a thread of another channel. The thread is
// told from the gateway's raw payload ("channel"), without asking Discord.
// Mutation: interaction without the thread case → /recent in thread 91
// is ephemeral and a private request.
func TestDiscordInvestigatorThreadCommandIsForTheChannel(t *testing.T) {
	for _, c := range []struct {
		name, command, channel string
		public                 bool
		kind                   commands.ChatKind
		chat                   string
	}{
		{"investigator command in the investigators' thread", "recent", `{"id":"91","type":11,"parent_id":"90"}`, true, commands.Group, "90"},
		{"investigator command in a forum post of theirs", "recent", `{"id":"91","type":11,"parent_id":"90","name":"post"}`, true, commands.Group, "90"},
		{"reporter command in the investigators' thread", "status", `{"id":"91","type":11,"parent_id":"90"}`, false, commands.Group, "90"},
		{"investigator command in another channel's thread", "recent", `{"id":"91","type":11,"parent_id":"72"}`, false, commands.Private, "u50"},
		{"investigator command in a channel whose parent is theirs (a category)", "recent", `{"id":"91","type":0,"parent_id":"90"}`, false, commands.Private, "u50"},
	} {
		api := &recordingAPI{}
		h := &recordingHandler{table: []*commands.Command{{Name: "recent", Role: commands.Investigator}, {Name: "status"}}}
		a := newTestAdapter(t, api, h, time.Hour)
		a.useTable(h.table)
		a.invChans = map[string]bool{"90": true}
		raw := `{"id":"10","application_id":"20","type":2,"token":"tok","guild_id":"60","channel_id":"91","channel":` + c.channel + `,` +
			`"member":{"user":{"id":"50","username":"inv"},"roles":[]},"data":{"id":"1","name":"` + c.command + `","type":1}}`
		var ic discordgo.InteractionCreate
		if err := json.Unmarshal([]byte(raw), &ic); err != nil {
			t.Fatal(err)
		}
		a.queueInteractionEvent(a.s, &discordgo.Event{Type: "INTERACTION_CREATE", RawData: json.RawMessage(raw), Struct: &ic})
		a.wg.Wait()
		_, bodies := api.snapshot()
		if len(bodies) != 1 {
			t.Fatalf("%s: answers %v", c.name, bodies)
		}
		flags, _ := bodies[0]["data"].(map[string]any)["flags"].(float64)
		if public := int(flags)&int(discordgo.MessageFlagsEphemeral) == 0; public != c.public {
			t.Errorf("%s: answer public = %v, want %v", c.name, public, c.public)
		}
		h.mu.Lock()
		if len(h.got) != 1 || h.got[0].ChatKind != c.kind || h.got[0].ChatID != c.chat || h.got[0].ChannelID != "91" {
			t.Errorf("%s: requests %+v", c.name, h.got)
		}
		h.mu.Unlock()
	}
}
