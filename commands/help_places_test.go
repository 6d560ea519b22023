package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// /help and /start where no tip may be written, said in the words of the
// place: in a Telegram channel's post, a channel its subscribers read
// (help_channel: not "this group", whose members write); in a Discord
// server's channel answered to the channel (the investigators'), a
// direct message or /report's form, never this channel
// (help_server_channel: not "a private chat", not "this group"), the
// team's commands after it. A Telegram group is answered help_group as
// before. Every language says it in words of its own.
// Mutation: helpText answering help_group to every chat not private (as
// before) -> the channel's and the Discord channel's cases fail.
func TestHelpOutsideAPrivateChatNamesThePlace(t *testing.T) {
	const discordChat, discordInvestigator = "600000000000000009", "700000000000000007"
	e := newHookedEnv(t, nil, nil, func(o *commands.Options) {
		o.Roles["discord:"+discordInvestigator] = commands.Investigator
		o.InvestigatorChats = append(o.InvestigatorChats, "discord:"+discordChat)
	})
	for _, lang := range locales.Supported {
		channel, server, group := e.text(lang, "help_channel", nil), e.text(lang, "help_server_channel", nil), e.text(lang, "help_group", nil)
		if channel == group || server == group || channel == server {
			t.Fatalf("%s: help_channel, help_server_channel and help_group are not three texts", lang)
		}
		for _, cmd := range []string{"help", "start"} {
			post := commands.Request{Command: cmd, ChatID: "-1001777", ChatKind: commands.Group, PostedAsChat: true, ChannelPost: true, Addressed: true, Language: lang}
			if r := e.do("chan-1001777", post); len(r) != 1 || r[0].Text != channel {
				t.Errorf("/%s in a Telegram channel, %s: %q, want help_channel", cmd, lang, texts(r))
			}
			in := commands.Request{Command: cmd, ChatID: "-100555", ChatKind: commands.Group, Addressed: true, Language: lang}
			if r := e.do(reporterID, in); len(r) != 1 || r[0].Text != group {
				t.Errorf("/%s in a Telegram group, %s: %q, want help_group", cmd, lang, texts(r))
			}
		}
		r := e.do(discordInvestigator, commands.Request{Platform: "discord", Command: "help", ChatID: discordChat, ChatKind: commands.Group, Addressed: true, Language: lang})
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, e.mux.NamesAsShown(lang, server)+"\n\n") || !strings.Contains(r[0].Text, e.mux.NamesAsShown(lang, e.text(lang, "help_investigator", nil))) {
			t.Errorf("/help in Discord's investigators' channel, %s: %q, want help_server_channel, then the team's commands", lang, texts(r))
		}
		// (On Discord, under the names its client shows: see
		// TestHelpOnDiscordNamesCommandsAsTheClientShowsThem.)
		for _, private := range []string{"/status ", "/reply ", "/cancel ", "/wipe "} {
			if strings.Contains(channel, private) || strings.Contains(server, private) {
				t.Errorf("%s: help_channel or help_server_channel names %q, which works only in private", lang, private)
			}
		}
	}
}
