package discord

import (
	"context"
	"errors"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A member who mentions the bot in a server channel is answered by DM
// (publicMessage). A member whose DMs are closed to the bot (Discord's
// 50007) would get no word at all, not even that their message was
// removed: the channel is told instead, with a notice that names no one
// and holds nothing of theirs, in the server's language (the member's
// own, chosen in private, could point to them). It is deleted after
// dmNoticeLife, and a channel gets at most one per dmNoticeLife, so
// mentions cannot be used to flood it.

// dmNoticeLife is how long a DMs-closed notice stays in view, and how
// long a channel gets no other.
const dmNoticeLife = 2 * time.Minute

// dmNoticeChannels bounds how many channels' last notices are held.
const dmNoticeChannels = 1000

// Reply answers the member by DM; where their DMs are closed, the channel
// is told to open them (once per message).
func (w *publicReplier) Reply(ctx context.Context, rep commands.Reply) error {
	err := w.channelReplier.Reply(ctx, rep)
	if errors.Is(err, errDMsClosed) && !w.told {
		w.told = true
		w.a.dmClosedNotice(ctx, w.guildID, w.channelID)
	}
	return err
}

// dmClosedNotice posts the DMs-closed notice in a server channel, unless
// the channel had one within dmNoticeLife, and deletes it after
// dmNoticeLife. A notice still up at shutdown stays: it says nothing of
// anyone.
func (a *Adapter) dmClosedNotice(ctx context.Context, guildID, channelID string) {
	if !a.takeDMNotice(channelID, time.Now()) {
		return
	}
	ctx, cancel := commands.ReplyContext(ctx)
	defer cancel()
	text := a.msg.Localize(a.serverLanguage(ctx, guildID), "discord_dms_closed", nil)
	ids, err := a.Send(ctx, channelID, commands.Reply{Text: text})
	if err != nil {
		a.log.Warn("discord could not post the DMs-closed notice", "error", err.Error())
	}
	if len(ids) == 0 {
		return
	}
	time.AfterFunc(a.dmNoticeLife, func() {
		ctx, cancel := context.WithTimeout(context.Background(), commands.ReplyGrace)
		defer cancel()
		for _, id := range ids {
			if err := a.DeleteMessage(ctx, channelID, id); err != nil && !errors.Is(err, commands.ErrMessageGone) {
				a.log.Warn("discord could not delete the DMs-closed notice", "error", err.Error())
			}
		}
	})
}

// takeDMNotice reports whether channelID may have a notice now, and if so
// records it. Past dmNoticeChannels channels with a notice in the window,
// none more is posted (memory stays bounded; no flood either).
func (a *Adapter) takeDMNotice(channelID string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if last, ok := a.dmNotices[channelID]; ok && now.Sub(last) < a.dmNoticeLife {
		return false
	}
	if a.dmNotices == nil {
		a.dmNotices = map[string]time.Time{}
	}
	if len(a.dmNotices) >= dmNoticeChannels {
		for ch, last := range a.dmNotices {
			if now.Sub(last) >= a.dmNoticeLife {
				delete(a.dmNotices, ch)
			}
		}
		if len(a.dmNotices) >= dmNoticeChannels {
			return false
		}
	}
	a.dmNotices[channelID] = now
	return true
}
