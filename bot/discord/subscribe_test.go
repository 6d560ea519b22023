package discord

import (
	"encoding/json"
	"fmt"
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
		// (/subscribe named as a client in Spanish lists it.)
		{0, strings.ReplaceAll(msg.Localize("es", "subscribe_cannot_post", nil), "/subscribe", "/"+msg.Localize("es", "command_subscribe_name", nil))},
		{discordgo.PermissionViewChannel, strings.ReplaceAll(msg.Localize("es", "subscribe_cannot_post", nil), "/subscribe", "/"+msg.Localize("es", "command_subscribe_name", nil))},
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

// In a thread or a forum post the bot posts with Send Messages in
// Threads, not Send Messages (the parent channel's): /subscribe there is
// refused without the first, even with the second, and done with the
// first alone. The thread is told from the gateway's raw payload.
// Mutation: CanPost checking Send Messages everywhere → the first is
// subscribed (where no warning could be posted) and the second refused.
func TestDiscordSubscribeInAThreadNeedsSendMessagesInThreads(t *testing.T) {
	engine, msg := newEngine(t)
	// (/subscribe named as a client in Spanish lists it.)
	cannot := strings.ReplaceAll(msg.Localize("es", "subscribe_cannot_post", nil), "/subscribe", "/"+msg.Localize("es", "command_subscribe_name", nil))
	done := strings.Split(msg.Localize("es", "subscribe_done", map[string]any{"Language": "x"}), " x")[0]
	for n, c := range []struct {
		name  string
		perms int64
		want  string
	}{
		{"Send Messages only", discordgo.PermissionViewChannel | discordgo.PermissionSendMessages, cannot},
		{"Send Messages in Threads", discordgo.PermissionViewChannel | discordgo.PermissionSendMessagesInThreads, done},
	} {
		api := &recordingAPI{}
		a := newTestAdapter(t, api, engine, time.Hour)
		a.useTable(engine.Commands())
		thread := fmt.Sprint(400 + n)
		raw := fmt.Sprintf(`{"id":"10","application_id":"20","type":2,"token":"tok","guild_id":"40","channel_id":%q,`+
			`"channel":{"id":%q,"type":11,"parent_id":"39"},"app_permissions":"%d","locale":"es-ES",`+
			`"member":{"user":{"id":"50","username":"m"},"roles":[],"permissions":"%d"},"data":{"id":"1","name":"subscribe","type":1}}`,
			thread, thread, c.perms, discordgo.PermissionManageChannels)
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
		data, _ := bodies[0]["data"].(map[string]any)
		if got, _ := data["content"].(string); !strings.HasPrefix(got, render(c.want)[0]) {
			t.Errorf("%s: answered %q, want %q", c.name, got, c.want)
		}
	}
}
