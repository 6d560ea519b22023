package discord

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// A member who mentions the bot in a server channel is answered by DM
// (publicMessage). A member whose DMs are closed to the bot (Discord's
// 50007) would get no word at all, not even that their message was
// removed: the channel is told instead, with a notice that names no one
// and holds nothing of theirs, in the server's language (the member's
// own, chosen in private, could point to them).
//
// Where the bot could not remove that message either (no Manage Messages),
// the notice says so instead: whoever posted it is to delete it now, since
// nothing else will tell them. That notice has a slot of its own, so a
// plain notice in view does not hold it back.
//
// What a member would want, and what keeps the channel quiet:
//   - Each slot (a kind of notice in a channel) has at most one notice in
//     view. A member whose DMs are closed, writing while it is up, is told
//     anew: the notice is posted again below their message and the one
//     above deleted, unless it was posted within dmNoticeGap (then it is
//     just above them). Mentions cannot flood the channel: one notice in
//     view, at most one posted per dmNoticeGap.
//   - A plain notice (the message was removed) is deleted dmNoticeLife
//     after it was posted: there is nothing left to act on.
//   - A not-removed notice stays while a message it is about is in view:
//     it is deleted once they are all gone (their authors or a moderator
//     deleted them: MESSAGE_DELETE), though not within dmNoticeGap of
//     its posting (a member writing then is told by it, not anew), or
//     dmNoticeKept after it was posted, so that one never deleted does
//     not keep it up for ever. Past dmNoticeShown messages it cannot
//     follow them all: it then stays its dmNoticeKept (overflow).
//   - A message deleted while the bot was still handling it (watchMessage)
//     is not in view: no not-removed notice is posted for it, and one
//     posted as it went goes as if it had gone just after (messagesGone).

// dmNoticeLife is how long a plain DMs-closed notice stays in view.
const dmNoticeLife = 2 * time.Minute

// dmNoticeKept bounds how long a not-removed notice stays in view while
// the message it is about stays.
const dmNoticeKept = time.Hour

// dmNoticeGap is how long after a notice was posted another member is
// not told anew (the notice is just above their message).
const dmNoticeGap = 30 * time.Second

// dmNoticeChannels bounds how many slots are held, and dmNoticeShown how
// many messages one not-removed notice keeps track of (past it, the
// notice stays its dmNoticeKept).
const (
	dmNoticeChannels = 1000
	dmNoticeShown    = 100
)

// dmNotice is a slot: its notice in view, if any, and what it is about.
type dmNotice struct {
	posted time.Time       // when the slot was last taken to post
	ids    []string        // the notice in view (its messages)
	shown  map[string]bool // members' messages not removed, still in view
	ends   time.Time       // the notice in view's end of life
	timer  *time.Timer     // deletes the notice (retireDMNotice)
	// overflow is set when a message not removed could not be added to
	// shown (dmNoticeShown): shown then does not tell that none is in view.
	overflow bool
}

// Reply answers the member by DM; where their DMs are closed, the channel
// is told to open them (once per message), and, if their message could
// not be removed, to delete it.
func (w *publicReplier) Reply(ctx context.Context, rep commands.Reply) error {
	err := w.channelReplier.Reply(ctx, rep)
	if errors.Is(err, errDMsClosed) && !w.told {
		w.told = true
		id, about := "discord_dms_closed", ""
		if w.notRemoved {
			id, about = "discord_dms_closed_not_removed", w.messageID
		}
		w.a.dmClosedNotice(ctx, w.guildID, w.channelID, id, about)
	}
	return err
}

// dmClosedNotice posts the DMs-closed notice (message id) in a server
// channel, unless its slot had one posted within dmNoticeGap; about is the
// member's message a not-removed notice is about. A new notice replaces
// the slot's one in view. The slot is kept only if the notice went out,
// or if the channel refuses the bot (another try would fail too): one
// that failed otherwise holds back no other. A notice still up at
// shutdown stays: it says nothing of anyone.
func (a *Adapter) dmClosedNotice(ctx context.Context, guildID, channelID, id, about string) {
	slot, now := id+" "+channelID, time.Now()
	if !a.takeDMNotice(slot, channelID, now, about) {
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
	life := a.dmNoticeLife
	if about != "" {
		life = a.dmNoticeKept
	}
	a.deleteNotice(channelID, a.showDMNotice(slot, ids, life, about != ""))
}

// takeDMNotice reports whether slot may have a notice posted now, and if
// so records it; either way, about (a message not removed) is one the
// slot's notice is about, unless it was deleted already (watchMessage):
// then no notice is posted for it. Past dmNoticeChannels slots, none more
// is posted (memory stays bounded; no flood either).
func (a *Adapter) takeDMNotice(slot, channelID string, now time.Time, about string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if w := a.watched[channelID+" "+about]; w != nil && w.gone && about != "" {
		return false // not in view: there is nothing to tell
	}
	if a.dmNotices == nil {
		a.dmNotices = map[string]*dmNotice{}
	}
	n := a.dmNotices[slot]
	if n == nil {
		if len(a.dmNotices) >= dmNoticeChannels {
			for s, old := range a.dmNotices {
				if old.ids == nil && now.Sub(old.posted) >= a.dmNoticeGap {
					delete(a.dmNotices, s)
				}
			}
			if len(a.dmNotices) >= dmNoticeChannels {
				return false
			}
		}
		n = &dmNotice{shown: map[string]bool{}}
		a.dmNotices[slot] = n
	}
	if about != "" && !n.shown[about] {
		if len(n.shown) < dmNoticeShown {
			n.shown[about] = true
		} else {
			n.overflow = true // not followed: the notice stays its dmNoticeKept
		}
	}
	if !n.posted.IsZero() && now.Sub(n.posted) < a.dmNoticeGap {
		return false
	}
	n.posted = now
	return true
}

// releaseDMNotice gives back a slot taken at now, for a notice that did
// not go out.
func (a *Adapter) releaseDMNotice(slot string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n := a.dmNotices[slot]; n != nil && n.posted.Equal(now) {
		n.posted = time.Time{}
	}
}

// showDMNotice records ids as slot's notice in view, to be deleted after
// life, and returns the notice it replaces. A not-removed notice
// (notRemoved) whose messages all went while it was being posted goes
// as messagesGone would have it go: after dmNoticeGap from its posting.
func (a *Adapter) showDMNotice(slot string, ids []string, life time.Duration, notRemoved bool) (replaced []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := a.dmNotices[slot]
	if n == nil {
		return ids // the slot was dropped meanwhile: the notice goes at once
	}
	replaced, n.ids, n.ends = n.ids, ids, time.Now().Add(life)
	if n.timer != nil {
		n.timer.Stop()
	}
	after := life
	if notRemoved && len(n.shown) == 0 && !n.overflow {
		after = max(time.Until(n.posted.Add(a.dmNoticeGap)), 0)
	}
	n.timer = time.AfterFunc(after, func() {
		defer a.recovered("notice retirement")
		a.retireDMNotice(slot, ids)
	})
	return replaced
}

// retireDMNotice deletes slot's notice ids, if it is still the one in
// view, and unless a message it is about is in view again before its end
// of life (one written after the others went: see messagesGone); what it
// was about is forgotten with it.
func (a *Adapter) retireDMNotice(slot string, ids []string) {
	a.mu.Lock()
	n := a.dmNotices[slot]
	if n == nil || !slices.Equal(n.ids, ids) {
		a.mu.Unlock()
		return
	}
	if left := time.Until(n.ends); (len(n.shown) > 0 || n.overflow) && left > 0 {
		n.timer.Reset(left)
		a.mu.Unlock()
		return
	}
	n.ids, n.shown, n.overflow = nil, map[string]bool{}, false
	a.mu.Unlock()
	a.deleteNotice(slot[strings.LastIndex(slot, " ")+1:], ids)
}

// messagesGone follows messages deleted in a channel (by their authors or
// a moderator): a not-removed notice all of whose messages are gone is
// deleted, but not within dmNoticeGap of its posting: a member writing
// then gets no notice of their own (takeDMNotice), so this one stays for
// their message. The deletion runs on the notice's timer, not in the
// gateway's read loop.
func (a *Adapter) messagesGone(channelID string, ids ...string) {
	slot := "discord_dms_closed_not_removed " + channelID
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		if w := a.watched[channelID+" "+id]; w != nil {
			w.gone = true
		}
	}
	n := a.dmNotices[slot]
	if n == nil || len(n.shown) == 0 {
		return
	}
	for _, id := range ids {
		delete(n.shown, id)
	}
	if len(n.shown) == 0 && !n.overflow && n.ids != nil {
		n.timer.Reset(max(time.Until(n.posted.Add(a.dmNoticeGap)), 0))
	}
}

// dmWatched bounds how many server messages are watched at once (past
// it, one is not: a notice about it may stay as if it were in view).
const dmWatched = 1000

// watched is a server message being handled, followed by messagesGone.
type watched struct {
	n    int  // handlings of it under way (a message, its edits)
	gone bool // deleted (MESSAGE_DELETE) while handled
}

// watchMessage follows whether a server message is deleted while it is
// handled, so that a notice about it is not posted (or not kept) once it
// is gone: a message deleted before its notice goes out would otherwise
// keep that notice up dmNoticeKept. It is called on the gateway's read
// loop, before the message's deletion can be dispatched; unwatch is
// called when its handling ends.
func (a *Adapter) watchMessage(m *discordgo.Message) (unwatch func()) {
	key := m.ChannelID + " " + m.ID
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.watched == nil {
		a.watched = map[string]*watched{}
	}
	w := a.watched[key]
	if w == nil {
		if len(a.watched) >= dmWatched {
			return func() {}
		}
		w = &watched{}
		a.watched[key] = w
	}
	w.n++
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if w.n--; w.n == 0 {
			delete(a.watched, key)
		}
	}
}

// onMessageDelete and onMessageDeleteBulk pass deleted messages to
// messagesGone.
func (a *Adapter) onMessageDelete(_ *discordgo.Session, md *discordgo.MessageDelete) {
	if md.Message != nil {
		a.messagesGone(md.ChannelID, md.ID)
	}
}

func (a *Adapter) onMessageDeleteBulk(_ *discordgo.Session, md *discordgo.MessageDeleteBulk) {
	a.messagesGone(md.ChannelID, md.Messages...)
}

// deleteNotice deletes a notice's messages, if any, on a context of its own.
func (a *Adapter) deleteNotice(channelID string, ids []string) {
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), commands.ReplyGrace)
	defer cancel()
	for _, id := range ids {
		if err := a.DeleteMessage(ctx, channelID, id); err != nil && !errors.Is(err, commands.ErrMessageGone) {
			a.log.Warn("discord could not delete the DMs-closed notice", "error", err.Error())
		}
	}
}
