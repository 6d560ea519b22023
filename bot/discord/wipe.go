package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// wipePages bounds how far back a wipe looks: 100 messages a page.
const wipePages = 5

// channel resolves a chat id: a channel id as is, or a "u<user id>" route
// to that user's DM channel.
func (a *Adapter) channel(ctx context.Context, chatID string) (string, error) {
	userID, ok := strings.CutPrefix(chatID, "u")
	if !ok {
		return chatID, nil
	}
	var ch *discordgo.Channel
	err := a.retry(ctx, dmChannelBucket, func(opts ...discordgo.RequestOption) error {
		var err error
		ch, err = a.createDMChannel(userID, opts...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("discord DM: %s", a.redact(err))
	}
	if ch == nil || snowflake(ch.ID) <= 0 {
		// An answer of "null", or one with no id ("{}"): no channel, and
		// no error. Sent on, a message would go to /channels//messages,
		// whose 404 reads as the destination gone for good.
		return "", fmt.Errorf("discord DM: %w", errNoChannel)
	}
	return ch.ID, nil
}

// wipeContext bounds a wipe to its caller's deadline less a reserve: up
// to 500 deletes at Discord's pace can outlast the deadline, and the
// caller must still have the time to tell the reporter how the wipe went.
func wipeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	reserve := min(commands.ReplyGrace, time.Until(dl)/4)
	return context.WithDeadline(ctx, dl.Add(-reserve))
}

// WipeChat deletes the bot's own messages in a member's DM channel
// (commands.ChatWiper). Discord does not let a bot delete the member's
// messages there, so the result says they are kept. upTo is unused: the
// newest messages are read from Discord.
func (a *Adapter) WipeChat(ctx context.Context, chatID, _ string) (commands.WipeResult, error) {
	res := commands.WipeResult{TheirsKept: true}
	ctx, cancel := wipeContext(ctx)
	defer cancel()
	channelID, err := a.channel(ctx, chatID)
	if err != nil {
		return res, err
	}
	a.mu.Lock()
	botID := a.botID
	a.mu.Unlock()
	before := ""
	for range wipePages {
		var msgs []*discordgo.Message
		err := a.retry(ctx, discordgo.EndpointChannelMessages(channelID), func(opts ...discordgo.RequestOption) error {
			var err error
			msgs, err = a.channelMessages(channelID, 100, before, "", opts...)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("discord messages: %s", a.redact(err))
		}
		for _, m := range msgs {
			if m.Author == nil || m.Author.ID != botID {
				continue
			}
			err := a.retry(ctx, discordgo.EndpointChannelMessage(channelID, ""), func(opts ...discordgo.RequestOption) error {
				return a.deleteChannelMessage(channelID, m.ID, opts...)
			})
			if err != nil {
				return res, fmt.Errorf("discord delete: %s", a.redact(err))
			}
		}
		if len(msgs) < 100 {
			break
		}
		before = msgs[len(msgs)-1].ID
	}
	return res, nil
}
