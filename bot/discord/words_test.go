package discord

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// clientLocales is a Discord client's locale for each of Vigía's languages.
var clientLocales = map[string]discordgo.Locale{"en": discordgo.EnglishUS, "es": discordgo.SpanishES, "fr": discordgo.French, "pt-BR": discordgo.PortugueseBR}

var wordsInteraction atomic.Int64

// slash runs slash command name (with option value arg, if any) through
// the adapter and the real engine, from a client in lang, in a direct
// message (guild "") or in a server's channel, and returns the answer as
// the member reads it.
func slash(t *testing.T, engine *commands.Mux, lang, guild, name, option, arg string) string {
	t.Helper()
	api := &recordingAPI{}
	a := newTestAdapter(t, api, engine, time.Hour)
	a.useTable(engine.Commands())
	n := strconv.FormatInt(wordsInteraction.Add(1), 10)
	in := &discordgo.Interaction{
		ID: "10" + n, AppID: "20", Token: "tok", Type: discordgo.InteractionApplicationCommand,
		ChannelID: "31", GuildID: guild, Locale: clientLocales[lang],
		Data: discordgo.ApplicationCommandInteractionData{Name: name},
	}
	user := &discordgo.User{ID: "5" + n} // a new member each time: no language kept
	if guild == "" {
		in.User = user
	} else {
		in.Member = &discordgo.Member{User: user}
	}
	if arg != "" {
		in.Data = discordgo.ApplicationCommandInteractionData{Name: name, Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: option, Type: discordgo.ApplicationCommandOptionString, Value: arg},
		}}
	}
	a.onInteraction(a.s, &discordgo.InteractionCreate{Interaction: in})
	_, bodies := api.snapshot()
	var got strings.Builder
	for _, b := range bodies {
		data, _ := b["data"].(map[string]any)
		if data == nil {
			data = b
		}
		s, _ := data["content"].(string)
		got.WriteString(unescape(s))
	}
	return got.String()
}

// asShown is text with /wipe, /warn and /report named as a client in
// lang lists them.
func asShown(msg *locales.Bundle, lang, text string) string {
	for _, name := range []string{"wipe", "warn", "report"} {
		text = strings.ReplaceAll(text, "/"+name, "/"+msg.Localize(lang, "command_"+name+"_name", nil))
	}
	return text
}

// wipeLine is what the help's line on /wipe says it does (after its
// " – ").
func wipeLine(t *testing.T, help string) string {
	t.Helper()
	for _, l := range strings.Split(help, "\n") {
		if strings.HasPrefix(l, "/wipe ") {
			_, what, _ := strings.Cut(l, " – ")
			return what
		}
	}
	t.Fatalf("no /wipe line in %q", help)
	return ""
}

// On Discord /wipe deletes only the bot's messages, and those in the
// member's direct messages wherever it is typed: Discord does not let a
// bot delete a member's messages in a DM. So its menu description, the
// help's line on it and its usage say that, in every language, never
// "delete this conversation"; and /start typed in a server's channel says
// /wipe deletes the bot's messages in the direct messages, not "here" (in
// that channel). Telegram's menu description stays its own.
// Mutations: Commands describing wipe by command_wipe as before -> the
// menu case fails; helpText with "help" for Discord -> the help cases
// fail; wipe answering wipe_usage -> the usage cases; start without
// whereToWrite -> the server channel's /start.
func TestDiscordWipeIsDescribedAsWhatItDeletesThere(t *testing.T) {
	engine, msg := newEngine(t)

	var wipe *discordgo.ApplicationCommand
	for _, c := range Commands(msg, engine.Commands()) {
		if c.Name == "wipe" {
			wipe = c
		}
	}
	if wipe == nil || wipe.Description != msg.Localize("en", "command_wipe_discord", nil) {
		t.Fatalf("menu: /wipe described as %+v", wipe)
	}
	if msg.Localize("en", "command_wipe_discord", nil) == msg.Localize("en", "command_wipe", nil) {
		t.Fatal("Discord's description of /wipe is Telegram's")
	}

	for _, lang := range locales.Supported {
		text := func(id string) string { return msg.Localize(lang, id, nil) }
		if got := (*wipe.DescriptionLocalizations)[clientLocales[lang]]; got != text("command_wipe_discord") {
			t.Errorf("%s: menu describes /wipe as %q", lang, got)
		}
		telegram, discord := wipeLine(t, text("help")), wipeLine(t, text("help_discord"))
		for _, guild := range []string{"", "40"} {
			got := slash(t, engine, lang, guild, "help", "", "")
			if !strings.Contains(got, discord) || strings.Contains(got, telegram) {
				t.Errorf("%s, guild %q: /help says of /wipe: %q", lang, guild, got)
			}
			want := asShown(msg, lang, text("wipe_usage_discord"))
			if got := slash(t, engine, lang, guild, "wipe", "delay", "3 days"); got != want {
				t.Errorf("%s, guild %q: /wipe usage %q, want %q", lang, guild, got, want)
			}
		}

		// The welcome typed in a server's channel: its line on /wipe
		// speaks of the direct messages, not of "here".
		var line string
		for _, l := range strings.Split(text("start_discord_server"), "\n") {
			if strings.Contains(l, "/wipe") {
				line = asShown(msg, lang, l)
			}
		}
		got := slash(t, engine, lang, "40", "start", "", "")
		if line == "" || !strings.Contains(got, line) {
			t.Errorf("%s: /start in a server's channel: %q, want its line %q", lang, got, line)
		}
		for _, l := range strings.Split(text("start_discord"), "\n") {
			if strings.Contains(l, "/wipe") && strings.Contains(got, asShown(msg, lang, l)) {
				t.Errorf("%s: /start in a server's channel says /wipe deletes here: %q", lang, l)
			}
		}
	}
}

// A warning sent on Discord is answered with Discord's advice on where
// to send one (with /warn or by direct message, never posted in a
// server's channel), not Telegram's "private chat" and its groups'
// "Recent actions", in every language, in a DM and in a server's channel.
// Mutation: warnAdvice saying warn_advice on Discord -> every case fails.
func TestDiscordWarningAdviceIsDiscords(t *testing.T) {
	engine, msg := newEngine(t)
	for _, lang := range locales.Supported {
		want := asShown(msg, lang, msg.Localize(lang, "warn_advice_discord", nil))
		telegram := asShown(msg, lang, msg.Localize(lang, "warn_advice", nil))
		for _, guild := range []string{"", "40"} {
			got := slash(t, engine, lang, guild, "warn", "text", "Cobran piso a los comercios del mercado central")
			if !strings.HasSuffix(got, "\n\n"+want) || strings.Contains(got, telegram) {
				t.Errorf("%s, guild %q: /warn answered %q, want it to end with %q", lang, guild, got, want)
			}
		}
	}
}

// A member whose messages to the bot in servers' channels (counted as one
// chat, theirs: answered by DM) went over the hourly limit is told so by
// DM in Discord's words, once: not that "this group has sent me too much",
// nor to "write to me in a private chat" from the private chat it is.
// Mutation: overLimitInGroup without inServer -> every case fails, in
// every language.
func TestDiscordOverLimitInServersIsToldInDiscordsWords(t *testing.T) {
	engine, msg := newEngine(t, func(o *commands.Options) {
		o.Limits = commands.DefaultLimits
		o.Limits.ChatPerHour = 1
	})
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	for n, lang := range locales.Supported {
		for _, c := range []struct {
			channel, id string
			reply       bool // a reply to the bot's message, not naming it: left in place
		}{
			{"72", "group_busy_server_removed", false},
			{"70", "group_busy_server_not_removed", false},
			{"74", "group_busy_server", true},
		} {
			api := &serverAPI{}
			a := newTestAdapter(t, api, engine, time.Hour)
			a.botID = "11"
			user := &discordgo.User{ID: "6" + strconv.Itoa(n) + c.channel, Username: "r", Locale: string(clientLocales[lang])}
			for i := range 3 {
				m := &discordgo.Message{
					ID: strconv.Itoa(3000 + 10*n + i), ChannelID: c.channel, GuildID: "60", Content: "<@11> hay halcones en la plaza",
					Author: user, Mentions: []*discordgo.User{bot},
				}
				if c.reply {
					m.Content, m.ReferencedMessage = "gracias, lo compartimos", &discordgo.Message{ID: "1900", Author: bot}
				}
				a.onMessage(a.s, &discordgo.MessageCreate{Message: m})
			}
			want := "/api/v9/channels/999/messages " + render(asShown(msg, lang, msg.Localize(lang, c.id, nil)))[0]
			api.mu.Lock()
			if len(api.dms) != 2 || api.dms[1] != want {
				t.Errorf("%s, channel %s: DMs %q, want the second %q", lang, c.channel, api.dms, want)
			}
			api.mu.Unlock()
		}
	}
}
