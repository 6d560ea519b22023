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
//
// Where the bot could not remove that message either (no Manage Messages),
// the notice says so instead: whoever posted it is to delete it now, since
// nothing else will tell them. That notice has slots of its own, so a plain
// notice in view does not hold it back.

// dmNoticeLife is how long a DMs-closed notice stays in view, and how
// long a channel gets no other.
const dmNoticeLife = 2 * time.Minute

// dmNoticeChannels bounds how many slots' (channels' and kinds') last
// notices are held.
const dmNoticeChannels = 1000

// Reply answers the member by DM; where their DMs are closed, the channel
// is told to open them (once per message), and, if their message could
// not be removed, to delete it.
func (w *publicReplier) Reply(ctx context.Context, rep commands.Reply) error {
	err := w.channelReplier.Reply(ctx, rep)
	if errors.Is(err, errDMsClosed) && !w.told {
		w.told = true
		id := "discord_dms_closed"
		if w.notRemoved {
			id = "discord_dms_closed_not_removed"
		}
		w.a.dmClosedNotice(ctx, w.guildID, w.channelID, id)
	}
	return err
}

// dmClosedNotice posts the DMs-closed notice (message id) in a server
// channel, unless the channel had one of its kind within dmNoticeLife,
// and deletes it after dmNoticeLife. The slot is kept only if the notice
// went out, or if the channel refuses the bot (another try would fail
// too): one that failed otherwise holds back no other. A notice still up
// at shutdown stays: it says nothing of anyone.
func (a *Adapter) dmClosedNotice(ctx context.Context, guildID, channelID, id string) {
	slot, now := id+" "+channelID, time.Now()
	if !a.takeDMNotice(slot, now) {
		return
	}
	ctx, cancel := commands.ReplyContext(ctx)
	defer cancel()
	text := a.msg.Localize(a.serverLanguage(ctx, guildID), id, nil)
	ids, err := a.Send(ctx, channelID, commands.Reply{Text: text})
	if err != nil {
		a.log.Warn("discord could not post the DMs-closed notice", "error", err.Error())
	}
	if len(ids) == 0 {
		if !errors.Is(err, commands.ErrDestinationGone) {
			a.releaseDMNotice(slot, now)
		}
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

// takeDMNotice reports whether slot (a kind of notice in a channel) may
// have a notice now, and if so records it. Past dmNoticeChannels slots
// with a notice in the window, none more is posted (memory stays bounded;
// no flood either).
func (a *Adapter) takeDMNotice(slot string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if last, ok := a.dmNotices[slot]; ok && now.Sub(last) < a.dmNoticeLife {
		return false
	}
	if a.dmNotices == nil {
		a.dmNotices = map[string]time.Time{}
	}
	if len(a.dmNotices) >= dmNoticeChannels {
		for s, last := range a.dmNotices {
			if now.Sub(last) >= a.dmNoticeLife {
				delete(a.dmNotices, s)
			}
		}
		if len(a.dmNotices) >= dmNoticeChannels {
			return false
		}
	}
	a.dmNotices[slot] = now
	return true
}

// releaseDMNotice gives back a slot taken at now, for a notice that did
// not go out.
func (a *Adapter) releaseDMNotice(slot string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if last, ok := a.dmNotices[slot]; ok && last.Equal(now) {
		delete(a.dmNotices, slot)
	}
}
