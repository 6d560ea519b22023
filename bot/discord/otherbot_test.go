package discord

import (
	"slices"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// A reply to one of the bot's messages that opens by mentioning another
// bot ("@MEE6 rank" on a warning) is a command to that bot: no DM, nothing
// removed. One that opens with a person's mention is a member's reply as
// before (told once where tips go), and one whose words name this bot is
// written to it (removed, told so).
func TestDiscordReplyToAnotherBotIsNotOurs(t *testing.T) {
	engine, msg := newEngine(t)
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	mee6 := &discordgo.User{ID: "77", Username: "MEE6", Bot: true}
	juan := &discordgo.User{ID: "78", Username: "juan"}
	for i, c := range []struct {
		name     string
		content  string
		mentions []*discordgo.User
		deleted  bool
		told     string // "" for no DM
	}{
		{"another bot's command", "<@77> rank", []*discordgo.User{bot, mee6}, false, ""},
		{"another bot's command (nickname form)", "  <@!77> play cumbia", []*discordgo.User{bot, mee6}, false, ""},
		{"a person's mention", "<@78> mira esto", []*discordgo.User{bot, juan}, false, "group_private_only_server"},
		{"another bot's, naming this one", "<@77> <@11> hay halcones en la plaza", []*discordgo.User{bot, mee6}, true, "group_private_only_server_removed"},
	} {
		api := &serverAPI{}
		a := newTestAdapter(t, api, engine, time.Hour)
		a.botID = "11"
		id := []string{"2100", "2101", "2102", "2103"}[i]
		a.onMessage(a.s, &discordgo.MessageCreate{Message: &discordgo.Message{
			ID: id, ChannelID: "72", GuildID: "60", Content: c.content,
			Author: &discordgo.User{ID: "50", Username: "r"}, Mentions: c.mentions,
			ReferencedMessage: &discordgo.Message{ID: "1900", Author: bot},
		}})
		api.mu.Lock()
		var want []string
		if c.deleted {
			want = []string{"/api/v9/channels/72/messages/" + id}
		}
		if !slices.Equal(api.deletes, want) {
			t.Errorf("%s: deletes %v, want %v", c.name, api.deletes, want)
		}
		if c.told == "" && len(api.dms) != 0 {
			t.Errorf("%s: DMs %q, want none", c.name, api.dms)
		}
		if c.told != "" {
			if w := "/api/v9/channels/999/messages " + render(msg.Localize("en", c.told, nil))[0]; len(api.dms) != 1 || api.dms[0] != w {
				t.Errorf("%s: DMs %q, want %q", c.name, api.dms, w)
			}
		}
		api.mu.Unlock()
	}
}
