package discord

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// /subscribe in a channel where the bot cannot post (Discord's
// app_permissions lack View Channel or Send Messages) is refused, in the
// member's language, with what to change: nothing is subscribed, where
// no warning could ever arrive. Where it can post, the channel is
// subscribed.
// Mutation: subscribe without the ChatPostChecker check (or CanPost
// always true) → the first two are subscribed.
func TestDiscordSubscribeWhereTheBotCannotPost(t *testing.T) {
	engine, msg := newEngine(t)
	for n, c := range []struct {
		perms int64
		want  string
	}{
		{0, msg.Localize("es", "subscribe_cannot_post", nil)},
		{discordgo.PermissionViewChannel, msg.Localize("es", "subscribe_cannot_post", nil)},
		{discordgo.PermissionViewChannel | discordgo.PermissionSendMessages, strings.Split(msg.Localize("es", "subscribe_done", map[string]any{"Language": "x"}), " x")[0]},
	} {
		api := &recordingAPI{}
		a := newTestAdapter(t, api, engine, time.Hour)
		a.useTable(engine.Commands())
		a.onInteraction(a.s, &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
			ID: "10", AppID: "20", Token: "tok", Type: discordgo.InteractionApplicationCommand,
			ChannelID: "30" + string(rune('0'+n)), GuildID: "40", Locale: discordgo.SpanishES, AppPermissions: c.perms,
			Member: &discordgo.Member{User: &discordgo.User{ID: "50"}, Permissions: discordgo.PermissionManageChannels},
			Data:   discordgo.ApplicationCommandInteractionData{Name: "subscribe"},
		}})
		_, bodies := api.snapshot()
		if len(bodies) != 1 {
			t.Fatalf("permissions %d: answers %v", c.perms, bodies)
		}
		data, _ := bodies[0]["data"].(map[string]any)
		if got, _ := data["content"].(string); !strings.HasPrefix(got, render(c.want)[0]) {
			t.Errorf("permissions %d: answered %q, want %q", c.perms, got, c.want)
		}
	}
}
