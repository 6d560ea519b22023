package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// onInteraction handles an interaction now, without waiting for its
// user's earlier events (the gateway's go through queueInteraction).
func (a *Adapter) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	h, base, ok := a.begin()
	if !ok {
		return
	}
	defer a.wg.Done()
	if ev := a.interaction(base, h, ic, nil); ev != nil {
		ev.run()
	}
}

// source is the channel an interaction came from, as its raw payload's
// "channel" (a partial channel, with its type and, for a thread, its
// parent) says: discordgo v0.29 does not decode it, and it is how a
// thread (or a forum post) is told from a channel without asking Discord,
// which the gateway's read loop must not wait for.
type source struct {
	Type     discordgo.ChannelType `json:"type"`
	ParentID string                `json:"parent_id"`
}

// thread reports whether the channel is a thread (a forum post is one).
func (s *source) thread() bool {
	return s != nil && (&discordgo.Channel{Type: s.Type}).IsThread()
}

// payloadChannel reads an interaction's channel from its raw payload; nil
// if the payload names none.
func payloadChannel(raw []byte) *source {
	var p struct {
		Channel *source `json:"channel"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return nil
	}
	return p.Channel
}

// interactionEvent is an interaction translated and waiting to run.
type interactionEvent struct {
	a     *Adapter
	h     Handler
	base  context.Context
	req   commands.Request
	r     *interactionReplier
	timer *time.Timer // defers the response if the engine has not answered in time
	// unreadable is the message id to answer with, not handled, when
	// nothing of the interaction can be read: discordgo could not decode
	// its data (a component type it does not know: unsupported_message),
	// or a command's option is null (command_unreadable). "" otherwise.
	unreadable string
}

// interaction translates a slash command, button press or form
// submission, and starts the clock for its deferral; nil if it is none of
// those or not from a person. ch is its channel as the payload says (nil
// if unknown: then it is taken for no thread).
func (a *Adapter) interaction(base context.Context, h Handler, ic *discordgo.InteractionCreate, ch *source) *interactionEvent {
	if ic.Interaction == nil {
		return nil
	}
	i := ic.Interaction
	user := i.User
	var roles []string
	if i.Member != nil {
		user, roles = i.Member.User, i.Member.Roles
	}
	if user == nil || user.Bot {
		return nil
	}
	// The member's locale, which Discord gives with an interaction and not
	// with a message: the engine keeps it for their DMs (KeepLanguage).
	req := commands.Request{
		Platform: Platform, UserID: user.ID, EventID: snowflake(i.ID),
		Language: string(i.Locale), KeepLanguage: true, PlatformRoles: roles, Addressed: true,
		UserChat: userRoute(user.ID), Name: discordName(user),
	}
	if i.Member != nil {
		// In a server the member may go by a nickname there: another name
		// their own words may give away. Handed on for the engine to
		// compare (Request.Nickname), never kept; a DM carries none.
		req.Nickname = i.Member.Nick
	}
	if i.GuildLocale != nil && *i.GuildLocale != discordgo.EnglishUS {
		// A server that is not a Community server cannot choose its
		// locale: Discord sends en-US for all of them. Only another one is
		// a choice; else the member's own language is used.
		req.ChatLanguage = string(*i.GuildLocale)
	}
	// In a server every answer is ephemeral: the conversation is between
	// the member and the bot alone, and later messages go by DM. Only an
	// investigator command in the investigators' channel answers the channel.
	ephemeral, deferAfter := i.GuildID != "", a.o.DeferAfter
	switch {
	case i.GuildID == "":
		req.ChatKind, req.ChatID = commands.Private, i.ChannelID // a DM
	case a.invChans[i.ChannelID]:
		req.ChatKind, req.ChatID = commands.Group, i.ChannelID
	case ch.thread() && a.invChans[ch.ParentID]:
		// A thread (or a forum post) of the investigators' channel is
		// theirs, as the channel is: the engine knows the channel, and what
		// is subscribed there is the thread.
		req.ChatKind, req.ChatID, req.ChannelID = commands.Group, ch.ParentID, i.ChannelID
	default:
		req.ChatKind, req.ChatID, req.ChannelID = commands.Private, userRoute(user.ID), i.ChannelID
	}
	unreadable := ""
	cannotRead := func(ok bool) {
		if !ok {
			unreadable = "unsupported_message"
		}
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		// (discordgo leaves Data nil when it cannot decode it: its
		// accessors would panic.)
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		cannotRead(ok)
		req.Command, req.CommandAtStart = data.Name, true
		if cmd := a.command(data.Name); cmd != nil {
			req.CanOpenForms = cmd.OpensForm
			if cmd.OpensForm {
				deferAfter = 0 // a form must be the first answer: never defer it
			}
			if cmd.Role >= commands.Investigator && req.ChatKind == commands.Group {
				ephemeral = false
			}
		}
		var args []string
		for _, o := range data.Options {
			if o == nil || o.Value == nil {
				// An option Discord sent as null (discordgo decodes it as
				// a nil option), or one whose value is null (or absent:
				// discordgo cannot tell them apart; every option the bot
				// registers is a string or an integer, none a
				// subcommand): the command cannot be run as sent, and
				// fmt.Sprint would hand the engine "<nil>".
				unreadable, args = "command_unreadable", nil
				break
			}
			if f, ok := o.Value.(float64); ok && o.Type == discordgo.ApplicationCommandOptionInteger {
				// (IntValue panics on a value of another type.)
				args = append(args, strconv.FormatInt(int64(f), 10))
			} else {
				// A text option holds a mention as a message does: the
				// member's own is the "@name" shown (ownMentions).
				args = append(args, ownMentions(fmt.Sprint(o.Value), user))
			}
		}
		req.Args = strings.Join(args, " ")
	case discordgo.InteractionMessageComponent:
		data, ok := i.Data.(discordgo.MessageComponentInteractionData)
		cannotRead(ok)
		req.Callback = data.CustomID
	case discordgo.InteractionModalSubmit:
		data, ok := i.Data.(discordgo.ModalSubmitInteractionData)
		cannotRead(ok)
		req.FormID, req.Form = data.CustomID, formValues(data.Components, user)
	default:
		return nil
	}
	ev := &interactionEvent{a: a, h: h, base: base, req: req, r: &interactionReplier{a: a, i: i, userID: user.ID, ephemeral: ephemeral, thread: ch.thread(), slot: a.takeSlot()}, unreadable: unreadable}
	if ephemeral {
		a.holdToken(i, user.ID) // to edit its answers if a later interaction is dropped (editInstead)
	}
	if unreadable != "" {
		return ev // answered at once (queueInteraction)
	}
	if deferAfter > 0 {
		// From the interaction's arrival: Discord's 3 s do not wait for
		// the user's earlier events to be handled.
		ev.timer = time.AfterFunc(deferAfter, func() {
			defer a.recovered("interaction deferral")
			// Not cut by the shutdown deadline: the interaction must be
			// acknowledged whatever becomes of its handling.
			ctx, cancel := answerCtx(base)
			defer cancel()
			ev.r.deferResponse(ctx)
		})
	}
	return ev
}

// run hands the interaction to the engine and closes it.
func (ev *interactionEvent) run() {
	defer ev.a.releaseSlot(ev.r.slot) // last: nothing is sent through it once finished
	defer func() {
		if p := recover(); p != nil {
			ev.a.log.Error("discord interaction panic", "panic", fmt.Sprintf("%T", p), "stack", commands.Stack(3))
		}
	}()
	if ev.timer != nil {
		defer ev.timer.Stop()
	}
	ctx, cancel := context.WithTimeout(ev.base, ev.a.o.HandlerTimeout)
	defer cancel()
	ev.h.Handle(ctx, ev.req, ev.r)
	ev.r.finish(ctx)
}

func userRoute(userID string) string { return "u" + userID }

// formValues collects a modal's text inputs by custom id. A value holds
// a mention or a profile link as a message does: the member's own is the
// "@name" shown (ownMentions), so a tip pasted into the report form does
// not reach investigators with the reporter's account id.
func formValues(rows []discordgo.MessageComponent, u *discordgo.User) map[string]string {
	out := map[string]string{}
	for _, row := range rows {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			if ti, ok := c.(*discordgo.TextInput); ok {
				out[ti.CustomID] = ownMentions(ti.Value, u)
			}
		}
	}
	return out
}

// interactionReplier answers one interaction: the first reply is the
// interaction's response (or the form), later ones are follow-ups. If the
// engine is slow, the response is deferred before Discord's 3 s run out.
type interactionReplier struct {
	a         *Adapter
	i         *discordgo.Interaction
	userID    string // the member who interacted
	ephemeral bool
	thread    bool   // the interaction came from a thread (or a forum post)
	slot      string // names its rate-limit buckets (takeSlot); released when run or refused

	mu        sync.Mutex
	responded bool // an initial response (message, form or deferral) went out
	deferred  bool
	sent      bool   // a visible message went out
	gone      bool   // Discord takes no more answers through the interaction (instead)
	edited    string // the answers put in the member's ephemeral message (insteadEdited)
}

func (r *interactionReplier) flags() discordgo.MessageFlags {
	f := discordgo.MessageFlagsSuppressEmbeds
	if r.ephemeral {
		f |= discordgo.MessageFlagsEphemeral
	}
	return f
}

// deferResponse is the deferral timer's: it may get r.mu only once the
// interaction is finished (the timer fired while an answer was going), so
// nothing goes out for an interaction answered, or gone (its answers sent
// by DM: a deferral would be refused, and go through a slot handed on).
func (r *interactionReplier) deferResponse(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.responded || r.gone {
		return
	}
	r.responded, r.deferred = true, true
	err := r.a.retry(ctx, r.responseBucket(), func(opts ...discordgo.RequestOption) error {
		return r.respond(&discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: r.flags()},
		}, opts...)
	})
	if err != nil {
		r.a.log.Warn("discord defer failed", "error", r.a.redact(err))
	}
}

// Reply sends one reply of the engine.
func (r *interactionReplier) Reply(ctx context.Context, rep commands.Reply) error {
	ctx, cancel := commands.ReplyContext(ctx)
	defer cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	if rep.Form != nil {
		if r.responded {
			return fmt.Errorf("discord: a form can only be the first answer")
		}
		r.responded = true
		err := r.a.retry(ctx, r.responseBucket(), func(opts ...discordgo.RequestOption) error {
			return r.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: modal(rep.Form)}, opts...)
		})
		if err != nil {
			// discordgo's errors quote the URL, and with it the
			// interaction's token: the engine logs what it gets.
			return fmt.Errorf("discord form: %s", r.a.redact(err))
		}
		return nil
	}
	if r.gone {
		return r.instead(ctx, rep)
	}
	chunks := render(rep.Text)
	for n, chunk := range chunks {
		var components []discordgo.MessageComponent
		if n == len(chunks)-1 {
			components = buttons(rep.Buttons)
		}
		if chunk == "" && components == nil {
			continue
		}
		err := r.message(ctx, chunk, components, nil)
		if n == 0 && errors.Is(err, errInteractionGone) {
			return r.instead(ctx, rep) // nothing of rep went out
		}
		if err != nil {
			return err
		}
	}
	// Each file goes alone: Discord caps a message's files in number and size.
	for _, f := range rep.Files {
		if f.Data == nil {
			continue
		}
		err := r.message(ctx, "", nil, []commands.File{f})
		if errors.Is(err, errFileRefused) {
			// Discord will not take this file (over its upload limit): the
			// investigator is told, and the other files still go.
			r.a.log.Warn("discord refused a file; a notice replaces it", "kind", string(f.Kind), "error", err.Error())
			err = nil
			if rep.FileMissing != "" {
				err = r.message(ctx, render(rep.FileMissing)[0], nil, nil)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// message sends one message: the interaction's response if none went out
// yet, a follow-up otherwise. Callers hold r.mu.
//
// Its upload is encoded before its bucket is looked at (waitBucket), not
// between that look and discordgo's: encoding one takes a while, and a
// global limit set meanwhile (Discord's, or a Cloudflare ban of a minute
// or more: plainRateLimit) would have discordgo sleep the answer to its
// end, deaf to ctx (as send does for a channel's uploads).
func (r *interactionReplier) message(ctx context.Context, chunk string, components []discordgo.MessageComponent, files []commands.File) error {
	initial := !r.responded
	var p payload
	var err error
	if initial {
		p, err = responsePayload(&discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: chunk, Components: components, Flags: r.flags(), Files: uploads(files),
				AllowedMentions: noMentions(),
			},
		})
	} else {
		data := &discordgo.WebhookParams{
			Content: chunk, Components: components, Flags: r.flags(), Files: uploads(files),
			AllowedMentions: noMentions(),
		}
		p, err = encode(data, data.Files)
	}
	if err != nil {
		return fmt.Errorf("discord reply: %w", err) // nothing went out
	}
	if files != nil && r.a.encoded != nil {
		r.a.encoded()
	}
	if initial {
		r.responded = true
		err = r.a.retry(ctx, r.responseBucket(), func(opts ...discordgo.RequestOption) error {
			return r.respondWith(p, opts...)
		})
	} else {
		err = r.a.retry(ctx, r.followupBucket(), func(opts ...discordgo.RequestOption) error {
			return r.followupWith(p, opts...)
		})
	}
	if err != nil && files != nil && refused(err) {
		if initial {
			r.responded = false // nothing went out: a first answer is still to be given
		}
		return fmt.Errorf("discord reply: %s: %w", r.a.redact(err), errFileRefused)
	}
	if err != nil {
		err = r.a.replyErr(err)
		if initial && errors.Is(err, commands.ErrRefused) {
			// Refused (a 429, an interaction gone): nothing went out, and
			// a follow-up to no response would be refused too.
			r.responded = false
		}
		return err
	}
	r.sent = true
	return nil
}

// instead sends rep where its reader still gets it once Discord takes no
// more answers through the interaction (errInteractionGone): an answer
// only the member was to see by DM, as the engine's later messages go; an
// answer to the channel (the investigators') to the channel. Not lost,
// then: a reporter's receipt reaches them even when Discord dropped the
// interaction (or they hear nothing, their DMs closed, and the error says
// so), unless the interaction was a button on an ephemeral message: the
// answer is then put in that message (insteadEdited). Callers hold r.mu.
func (r *interactionReplier) instead(ctx context.Context, rep commands.Reply) error {
	if !r.gone {
		r.gone = true
		r.a.log.Warn("discord interaction gone; its answers go by direct message or to its channel", "ephemeral", r.ephemeral)
	}
	to, dm := r.i.ChannelID, rep
	if r.ephemeral {
		to = userRoute(r.userID)
		if rep.Instead != "" {
			dm.Text = rep.Instead // what was to be seen in the server alone stays out of the DM
		}
	}
	_, err := r.a.Send(ctx, to, dm)
	if err != nil && r.ephemeral && errors.Is(err, errDMsClosed) && r.insteadEdited(ctx, rep) {
		err = nil // in the message they pressed a button on, which only they see
	}
	if err != nil {
		return err
	}
	r.sent = true
	return nil
}

// finish closes an interaction the engine answered with nothing (a stale
// button, a failed send after a deferral), so the member's client neither
// shows a failure nor "thinking…" for 15 minutes.
func (r *interactionReplier) finish(ctx context.Context) {
	ctx, cancel := commands.ReplyContext(ctx)
	defer cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent {
		return
	}
	var err error
	switch {
	case !r.responded && r.i.Type == discordgo.InteractionMessageComponent:
		r.responded = true
		err = r.a.retry(ctx, r.responseBucket(), func(opts ...discordgo.RequestOption) error {
			return r.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}, opts...)
		})
	case !r.responded:
		r.responded, r.deferred = true, true
		err = r.a.retry(ctx, r.responseBucket(), func(opts ...discordgo.RequestOption) error {
			return r.respond(&discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Flags: r.flags()},
			}, opts...)
		})
		fallthrough
	case r.deferred:
		if err == nil {
			err = r.a.retry(ctx, r.followupBucket(), r.deleteResponse)
		}
	}
	if err != nil {
		r.a.log.Warn("discord acknowledge failed", "error", r.a.redact(err))
	}
}

func modal(f *commands.Form) *discordgo.InteractionResponseData {
	var rows []discordgo.MessageComponent
	for _, fld := range f.Fields {
		style := discordgo.TextInputShort
		if fld.Long {
			style = discordgo.TextInputParagraph
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: fld.ID, Label: clip(fld.Label, 45), Placeholder: clip(fld.Placeholder, 100), Style: style, Required: fld.Required, MaxLength: fld.MaxLength},
		}})
	}
	return &discordgo.InteractionResponseData{CustomID: f.ID, Title: clip(f.Title, 45), Components: rows}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// discordName is how a team member appears in /team and the audit log.
func discordName(u *discordgo.User) string {
	if u.GlobalName != "" && u.GlobalName != u.Username {
		return u.GlobalName + " @" + u.Username
	}
	return "@" + u.Username
}

// IsChatAdmin reports whether the member may manage this channel (Discord
// says so in the interaction: Manage Channels).
func (r *interactionReplier) IsChatAdmin(context.Context) (bool, error) {
	return r.i.Member != nil && r.i.Member.Permissions&discordgo.PermissionManageChannels != 0, nil
}

// CanPost reports whether the bot may post in this channel (Discord says
// so in the interaction: the bot's View Channel and Send Messages there;
// in a thread or a forum post, Send Messages in Threads, which is what
// Discord checks there, Send Messages being the parent channel's).
func (r *interactionReplier) CanPost(context.Context) (bool, error) {
	post := int64(discordgo.PermissionViewChannel | discordgo.PermissionSendMessages)
	if r.thread {
		post = discordgo.PermissionViewChannel | discordgo.PermissionSendMessagesInThreads
	}
	return r.i.AppPermissions&post == post, nil
}
