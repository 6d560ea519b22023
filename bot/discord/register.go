package discord

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/tips"
)

// discordLocales maps each Discord locale Vigía fills to its language.
var discordLocales = map[discordgo.Locale]string{
	discordgo.EnglishUS:    "en",
	discordgo.EnglishGB:    "en",
	discordgo.SpanishES:    "es",
	discordgo.SpanishLATAM: "es",
	discordgo.PortugueseBR: "pt-BR",
	discordgo.French:       "fr",
}

// ErrNotRegistered means Discord did not take the bot's commands within
// registerTimeout: it kept answering 429 (an application may overwrite its
// commands only so often a day; a bot restarted in a loop runs out), or
// did not answer in time. A start without its commands would answer no
// one's /report, so it stops.
var ErrNotRegistered = errors.New("discord did not take the bot's commands in time")

// registerTimeout bounds the command registration at start: past it (or a
// 429 that asks to wait longer), Run returns ErrNotRegistered.
const registerTimeout = time.Minute

// register replaces the application's commands with the engine's, in one
// bulk overwrite, every name and description localised, within
// registerTimeout (a.registerTimeout, shorter in tests). Every 429 is
// waited out and the overwrite sent again, for as long as the deadline
// allows: Discord may answer several in a row (a restart loop spent the
// day's allowance), and each was only retried maxRetries times, so a
// start failed (exit 2) well within its minute.
func (a *Adapter) register(ctx context.Context, table []*commands.Command) error {
	ctx, cancel := context.WithTimeout(ctx, a.registerTimeout)
	defer cancel()
	cmds := Commands(a.o.Messages, table)
	a.mu.Lock()
	appID := a.appID
	a.mu.Unlock()
	endpoint := discordgo.EndpointApplicationGlobalCommands(appID) // its bucket too, as discordgo files it
	if a.o.GuildID != "" {
		endpoint = discordgo.EndpointApplicationGuildCommands(appID, a.o.GuildID)
	}
	// (Each wait is at least 100 ms: the deadline bounds the attempts.)
	err := a.retryUpTo(ctx, endpoint, math.MaxInt, func(opts ...discordgo.RequestOption) error {
		return a.overwriteCommands(endpoint, cmds, opts...)
	})
	if err == nil {
		return nil // taken, even if the deadline passed as the answer came
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: %s", ErrNotRegistered, a.redact(err))
	}
	return fmt.Errorf("discord command registration: %s", a.redact(err))
}

// Commands builds Discord's application commands from the engine's table,
// with texts from the message files, so both platforms show the same words.
func Commands(msg *locales.Bundle, table []*commands.Command) []*discordgo.ApplicationCommand {
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	var out []*discordgo.ApplicationCommand
	for _, c := range table {
		id := "command_" + c.Name
		// A description of Discord's own where the command does something
		// else there (command_wipe_discord: only the bot's messages go).
		desc := id
		if slices.Contains(msg.IDs(), id+"_discord") {
			desc = id + "_discord"
		}
		cmd := &discordgo.ApplicationCommand{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     c.Name,
			Description:              msg.Localize("en", desc, nil),
			NameLocalizations:        ptr(localized(msg, id+"_name")),
			DescriptionLocalizations: ptr(localized(msg, desc)),
			Contexts:                 &contexts,
			Options:                  []*discordgo.ApplicationCommandOption{},
		}
		for _, arg := range c.Args {
			aid := "arg_" + c.Name + "_" + arg.Name
			opt := &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     arg.Name,
				Description:              msg.Localize("en", aid, nil),
				NameLocalizations:        localized(msg, aid+"_name"),
				DescriptionLocalizations: localized(msg, aid),
				Required:                 arg.Required,
			}
			switch arg.Kind {
			case commands.ArgInteger:
				opt.Type = discordgo.ApplicationCommandOptionInteger
				if arg.Min != 0 {
					minV := float64(arg.Min)
					opt.MinValue = &minV
				}
				opt.MaxValue = float64(arg.Max)
			case commands.ArgLanguage:
				for _, l := range locales.Supported {
					opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{Name: msg.Localize(l, "lang_name", nil), Value: l})
				}
			case commands.ArgCategory:
				for _, cat := range tips.Categories {
					id := "category_" + string(cat)
					opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{
						Name: msg.Localize("en", id, nil), NameLocalizations: localized(msg, id), Value: string(cat)})
				}
			case commands.ArgRole:
				for _, r := range []string{"investigator", "admin"} {
					id := "role_" + r
					opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{
						Name: msg.Localize("en", id, nil), NameLocalizations: localized(msg, id), Value: r})
				}
			}
			cmd.Options = append(cmd.Options, opt)
		}
		out = append(out, cmd)
	}
	return out
}

func localized(msg *locales.Bundle, id string) map[discordgo.Locale]string {
	m := map[discordgo.Locale]string{}
	for loc, lang := range discordLocales {
		m[loc] = msg.Localize(lang, id, nil)
	}
	return m
}

func ptr[T any](v T) *T { return &v }
