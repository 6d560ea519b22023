package discord

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/vigia-project/vigia/tips"
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

// A DM's link to its own author's profile (a masked link,
// "[aquí](https://discord.com/users/ID)", whose id the reporter does not
// see, or one written out), on any of Discord's hosts, inside "<…>",
// with a trailing slash or leading zeros, reaches the engine as the
// "@name" it opens: the tip does not keep the reporter's account id, and
// the engine tells them their own name is in it. A link to someone
// else's profile is kept as sent, evidence.
func TestDiscordDMOwnProfileLinkIsTheNameShown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"me buscan [aquí](https://discord.com/users/50)", "me buscan [aquí](@vecina_valiente)"},
		{"[x](https://discordapp.com/users/50/)", "[x](@vecina_valiente)"},
		{"[x](<https://ptb.discord.com/users/50>)", "[x](@vecina_valiente)"},
		{"[x](HTTPS://Canary.Discord.com/Users/050)", "[x](@vecina_valiente)"},
		{"ver <https://discord.com/users/50> ya", "ver @vecina_valiente ya"},
		{"discord.com/users/50?x=1 y www.discord.com/users/50#a", "@vecina_valiente y @vecina_valiente"},
		{"el jefe [aquí](https://discord.com/users/51) y https://discord.com/users/500", "el jefe [aquí](https://discord.com/users/51) y https://discord.com/users/500"},
		{"https://evil.example/users/50", "https://evil.example/users/50"},
	} {
		h := &recordingHandler{}
		a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
		m := dm(c.in)
		m.Author = &discordgo.User{ID: "50", Username: "vecina_valiente"}
		a.onMessage(a.s, m)
		h.mu.Lock()
		if got := h.got[0].Text; got != c.want {
			t.Errorf("%q: text %q, want %q", c.in, got, c.want)
		}
		h.mu.Unlock()
	}
}

// A report form's fields hold a mention or a profile link as a message
// does (a threat pasted into the modal, naming the reporter): their own
// reaches the engine as the "@name" shown, not their account's id, in a
// DM and from a server channel alike; anyone else's is kept as sent.
func TestDiscordFormOwnMentionIsTheNameShown(t *testing.T) {
	for _, guild := range []string{"", "40"} {
		h := &recordingHandler{}
		a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
		ic := commandInteraction()
		ic.Type, ic.GuildID = discordgo.InteractionModalSubmit, guild
		u := &discordgo.User{ID: "50", Username: "vecina_valiente"}
		if guild == "" {
			ic.Member, ic.User = nil, u
		} else {
			ic.Member = &discordgo.Member{User: u}
		}
		ic.Data = discordgo.ModalSubmitInteractionData{CustomID: "report", Components: []discordgo.MessageComponent{
			&discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				&discordgo.TextInput{CustomID: "tip", Value: "me buscan a mí <@50> y <@!50>, lo dijo <@51>"},
			}},
			&discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				&discordgo.TextInput{CustomID: "links", Value: "https://discord.com/users/050 https://discord.com/users/51"},
			}},
		}}
		a.onInteraction(a.s, ic)
		h.mu.Lock()
		if len(h.got) != 1 {
			t.Fatalf("guild %q: %d requests, want 1", guild, len(h.got))
		}
		form := h.got[0].Form
		if got, want := form["tip"], "me buscan a mí @vecina_valiente y @vecina_valiente, lo dijo <@51>"; got != want {
			t.Errorf("guild %q: tip %q, want %q", guild, got, want)
		}
		if got, want := form["links"], "@vecina_valiente https://discord.com/users/51"; got != want {
			t.Errorf("guild %q: links %q, want %q", guild, got, want)
		}
		h.mu.Unlock()
	}
}

// A DM forwarding someone else's message that mentions its author, or
// links their profile: the engine warns of an own name only in what the
// reporter wrote, so the mention names no one ("<@…>", which is no
// handle to count), neither their id nor their "@name"; anyone else's is
// kept.
func TestDiscordForwardedOwnMentionNamesNoOne(t *testing.T) {
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
	m := dm("")
	m.Author = &discordgo.User{ID: "50", Username: "vecina_valiente"}
	m.MessageReference = &discordgo.MessageReference{Type: discordgo.MessageReferenceTypeForward, MessageID: "5", ChannelID: "6", GuildID: "7"}
	m.MessageSnapshots = []discordgo.MessageSnapshot{{Message: &discordgo.Message{Content: "ya sabemos quién eres <@50> https://discord.com/users/50 y <@51>"}}}
	a.onMessage(a.s, m)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != 1 {
		t.Fatalf("%d requests, want 1", len(h.got))
	}
	if got, want := h.got[0].Text, "ya sabemos quién eres <@…> <@…> y <@51>"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
	if es := tips.Extract(h.got[0].Text, ""); len(es) != 1 || es[0].Value != "51" {
		t.Fatalf("entities %+v, want only the other member's", es)
	}
}

// A link to the author's own profile as Discord's app opens it
// ("discord://-/users/ID", "discord:///users/ID"), any case, masked or
// written out, in a DM, a slash command's text option or the report
// form, reaches the engine as the "@name" it opens, and forwarded names
// no one ("<@…>"), as a discord.com/users link does: never with their
// account id. Another's profile, by the same links, is kept as sent.
// Mutation: profileLink reading discord.com and discordapp.com links
// only (as before) -> this test fails.
func TestDiscordAppLinkToOwnProfileIsTheNameShown(t *testing.T) {
	const in = "me buscan [aquí](discord://-/users/50) y DISCORD:///Users/050/ ; <discord://-/users/50?x=1>, lo manda discord://-/users/51"
	const want = "me buscan [aquí](@vecina_valiente) y @vecina_valiente ; @vecina_valiente, lo manda discord://-/users/51"
	u := &discordgo.User{ID: "50", Username: "vecina_valiente"}
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)

	m := dm(in)
	m.Author = u
	a.onMessage(a.s, m)

	fw := dm("")
	fw.Author = u
	fw.MessageReference = &discordgo.MessageReference{Type: discordgo.MessageReferenceTypeForward, MessageID: "5", ChannelID: "6", GuildID: "7"}
	fw.MessageSnapshots = []discordgo.MessageSnapshot{{Message: &discordgo.Message{Content: "ya sabemos quién eres discord:///users/50, y discord://-/users/51"}}}
	a.onMessage(a.s, fw)

	opt := commandInteraction()
	opt.GuildID, opt.Member, opt.User = "", nil, u
	opt.Data = discordgo.ApplicationCommandInteractionData{Name: "reply", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		{Name: "code", Type: discordgo.ApplicationCommandOptionString, Value: "K7QD-9XMA-R2TP-4WZN"},
		{Name: "answer", Type: discordgo.ApplicationCommandOptionString, Value: in},
	}}
	a.onInteraction(a.s, opt)

	form := commandInteraction()
	form.Type, form.GuildID, form.Member, form.User = discordgo.InteractionModalSubmit, "", nil, u
	form.Data = discordgo.ModalSubmitInteractionData{CustomID: "report", Components: []discordgo.MessageComponent{
		&discordgo.ActionsRow{Components: []discordgo.MessageComponent{&discordgo.TextInput{CustomID: "tip", Value: in}}},
		&discordgo.ActionsRow{Components: []discordgo.MessageComponent{&discordgo.TextInput{CustomID: "links", Value: "discord://-/users/50 discord:///users/51"}}},
	}}
	a.onInteraction(a.s, form)

	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != 4 {
		t.Fatalf("%d requests, want 4", len(h.got))
	}
	if got := h.got[0].Text; got != want {
		t.Errorf("DM: text %q, want %q", got, want)
	}
	if got, want := h.got[1].Text, "ya sabemos quién eres <@…>, y discord://-/users/51"; got != want {
		t.Errorf("forward: text %q, want %q", got, want)
	}
	if got := h.got[2].Args; got != "K7QD-9XMA-R2TP-4WZN "+want {
		t.Errorf("option: args %q, want the code and %q", got, want)
	}
	if got := h.got[3].Form["tip"]; got != want {
		t.Errorf("form: tip %q, want %q", got, want)
	}
	if got, want := h.got[3].Form["links"], "@vecina_valiente discord:///users/51"; got != want {
		t.Errorf("form: links %q, want %q", got, want)
	}
}

// A link to the author's own profile as Discord's clients also open it,
// with no slash after "discord:" ("discord:users/ID") or with letters or
// digits percent-escaped ("discord.com/%75sers/ID", "%35%30" for "50"),
// reaches the engine as their "@name" (forwarded, "<@…>"), as the plain
// link does. Another's profile, and an escape in other words ("100%25"),
// are kept as sent.
func TestDiscordOtherSpellingsOfOwnProfileAreTheNameShown(t *testing.T) {
	const in = "me buscan [aquí](discord:users/50), DISCORD:Users/050 y discord:-/users/50; " +
		"https://discord.com/%75sers/50 <https://disc%6Frd.com/users/%35%30> discord:%75sers/50/x " +
		"lo manda discord:users/51 y https://discord.com/%75sers/51, 100%25 seguro"
	const want = "me buscan [aquí](@vecina_valiente), @vecina_valiente y @vecina_valiente; " +
		"@vecina_valiente @vecina_valiente @vecina_valiente " +
		"lo manda discord:users/51 y https://discord.com/%75sers/51, 100%25 seguro"
	u := &discordgo.User{ID: "50", Username: "vecina_valiente"}
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)

	m := dm(in)
	m.Author = u
	a.onMessage(a.s, m)

	fw := dm("")
	fw.Author = u
	fw.MessageReference = &discordgo.MessageReference{Type: discordgo.MessageReferenceTypeForward, MessageID: "5", ChannelID: "6", GuildID: "7"}
	fw.MessageSnapshots = []discordgo.MessageSnapshot{{Message: &discordgo.Message{Content: "ya sabemos quién eres discord:users/50 y https://discord.com/users/%35%30"}}}
	a.onMessage(a.s, fw)

	alone := dm("me buscan discord:users/50")
	alone.Author = u
	a.onMessage(a.s, alone)

	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != 3 {
		t.Fatalf("%d requests, want 3", len(h.got))
	}
	if got, want := h.got[2].Text, "me buscan @vecina_valiente"; got != want {
		t.Errorf("DM of the link alone: text %q, want %q", got, want)
	}
	if got := h.got[0].Text; got != want {
		t.Errorf("DM: text %q, want %q", got, want)
	}
	if got, want := h.got[1].Text, "ya sabemos quién eres <@…> y <@…>"; got != want {
		t.Errorf("forward: text %q, want %q", got, want)
	}
}
