package discord

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// Discord sends one user's events in order, but discordgo would run each
// in a goroutine of its own: a photo and then Send could reach the engine
// as Send and then the photo, and the tip would go without it. So events
// are taken in the gateway's order (Session.SyncEvents) and queued per
// user: each user's run one at a time, in order, different users' at once.
// (Telegram's adapter serialises per chat in the same way.)
//
// A queue is bounded (Options.QueueLimit): while the engine is slow (Redis
// hanging, each event taking up to HandlerTimeout), an event beyond the
// limit is not kept waiting minutes behind the others, but answered at once
// to be sent again (rate_limited). And it is bounded in time: on shutdown,
// events still waiting at Options.ShutdownTimeout are answered
// (restarting_resend) instead of handled, and the handling in flight is cut
// (see stopCtx). Discord does not redeliver: nothing may end unanswered.

// queued is one event waiting in a user's queue.
type queued struct {
	base context.Context // the event's base context (a stopCtx once Run runs)
	run  func()          // handles the event; it calls a.wg.Done
	// refuse answers the event with a message id instead of handling
	// it; it calls a.wg.Done.
	refuse func(id string)
}

// userQueue is one user's events waiting to run; one goroutine drains it.
type userQueue struct{ jobs []queued }

// enqueue runs job after the user's events queued before it, and reports
// whether it was queued: false if the user already has QueueLimit events
// waiting. It never blocks: it is called on the gateway's read loop.
func (a *Adapter) enqueue(userID string, job queued) bool {
	a.qmu.Lock()
	q, draining := a.queues[userID]
	if draining && len(q.jobs) >= a.o.QueueLimit {
		a.qmu.Unlock()
		return false
	}
	if !draining {
		q = &userQueue{}
		a.queues[userID] = q
	}
	q.jobs = append(q.jobs, job)
	a.qmu.Unlock()
	if !draining {
		go a.drain(userID, q)
	}
	return true
}

// drain runs a user's queued events until none is left. Once the shutdown
// deadline is over, what still waits is answered, not handled, each at
// once (the answers must not wait for one another either).
func (a *Adapter) drain(userID string, q *userQueue) {
	for {
		a.qmu.Lock()
		if len(q.jobs) == 0 {
			delete(a.queues, userID) // idle users cost nothing
			a.qmu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs[0] = queued{}
		q.jobs = q.jobs[1:]
		a.qmu.Unlock()
		if job.base.Err() != nil {
			go job.refuse("restarting_resend")
			continue
		}
		a.runQueued(job)
	}
}

// runQueued runs one queued event. Its panic (where the event's handling
// has no recover of its own: an edit's) ends that event only: the user's
// later events still run, and their queue is still dropped once empty.
func (a *Adapter) runQueued(job queued) {
	defer a.recovered("queued event")
	job.run()
}

// queueMessage is the gateway's message handler: a direct message is
// handled after its author's earlier events.
func (a *Adapter) queueMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	if !fromPerson(mc) {
		return
	}
	h, base, ok := a.begin()
	if !ok {
		return
	}
	m := mc.Message
	if m.GuildID != "" {
		// A message in a server is never stored (the member is told by DM
		// to report privately), so no order matters to it; and it must not
		// be refused: one that could expose its sender is to be removed.
		// Most mention no one and end at once.
		unwatch := a.watchMessage(m)
		go func() {
			defer a.wg.Done()
			defer unwatch()
			a.message(base, h, m)
		}()
		return
	}
	job := queued{
		base: base,
		run: func() {
			defer a.wg.Done()
			a.message(base, h, m)
		},
		refuse: func(id string) {
			defer a.wg.Done()
			a.refuseMessage(base, h, m, id)
		},
	}
	if !a.enqueue(m.Author.ID, job) {
		go job.refuse("rate_limited")
	}
}

// queueUndecodable is the gateway's handler for every raw event; it acts
// on a direct message discordgo could not decode (a field it does not
// know how to read, as newer clients send): discordgo hands the message
// handler an empty message, which fromPerson drops. Such a message is
// answered that it cannot be kept, after its author's earlier events, as
// an undecodable interaction is (unsupported_message): the reporter is
// never left believing it was kept. Only what is needed to answer is read
// from the raw event: its author and its channel.
func (a *Adapter) queueUndecodable(_ *discordgo.Session, e *discordgo.Event) {
	if e.Type != "MESSAGE_CREATE" {
		return
	}
	if mc, ok := e.Struct.(*discordgo.MessageCreate); ok && mc.Message != nil && mc.Author != nil {
		return // decoded: queueMessage has it
	}
	var raw struct {
		ID        string                `json:"id"`
		ChannelID string                `json:"channel_id"`
		GuildID   string                `json:"guild_id"`
		Type      discordgo.MessageType `json:"type"`
		Author    *struct {
			ID  string `json:"id"`
			Bot bool   `json:"bot"`
		} `json:"author"`
	}
	if json.Unmarshal(e.RawData, &raw) != nil || raw.ChannelID == "" || raw.GuildID != "" ||
		raw.Author == nil || raw.Author.ID == "" || raw.Author.Bot ||
		(raw.Type != discordgo.MessageTypeDefault && raw.Type != discordgo.MessageTypeReply) {
		return // not a reporter's direct message, or nowhere to answer
	}
	h, base, ok := a.begin()
	if !ok {
		return
	}
	a.log.Warn("discord direct message not decoded; answered that it cannot be kept")
	m := &discordgo.Message{ID: raw.ID, ChannelID: raw.ChannelID, Author: &discordgo.User{ID: raw.Author.ID}}
	refuse := func(id string) {
		defer a.wg.Done()
		a.refuseMessage(base, h, m, id)
	}
	job := queued{base: base, run: func() { refuse("unsupported_message") }, refuse: refuse}
	if !a.enqueue(m.Author.ID, job) {
		go refuse("rate_limited")
	}
}

// queueEdit is the gateway's handler for edited messages. An edit of a
// direct message changes nothing Vigía keeps (a part is kept as first
// sent), and the reporter is told so once per message, as on Telegram: an
// edit that takes out a name would otherwise look as if it had. It waits
// its turn behind the author's earlier events, like a message, but is
// never refused: under a flood of events an edit goes unanswered instead.
// Discord also sends an update when it adds a link's preview; such an
// update has no edit time if the message was never edited, and a later
// one for a message told already is not told again.
func (a *Adapter) queueEdit(_ *discordgo.Session, mu *discordgo.MessageUpdate) {
	m := mu.Message
	if m == nil || m.EditedTimestamp == nil || m.Author == nil || m.Author.Bot ||
		(m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply) {
		return
	}
	if m.GuildID != "" {
		// A server message edited to mention the bot: maybe a tip now in
		// view, removed as a new one would be.
		if a.mentionedByEdit(m) {
			if h, base, ok := a.begin(); ok {
				unwatch := a.watchMessage(m)
				go func() {
					defer a.wg.Done()
					defer unwatch()
					a.message(base, h, m)
				}()
			}
		}
		return
	}
	h, base, ok := a.begin()
	if !ok {
		return
	}
	req := commands.Request{
		Platform: Platform, UserID: m.Author.ID, ChatID: m.ChannelID, ChatKind: commands.Private,
		Language: m.Author.Locale, Edited: true, MessageID: m.ID,
		UserChat: userRoute(m.Author.ID), Name: discordName(m.Author),
	}
	job := queued{
		base: base,
		run: func() {
			defer a.wg.Done()
			a.handle(base, h, req, &channelReplier{a: a, channelID: m.ChannelID})
		},
		refuse: func(string) { a.wg.Done() },
	}
	if !a.enqueue(m.Author.ID, job) {
		a.wg.Done()
	}
}

// mentionedByEdit reports whether an edit of server message m is one to
// handle: its text names the bot (a reply's ping alone does not: a
// community editing its answer to a warning), and this edit was not
// handled already (Discord sends a link preview's update with the same
// edit time).
func (a *Adapter) mentionedByEdit(m *discordgo.Message) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.botID == "" || !(strings.Contains(m.Content, "<@"+a.botID+">") || strings.Contains(m.Content, "<@!"+a.botID+">")) {
		return false
	}
	if told, ok := a.editsTold[m.ID]; ok && told.Equal(*m.EditedTimestamp) {
		return false
	}
	if a.editsTold == nil || len(a.editsTold) >= 1000 {
		a.editsTold = map[string]time.Time{}
	}
	a.editsTold[m.ID] = *m.EditedTimestamp
	return true
}

// queueInteractionEvent is the gateway's interaction handler. It takes
// the raw event, which discordgo hands on after the decoded one (still in
// the gateway's order), since only the raw payload says which channel the
// interaction came from (payloadChannel).
func (a *Adapter) queueInteractionEvent(_ *discordgo.Session, e *discordgo.Event) {
	if e.Type != "INTERACTION_CREATE" {
		return
	}
	if ic, ok := e.Struct.(*discordgo.InteractionCreate); ok {
		a.queueInteraction(ic, payloadChannel(e.RawData))
	}
}

// queueInteraction queues an interaction from channel ch. The interaction
// is acknowledged on time whatever waits before it: its deferral timer
// starts now, not when its turn comes, and a command that opens a form
// (which must be the first answer, within 3 s, and cannot be deferred)
// does not wait its turn at all: it changes nothing the events before it
// depend on, and the form's submission is queued like any event. One
// beyond the queue's limit is answered at once.
func (a *Adapter) queueInteraction(ic *discordgo.InteractionCreate, ch *source) {
	h, base, ok := a.begin()
	if !ok {
		return
	}
	ev := a.translated(base, h, ic, ch)
	switch {
	case ev == nil:
		a.wg.Done()
	case ev.unreadable != "":
		// Nothing in it can be read (sent by a newer Discord client, or
		// with a null option): answered within Discord's 3 s, never
		// dropped without a word.
		go func() {
			defer a.wg.Done()
			ev.refuse(ev.unreadable)
		}()
	case ev.req.CanOpenForms:
		go func() {
			defer a.wg.Done()
			ev.run()
		}()
	default:
		job := queued{
			base: base,
			run: func() {
				defer a.wg.Done()
				ev.run()
			},
			refuse: func(id string) {
				defer a.wg.Done()
				ev.refuse(id)
			},
		}
		if !a.enqueue(ev.req.UserID, job) {
			go job.refuse("rate_limited")
		}
	}
}

// translated is a.interaction for queueInteraction, which has begun the
// event. A panic in it (what discordgo decoded holding a nil the
// translation reads: an option sent as null did, before interaction
// answered it) is logged, and the event taken for none (nil): counted
// done, or stop would wait for it forever. It is not answered
// (nothing of it could be read), and holds nothing: interaction takes
// its rate-limit slot and starts its timer once the payload is read.
func (a *Adapter) translated(base context.Context, h Handler, ic *discordgo.InteractionCreate, ch *source) (ev *interactionEvent) {
	defer func() {
		if p := recover(); p != nil {
			a.logPanic("interaction translation", p)
			ev = nil
		}
	}()
	return a.interaction(base, h, ic, ch)
}

// langLookup bounds the look-up of a user's language for the adapter's
// own answers: Redis may be what is hanging.
const langLookup = time.Second

// languager is the engine's look-up of the language it speaks to a user
// (*commands.Mux has it); without it the client's language is used.
type languager interface {
	Language(ctx context.Context, platform, userID, client string) string
}

// language is the language to answer a user in, from the engine if it can
// tell in time, else from the client ("" is the default language). The
// engine's look-up panicking, the client's is used: the answer still
// goes, in a language the user reads.
func (a *Adapter) language(ctx context.Context, h Handler, userID, client string) (lang string) {
	if l, ok := h.(languager); ok {
		defer func() {
			if p := recover(); p != nil {
				a.logPanic("language look-up", p)
				lang = a.msg.Match(client)
			}
		}()
		ctx, cancel := context.WithTimeout(ctx, langLookup)
		defer cancel()
		return l.Language(ctx, Platform, userID, client)
	}
	return a.msg.Match(client)
}

// answerCtx is the context for an answer that must go out whatever became
// of the event's own context: a short one of its own.
func answerCtx(base context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(base), commands.ReplyGrace)
}

// refuseMessage answers a direct message that is not handled with the
// message id, in the user's language.
func (a *Adapter) refuseMessage(base context.Context, h Handler, m *discordgo.Message, id string) {
	defer a.recovered("answer to an event not handled")
	ctx, cancel := answerCtx(base)
	defer cancel()
	text := a.msg.Localize(a.language(ctx, h, m.Author.ID, m.Author.Locale), id, nil)
	w := &channelReplier{a: a, channelID: m.ChannelID}
	if err := w.Reply(ctx, commands.Reply{Text: text}); err != nil {
		a.log.Warn("discord could not answer an event it did not handle", "reason", id, "error", err.Error())
	}
}

// refuse answers an interaction that is not handled with the message id,
// in the user's language, as its response (its deferral timer still runs,
// should the language take long to learn).
func (ev *interactionEvent) refuse(id string) {
	defer ev.a.releaseSlot(ev.r.slot) // last: nothing is sent through it once finished
	defer ev.a.recovered("answer to an event not handled")
	if ev.timer != nil {
		defer ev.timer.Stop()
	}
	a := ev.a
	ctx, cancel := answerCtx(ev.base)
	defer cancel()
	text := a.msg.Localize(a.language(ctx, ev.h, ev.req.UserID, ev.req.Language), id, nil)
	if err := ev.r.Reply(ctx, commands.Reply{Text: text}); err != nil {
		a.log.Warn("discord could not answer an event it did not handle", "reason", id, "error", err.Error())
	}
	ev.r.finish(ctx) // if the answer failed after a deferral: no "thinking…" for 15 minutes
}

// stopCtx is the base context of the events: it carries Run's values but
// not its cancellation (an event is finished after Run's context ends), and
// ends, with context.DeadlineExceeded, when the shutdown deadline is over.
// A deadline, not a cancellation: the engine takes an event cut by it as
// one whose storage did not answer in time, so a tip's message is spooled
// and given its receipt, and the reporter is told.
type stopCtx struct {
	context.Context // Run's context without its cancellation
	done            chan struct{}
	once            sync.Once
}

func newStopCtx(parent context.Context) *stopCtx {
	return &stopCtx{Context: context.WithoutCancel(parent), done: make(chan struct{})}
}

func (c *stopCtx) Done() <-chan struct{} { return c.done }

func (c *stopCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// end ends the context (and every event context made from it).
func (c *stopCtx) end() { c.once.Do(func() { close(c.done) }) }
