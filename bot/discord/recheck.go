package discord

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// A not-removed notice goes once the messages it is about are deleted
// (messagesGone, on MESSAGE_DELETE). A deletion made while the gateway
// was down reaches the bot only if the session resumes; a new session
// (READY) never sends it, and the notice would stay up dmNoticeKept (an
// hour), asking for a message already gone to be deleted. So after every
// (re)connection (READY or RESUMED) the messages the notices in view are
// about are looked up, at most noticeRecheck of them, and those Discord no
// longer has (Unknown Message) are taken as deleted. One not looked up, or
// not told (an error, a 429), keeps its notice as before: at most
// dmNoticeKept.

// noticeRecheck bounds how many messages one recheck looks up.
const noticeRecheck = 100

// kickRecheck is called by onGateway on READY and RESUMED: the rechecker
// then rechecks; one more (re)connection during a recheck is one more
// recheck after it. It never blocks (the gateway's read loop calls it).
func (a *Adapter) kickRecheck() {
	select {
	case a.reconnected <- struct{}{}:
	default: // one is due already
	}
}

// rechecker rechecks the notices after each (re)connection, until ctx
// ends. It runs beside Run: the gateway's handlers must not block.
func (a *Adapter) rechecker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.reconnected:
			a.recheckNotices(ctx)
		}
	}
}

// recheckNotices looks up the messages not-removed notices in view are
// about (at most noticeRecheck), and passes those Discord no longer has
// to messagesGone.
func (a *Adapter) recheckNotices(ctx context.Context) {
	type message struct{ channelID, id string }
	var todo []message
	a.mu.Lock()
	for slot, n := range a.dmNotices {
		if n.ids == nil || !strings.HasPrefix(slot, "discord_dms_closed_not_removed ") {
			continue
		}
		channelID := slot[strings.LastIndex(slot, " ")+1:]
		for id := range n.shown {
			if len(todo) < noticeRecheck {
				todo = append(todo, message{channelID, id})
			}
		}
	}
	a.mu.Unlock()
	gone := 0
	for _, m := range todo {
		if ctx.Err() != nil {
			return
		}
		if a.messageGone(ctx, m.channelID, m.id) {
			a.messagesGone(m.channelID, m.id)
			gone++
		}
	}
	if gone > 0 {
		a.log.Info("discord reconnected: notices' messages deleted meanwhile", "count", gone)
	}
}

// messageGone reports whether Discord says it has no such message
// (Unknown Message); false if it has it, or cannot tell in time.
func (a *Adapter) messageGone(ctx context.Context, channelID, id string) bool {
	ctx, cancel := context.WithTimeout(ctx, channelCheck)
	defer cancel()
	err := a.retry(ctx, discordgo.EndpointChannelMessage(channelID, ""), func(opts ...discordgo.RequestOption) error {
		_, err := a.s.ChannelMessage(channelID, id, opts...)
		return err
	})
	return gone(err, discordgo.ErrCodeUnknownMessage)
}
