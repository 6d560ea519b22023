package discord

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// A DM's mention of its own author, which Discord's client shows as
// "@name" but sends as "<@ID>" (typed with "@", or pasted with a threat
// that names them), reaches the engine as the "@name" the reporter sees:
// the engine tells them their own name is in their tip, as it does for
// a typed "@name", and the tip does not keep their account's id. A
// mention of someone else is kept as sent.
func TestDiscordDMOwnMentionIsTheNameShown(t *testing.T) {
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
	m := dm("me buscan a mí <@50> y <@!50>, lo dijo <@51>")
	m.Author = &discordgo.User{ID: "50", Username: "vecina_valiente"}
	a.onMessage(a.s, m)
	h.mu.Lock()
	defer h.mu.Unlock()
	if got, want := h.got[0].Text, "me buscan a mí @vecina_valiente y @vecina_valiente, lo dijo <@51>"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
}

// A slash command's text option holds a mention as its message would
// ("<@ID>", or "<@!ID>" as Discord's client still writes it there): a
// reporter's /reply answer or /warn naming themselves reaches the engine
// as the "@name" shown, not their account's id; anyone else's is kept.
func TestDiscordCommandOptionOwnMentionIsTheNameShown(t *testing.T) {
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
	ic := commandInteraction()
	ic.GuildID, ic.Member = "", nil
	ic.User = &discordgo.User{ID: "50", Username: "vecina_valiente"}
	ic.Data = discordgo.ApplicationCommandInteractionData{Name: "reply", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		{Name: "code", Type: discordgo.ApplicationCommandOptionString, Value: "K7QD-9XMA-R2TP-4WZN"},
		{Name: "answer", Type: discordgo.ApplicationCommandOptionString, Value: "me buscan a mí <@50> y <@!50>, lo dijo <@51>"},
	}}
	a.onInteraction(a.s, ic)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != 1 {
		t.Fatalf("%d requests, want 1", len(h.got))
	}
	if got, want := h.got[0].Args, "K7QD-9XMA-R2TP-4WZN me buscan a mí @vecina_valiente y @vecina_valiente, lo dijo <@51>"; got != want {
		t.Fatalf("args %q, want %q", got, want)
	}
}
