package discord

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// A not-removed notice goes once the messages it is about are deleted
// (messagesGone, on MESSAGE_DELETE). A deletion made while the gateway
// was down reaches the bot only if the session resumes; a new session
// (READY) never sends it, and the notice would stay up dmNoticeKept (an
// hour), asking for a message already gone to be deleted. So after every
// (re)connection (READY or RESUMED) the channels of the notices in view
// are read, from the oldest message a notice is about up to its newest,
// a page of 100 messages at a time (Get Channel Messages, after), and
// those the pages no longer hold are taken as deleted (ids only grow: a
// message between two listed that is not listed is gone). A recheck makes
// at most noticeRecheck HTTP requests, a 429's retries counted, the
// channels taking turns a page each:
// a busy channel (many messages since) does not hold the others back, and
// a reconnection costs a bounded number of requests, each through the
// project's rate-limit handling (retry: a bucket's limit and a 429 waited
// out within the request's time, never discordgo's endless retries). A
// message not reached, or not told (an error, a 429 past its time),
// keeps its notice as before: at most dmNoticeKept.

// noticeRecheck bounds how many HTTP requests one recheck makes (each
// try of a page: a 429 waited out and asked again is two); noticePage is
// how many messages one asks for (Discord's most).
const (
	noticeRecheck = 100
	noticePage    = 100
)

// errRecheckSpent ends a page's retries once the recheck's requests are
// spent.
var errRecheckSpent = errors.New("discord: the recheck's requests are spent")

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
			a.recheck(ctx)
		}
	}
}

// recheck is one recheck: its panic ends it alone, and the notices not
// rechecked stay at most dmNoticeKept, as those a recheck did not reach.
func (a *Adapter) recheck(ctx context.Context) {
	defer a.recovered("notice recheck")
	a.recheckNotices(ctx)
}

// recheckNotices reads the channels of the not-removed notices in view,
// at most noticeRecheck requests in all, and passes the messages they are
// about that Discord no longer has to messagesGone.
func (a *Adapter) recheckNotices(ctx context.Context) {
	var todo []*recheckChannel
	a.mu.Lock()
	for slot, n := range a.dmNotices {
		if n.ids == nil || !strings.HasPrefix(slot, "discord_dms_closed_not_removed ") {
			continue
		}
		c := &recheckChannel{id: slot[strings.LastIndex(slot, " ")+1:]}
		for id := range n.shown {
			if snowflake(id) > 0 {
				c.pending = append(c.pending, id)
			}
		}
		if len(c.pending) > 0 {
			todo = append(todo, c)
		}
	}
	a.mu.Unlock()
	gone := 0
	for budget := noticeRecheck; budget > 0 && len(todo) > 0; {
		next := todo[:0]
		for _, c := range todo {
			if budget == 0 || ctx.Err() != nil {
				break
			}
			ids, more := a.recheckPage(ctx, c, &budget)
			if len(ids) > 0 {
				a.messagesGone(c.id, ids...)
				gone += len(ids)
			}
			if more {
				next = append(next, c)
			}
		}
		todo = next
	}
	if gone > 0 {
		a.log.Info("discord reconnected: notices' messages deleted meanwhile", "count", gone)
	}
}

// recheckChannel is a channel being read by recheckNotices: the messages
// its notice is about not reached yet, and the last message read.
type recheckChannel struct {
	id      string
	pending []string
	after   int64 // the newest message read; 0 before the first page
	read    bool  // a page held a message: the channel's history is readable
}

// recheckPage reads the next page of channel c: the messages of c.pending
// it covers that it does not hold are returned (deleted); more is false
// once none is pending, or the channel cannot be read (an error: those
// pending are left as they are). Nor can it be read while no page held a
// message: Discord answers with none, not an error, where the bot lacks
// Read Message History, and the messages still there would be taken for
// deleted. (The notice, posted after them, is listed where it can: a
// first page with none is not a channel's end.) Each request made, a
// 429's retries too, is counted off *budget; none is made once it is
// spent (the page is then not read: an error).
func (a *Adapter) recheckPage(ctx context.Context, c *recheckChannel, budget *int) (gone []string, more bool) {
	if c.after == 0 {
		c.after = snowflake(c.pending[0])
		for _, id := range c.pending {
			c.after = min(c.after, snowflake(id))
		}
		c.after-- // the oldest one included
	}
	prev := c.after
	ctx, cancel := context.WithTimeout(ctx, channelCheck)
	defer cancel()
	var page []*discordgo.Message
	// No 429 is waited out for a request the budget would not allow.
	err := a.retryUpTo(ctx, discordgo.EndpointChannelMessages(c.id), min(maxRetries, *budget-1), func(opts ...discordgo.RequestOption) error {
		if *budget <= 0 {
			return errRecheckSpent
		}
		*budget--
		var err error
		page, err = a.channelMessages(c.id, noticePage, "", strconv.FormatInt(c.after, 10), opts...)
		return err
	})
	if err != nil {
		return nil, false
	}
	held := map[string]bool{}
	top := c.after
	for _, m := range page {
		if m == nil {
			continue
		}
		held[m.ID] = true
		top = max(top, snowflake(m.ID))
	}
	if len(held) == 0 && !c.read {
		return nil, false // no history to read: nothing is known gone
	}
	c.read = true
	// A short page is the channel's end: every message after it is read.
	end := len(page) < noticePage
	left := c.pending[:0]
	for _, id := range c.pending {
		switch n := snowflake(id); {
		case !end && n > top:
			left = append(left, id) // on a later page
		case !held[id]:
			gone = append(gone, id)
		}
	}
	c.pending, c.after = left, top
	return gone, len(left) > 0 && top > prev // a full page that does not move on ends it
}
