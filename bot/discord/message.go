package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// onMessage handles a message now, without waiting for its author's
// earlier events (the gateway's go through queueMessage).
func (a *Adapter) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	if !fromPerson(mc) {
		return
	}
	h, base, ok := a.begin()
	if !ok {
		return
	}
	defer a.wg.Done()
	if mc.GuildID != "" {
		defer a.watchMessage(mc.Message)()
	}
	a.message(base, h, mc.Message)
}

// fromPerson reports whether a message is one a person wrote: not a
// bot's, nor a system message (a pin, a call, a member joining), which
// Discord attributes to whoever caused it, but which no one wrote to the
// bot and which must not be answered as a message it cannot keep.
func fromPerson(mc *discordgo.MessageCreate) bool {
	return mc.Message != nil && mc.Author != nil && !mc.Author.Bot &&
		(mc.Type == discordgo.MessageTypeDefault || mc.Type == discordgo.MessageTypeReply)
}

// message handles direct messages like Telegram private chats, and
// messages in a server that mention the bot (tips posted in public).
func (a *Adapter) message(base context.Context, h Handler, m *discordgo.Message) {
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("discord message panic", "panic", fmt.Sprintf("%T", p), "stack", commands.Stack(3))
		}
	}()
	if m.GuildID != "" {
		ctx, cancel := context.WithTimeout(base, a.o.HandlerTimeout)
		defer cancel()
		a.publicMessage(ctx, h, m)
		return
	}
	a.directMessage(base, h, m)
}

// directMessage hands a DM to the engine: one request, or one per file.
// Each file is downloaded under its own deadline, and the engine's
// deadline for a part starts after its download, so a slow download never
// uses up the time to keep the text or to answer the reporter.
func (a *Adapter) directMessage(base context.Context, h Handler, m *discordgo.Message) {
	text, files, forwarded := content(m)
	if forwarded {
		// The engine warns of an own name only in what the reporter
		// wrote: in a forward, "@name" would go into the tip unseen.
		text = ownMentionsAs(text, m.Author, forwardedSelf)
	} else {
		text = ownMentions(text, m.Author)
	}
	req := commands.Request{
		Platform: Platform, UserID: m.Author.ID, ChatID: m.ChannelID, ChatKind: commands.Private,
		EventID: snowflake(m.ID), Language: m.Author.Locale, Text: text,
		UserChat: userRoute(m.Author.ID), Name: discordName(m.Author),
	}
	if forwarded {
		// Discord names no public source for a forward, only a channel
		// id, and a person's or a private channel's name must not be
		// kept: the part is marked forwarded, its origin unnamed. Its
		// text is what someone else wrote: never a command.
		req.Forward = &tips.Forward{}
	} else {
		a.mu.Lock()
		botID := a.botID
		a.mu.Unlock()
		req.ReplyToBot = m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil && m.ReferencedMessage.Author.ID == botID
		if req.ReplyToBot {
			req.ReplyToID = m.ReferencedMessage.ID
		}
		if name, args, ok := a.commandIn(text); ok {
			req.Command, req.Args, req.CommandAtStart = name, args, true
		}
	}
	if text == "" && len(files) == 0 {
		req.Unsupported = true // a sticker, a poll: nothing Vigía keeps
	}
	w := &channelReplier{a: a, channelID: m.ChannelID}
	if len(files) == 0 {
		a.handle(base, h, req, w)
		return
	}
	// Each file is one part of the draft, the text goes with the first.
	// Discord's file links expire, so the file itself is kept (sealed).
	// Several files (Discord takes up to ten in one message) are answered
	// as a Telegram album is: the last answers for all of them, not one
	// "added" per file (inAlbum); one with something to warn of (lost,
	// not cleaned) is still told of at once.
	// A caption's "/word" is no command here: the engine keeps a file
	// whatever its caption says (the caption as its text), so a file
	// whose request names one is an item as any other.
	items := 0
	inAlbum := func(r *commands.Request, n int) {
		if len(files) < 2 {
			return
		}
		items++
		// Not "more to come" past the shutdown deadline: the next file
		// would be refused (below), and this one must say it was kept.
		r.AlbumItems, r.AlbumMore = items, n < len(files)-1 && base.Err() == nil
	}
	// rest hands the engine the files not passed on past the shutdown
	// deadline (see stopCtx) as one lost file, the last of the run: the
	// reporter is asked, once, to send them again, and told what the
	// files before them did (kept in silence while more were to come:
	// the deadline ended after). Under a short context of its own, as a
	// refusal's answer (answerCtx): the event's is over, and the engine
	// reads the draft to tell it. No text goes with it: nothing is kept.
	rest := func(r commands.Request) {
		r.Command, r.Args, r.CommandAtStart = "", "", false
		r.Attachment, r.FileData = nil, nil
		r.FileLost, r.FileTooLarge = true, false
		items++
		r.AlbumItems, r.AlbumMore = items, false
		ctx, cancel := answerCtx(base)
		defer cancel()
		h.Handle(ctx, r, w)
	}
	for n, att := range files {
		r := req
		if n > 0 {
			// Attachment ids are snowflakes too: unique, and later than the message.
			r.Text, r.EventID = "", snowflake(att.ID)
		}
		if n > 0 && base.Err() != nil {
			// The shutdown deadline is over: the files not yet passed on
			// are not fetched.
			rest(r)
			return
		}
		data, err := a.fetch(base, att)
		if n > 0 && err != nil && base.Err() != nil {
			rest(r) // cut by the deadline, as those after it
			return
		}
		if err != nil {
			// Unlike a Telegram file id, a Discord link expires: there is
			// nothing to keep instead. The text is kept, and the reporter
			// asked to send the file again.
			a.log.Warn("discord attachment not received", "error", a.redact(err))
			// A file's caption, even "/word …", is text (as the engine
			// takes it when the file is there); the engine keeps it and
			// asks, in the reporter's language, for the file again.
			r.Command, r.Args, r.CommandAtStart = "", "", false
			r.FileLost, r.FileTooLarge = true, errors.Is(err, errTooLarge)
			inAlbum(&r, n)
			a.handle(base, h, r, w)
			continue
		}
		r.Attachment, r.FileData = &tips.Attachment{Kind: kindOf(att.ContentType)}, data
		inAlbum(&r, n)
		a.handle(base, h, r, w)
	}
}

// content returns a message's text and files. A forwarded message has
// none of its own: they are in its snapshot of the original.
func content(m *discordgo.Message) (text string, files []*discordgo.MessageAttachment, forwarded bool) {
	ref := m.MessageReference
	if ref != nil && ref.Type == discordgo.MessageReferenceTypeForward && len(m.MessageSnapshots) > 0 && m.MessageSnapshots[0].Message != nil {
		snap := m.MessageSnapshots[0].Message
		return snap.Content, snap.Attachments, true
	}
	return m.Content, m.Attachments, false
}

// ownMentions writes a mention of u in text ("<@ID>", "<@!ID>"), and a
// link to u's profile (ownProfileLink), as the "@name" Discord's client
// shows for it. In a DM the one user a mention can name besides the bot
// is its author (typed with "@", or pasted with words that name them):
// sent as it comes, the tip would keep their account's id unseen, and
// the engine, reading no "@name", would not tell them their own name is
// in it. A mention of anyone else, or a link to their profile, is kept
// as sent.
func ownMentions(text string, u *discordgo.User) string {
	return ownMentionsAs(text, u, "@"+u.Username)
}

// forwardedSelf stands for the author's own mention or profile link in a
// message they forwarded: it names no one, and is no handle to count
// (tips.Extract reads "<@user>" as one).
const forwardedSelf = "<@…>"

// ownMentionsAs is ownMentions writing them as name.
func ownMentionsAs(text string, u *discordgo.User, name string) string {
	if u.ID == "" {
		return text
	}
	if strings.Contains(text, "<@") {
		text = strings.NewReplacer("<@"+u.ID+">", name, "<@!"+u.ID+">", name).Replace(text)
	}
	return ownProfileLinks(text, u.ID, name)
}

// profileLink matches a link to a Discord profile by id, case aside:
// "https://discord.com/users/ID", on discordapp.com, the ptb., canary. or
// www. hosts, or as the app opens it ("discord://-/users/ID",
// "discord:///users/ID"), with a path, query or fragment after the id,
// and inside "<…>" (Discord's form that shows no preview). Group 1 is the
// id.
var profileLink = regexp.MustCompile(`(?i)<?(?:(?:https?://)?(?:(?:www|ptb|canary)\.)?discord(?:app)?\.com/|discord:/*(?:-/+)?)users/(\d+)(?:[/?#][^\s()<>\[\]]*)?>?`)

// escapedLink matches a run of text that holds a percent escape, up to
// the next space or bracket, "<…>" around it included: a link whose
// letters or digits may be escaped ("discord.com/%75sers/ID").
var escapedLink = regexp.MustCompile(`<?[^\s()<>\[\]]*%[0-9a-fA-F]{2}[^\s()<>\[\]]*>?`)

// ownProfileLinks writes each link in text to the profile of user id
// (profileLink; the id with leading zeros too) as name. Behind words in a
// masked link ("[aquí](https://discord.com/users/ID)") the reporter does
// not see the id; written out they may not read it as theirs: either
// way investigators would. Written as the "@name" it opens, the engine
// tells the reporter their own name is in the tip. With no slash after
// "discord:" ("discord:users/ID"), and with letters or digits
// percent-escaped ("discord.com/%75sers/%35%30", as Discord's clients and
// browsers open it: tips.UnescapeUnreserved), it is the same link. Any
// other link, escaped or not, is kept as sent.
func ownProfileLinks(text, id, name string) string {
	if !strings.Contains(strings.ToLower(text), "users/") && !strings.Contains(text, "%") {
		return text
	}
	own := func(text string) string {
		return profileLink.ReplaceAllStringFunc(text, func(link string) string {
			m := profileLink.FindStringSubmatch(link)
			if strings.TrimLeft(m[1], "0") != strings.TrimLeft(id, "0") {
				return link
			}
			return name
		})
	}
	text = own(text)
	if !strings.Contains(text, "%") {
		return text
	}
	return escapedLink.ReplaceAllStringFunc(text, func(link string) string {
		plain := tips.UnescapeUnreserved(link)
		if named := own(plain); named != plain {
			return named
		}
		return link
	})
}

// handle runs the engine on one request under a deadline of its own.
func (a *Adapter) handle(base context.Context, h Handler, req commands.Request, w commands.Replier) {
	ctx, cancel := context.WithTimeout(base, a.o.HandlerTimeout)
	defer cancel()
	h.Handle(ctx, req, w)
}

// errTooLarge marks a file Discord says is over what Vigía keeps: it is
// not fetched at all (20 MB of someone's upload for nothing).
var errTooLarge = errors.New("attachment over the size limit")

// fetch downloads one attachment under its own deadline.
func (a *Adapter) fetch(base context.Context, att *discordgo.MessageAttachment) ([]byte, error) {
	if att.Size > storage.MaxFileSize {
		return nil, errTooLarge
	}
	ctx, cancel := context.WithTimeout(base, a.o.DownloadTimeout)
	defer cancel()
	return a.download(ctx, att.URL)
}

// commandIn reads a message's leading "/word" as a command only if the
// word names one of the engine's commands or aliases. Discord marks no
// command in a message's text (its own commands are interactions), and a
// tip may start with "/": "/calle 5 de mayo, hay halcones…" is tip text,
// not an unknown command. (Telegram decides by the bot_command entities its
// clients mark; the engine then calls an unknown one unknown.)
func (a *Adapter) commandIn(content string) (name, args string, ok bool) {
	word, found := strings.CutPrefix(content, "/")
	if !found {
		return "", "", false
	}
	if i := strings.IndexFunc(word, unicode.IsSpace); i >= 0 {
		word, args = word[:i], word[i:]
	}
	name = strings.ToLower(word)
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.names[name] {
		return "", "", false
	}
	return name, strings.TrimSpace(args), true
}

// publicMessage handles a message in a server channel. The bot reads only
// messages that mention it or reply to it; such a message may be a tip
// posted in public. It is never stored: the member is told privately (by
// DM) to use /report or a DM. The engine decides whether the message is
// deleted (not a reply to the bot's own message, such as a community
// answering a warning) and tells the member whether it was.
func (a *Adapter) publicMessage(ctx context.Context, h Handler, m *discordgo.Message) {
	a.mu.Lock()
	botID := a.botID
	a.mu.Unlock()
	replyToBot := m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil && m.ReferencedMessage.Author.ID == botID
	if !(a.mentionsBot(m) || replyToBot) || a.investigators(ctx, m.ChannelID) {
		return
	}
	req := commands.Request{
		Platform: Platform, UserID: m.Author.ID, ChatID: userRoute(m.Author.ID), ChatKind: commands.Group,
		EventID: snowflake(m.ID), Language: m.Author.Locale, Text: m.Content, Addressed: true,
		ReplyToBot: replyToBot, AnsweredAlone: true, // by DM
		// Its words name the bot (a reply's ping lists the bot in
		// Mentions, its words do not): written to the bot, even as a reply.
		NamedInText: botID != "" && (strings.Contains(m.Content, "<@"+botID+">") || strings.Contains(m.Content, "<@!"+botID+">")),
	}
	if replyToBot && !req.NamedInText && othersBotFirst(m, botID) {
		// A reply to one of the bot's messages that opens by mentioning
		// another bot ("@MEE6 rank" on a warning) is a command to that
		// bot: not answered, nor counted. (Not removed before either: a
		// reply that does not name this bot is left in place.)
		return
	}
	if replyToBot {
		req.ReplyToID = m.ReferencedMessage.ID
	}
	w := &publicReplier{channelReplier: channelReplier{a: a, channelID: userRoute(m.Author.ID)}, guildID: m.GuildID, channelID: m.ChannelID, messageID: m.ID}
	h.Handle(ctx, req, w)
}

// othersBotFirst reports whether m's words open with a mention of a bot
// other than this one (botID), which Discord lists in Mentions as a bot.
func othersBotFirst(m *discordgo.Message, botID string) bool {
	words := strings.TrimLeftFunc(m.Content, unicode.IsSpace)
	return slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool {
		return u != nil && u.Bot && u.ID != botID && (strings.HasPrefix(words, "<@"+u.ID+">") || strings.HasPrefix(words, "<@!"+u.ID+">"))
	})
}

// investigators reports whether a server channel is the investigators':
// one of InvestigatorChannels, or a thread of one (a thread, or a forum
// post, has its own channel id; its parent is the channel). Whether a
// channel is a thread is asked of Discord once; if Discord cannot tell,
// the channel is taken as public, where a tip is removed.
func (a *Adapter) investigators(ctx context.Context, channelID string) bool {
	if len(a.invChans) == 0 || a.invChans[channelID] {
		return len(a.invChans) > 0
	}
	a.mu.Lock()
	known, ok := a.threads[channelID]
	a.mu.Unlock()
	if ok {
		return known
	}
	ch, err := a.describe(ctx, channelID)
	if err != nil {
		a.log.Warn("discord could not tell a channel's parent; taken as public", "error", a.redact(err))
		return false
	}
	inv := ch.IsThread() && a.invChans[ch.ParentID]
	a.mu.Lock()
	if a.threads == nil || len(a.threads) >= 1000 {
		a.threads = map[string]bool{}
	}
	a.threads[channelID] = inv
	a.mu.Unlock()
	return inv
}

// mentionsBot reports whether m mentions the bot.
func (a *Adapter) mentionsBot(m *discordgo.Message) bool {
	a.mu.Lock()
	botID := a.botID
	a.mu.Unlock()
	return slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool { return u != nil && u.ID == botID })
}

// publicReplier answers a message posted in a server channel by DM, and
// can delete that message (commands.MessageDeleter).
type publicReplier struct {
	channelReplier
	guildID, channelID, messageID string
	told                          bool // the channel was told the member's DMs are closed
	notRemoved                    bool // the message could not be deleted (DeleteRequest failed)
}

// DeleteRequest deletes the public message, where the bot may (it needs
// Manage Messages): the engine tells the member whether it could.
//
// A message whose id is its channel's is the first message of a forum (or
// media) post: the post is a thread with the message's id, and its title,
// written by the member, may hold the tip's words. The title must go too
// (deletePostTitle), or the member is told the message could not be
// removed, so that they remove the post themselves.
func (w *publicReplier) DeleteRequest(ctx context.Context) error {
	var err error
	if w.channelID == w.messageID {
		err = w.deletePost(ctx)
	} else {
		err = w.deleteMessage(ctx)
	}
	w.notRemoved = err != nil
	return err
}

// deleteMessage deletes the public message; one gone already is not in
// view.
func (w *publicReplier) deleteMessage(ctx context.Context) error {
	err := w.a.retry(ctx, discordgo.EndpointChannelMessage(w.channelID, ""), func(opts ...discordgo.RequestOption) error {
		return w.a.deleteChannelMessage(w.channelID, w.messageID, opts...)
	})
	if gone(err, discordgo.ErrCodeUnknownMessage) {
		return nil // gone already (its author, a moderator, AutoMod): not in view
	}
	if err != nil {
		return fmt.Errorf("discord delete: %s", w.a.redact(err))
	}
	return nil
}

// deletePost removes a forum post's first message and its title. A post
// that holds nothing else is deleted whole (the thread, which takes the
// message with it): nothing of anyone else's is lost. A post others have
// answered keeps their messages: its first message is deleted and the
// post renamed to a neutral title, in the server's language (the
// member's own could point to them). Both need Manage Threads; without it
// the member is told the message could not be removed (an error), even
// if the message itself went: the title is still in view.
func (w *publicReplier) deletePost(ctx context.Context) error {
	a := w.a
	post, err := a.describe(ctx, w.channelID)
	if gone(err, discordgo.ErrCodeUnknownChannel) {
		return nil // the post is gone already, title and all
	}
	if err == nil && !post.IsThread() {
		return w.deleteMessage(ctx) // not a post after all
	}
	if err == nil && post.IsThread() && post.MessageCount == 0 {
		err = a.retry(ctx, discordgo.EndpointChannel(w.channelID), func(opts ...discordgo.RequestOption) error {
			return a.deleteChannel(w.channelID, opts...)
		})
		if err == nil || gone(err, discordgo.ErrCodeUnknownChannel) {
			return nil
		}
		a.log.Warn("discord could not delete a forum post; renaming it", "error", a.redact(err))
	}
	if err := w.deleteMessage(ctx); err != nil {
		return err
	}
	title := a.msg.Localize(a.serverLanguage(ctx, w.guildID), "removed_post_title", nil)
	err = a.retry(ctx, discordgo.EndpointChannel(w.channelID), func(opts ...discordgo.RequestOption) error {
		return a.editChannel(w.channelID, &discordgo.ChannelEdit{Name: title}, opts...)
	})
	if err != nil && !gone(err, discordgo.ErrCodeUnknownChannel) {
		return fmt.Errorf("discord rename post: %s", a.redact(err))
	}
	return nil
}

// gone reports whether err is Discord's answer that the thing is gone
// (the JSON error code).
func gone(err error, code int) bool {
	re := (*discordgo.RESTError)(nil)
	return errors.As(err, &re) && re.Message != nil && re.Message.Code == code
}

// serverLanguage is the language of a server's community (its preferred
// locale), or the default language if it cannot be told in time.
func (a *Adapter) serverLanguage(ctx context.Context, guildID string) string {
	ctx, cancel := context.WithTimeout(ctx, langLookup)
	defer cancel()
	var g *discordgo.Guild
	err := a.retry(ctx, discordgo.EndpointGuild(guildID), func(opts ...discordgo.RequestOption) error {
		var err error
		g, err = a.getGuild(guildID, opts...)
		return err
	})
	if err != nil || g == nil {
		return a.msg.Match("")
	}
	return a.msg.Match(g.PreferredLocale)
}

// download fetches a file from Discord's CDN, at most storage.MaxFileSize+1
// bytes (the engine refuses larger files with a clear answer).
func (a *Adapter) download(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, storage.MaxFileSize+1))
}

func kindOf(contentType string) tips.AttachmentKind {
	switch {
	case strings.HasPrefix(contentType, "image/"):
		return tips.Photo
	case strings.HasPrefix(contentType, "video/"):
		return tips.Video
	case strings.HasPrefix(contentType, "audio/"):
		return tips.Audio
	}
	return tips.Document
}

// channelReplier answers in a channel, or by DM for a "u<user id>" route.
type channelReplier struct {
	a         *Adapter
	channelID string
}

func (w *channelReplier) Reply(ctx context.Context, rep commands.Reply) error {
	ctx, cancel := commands.ReplyContext(ctx)
	defer cancel()
	_, err := w.a.Send(ctx, w.channelID, rep)
	return err
}

// Send delivers a reply outside an interaction (commands.Sender): to a
// channel, or to a member by DM when chatID is a "u<user id>" route. It
// returns the id of every message the text went out as, also those sent
// before an error.
func (a *Adapter) Send(ctx context.Context, chatID string, rep commands.Reply) ([]string, error) {
	return a.send(ctx, chatID, rep, true)
}

// SendNoWait is Send for the broadcaster (commands.NoWaitSender), whose
// context has no deadline: a 429 on the first message, or a bucket Discord
// reported exhausted before it, comes back at once as a
// *commands.RateLimitError with its wait, instead of holding up every
// other destination, on every platform, while it is waited out. Once part
// of the text went out the rest waits as usual: a text left half sent
// could not be sent again.
func (a *Adapter) SendNoWait(ctx context.Context, chatID string, rep commands.Reply) ([]string, error) {
	return a.send(ctx, chatID, rep, false)
}

// send is Send; without wait, as SendNoWait.
func (a *Adapter) send(ctx context.Context, chatID string, rep commands.Reply, wait bool) ([]string, error) {
	if rep.Form != nil {
		return nil, fmt.Errorf("discord: forms need an interaction")
	}
	channelID, err := a.channel(ctx, chatID)
	if err != nil {
		// No DM channel, no message: whatever Discord answered (a 5xx, a
		// timeout), nothing went out, which commands.ErrRefused says. (A
		// question so refused gives its place back among the reporter's
		// unanswered ones; untyped, it was taken as maybe delivered.)
		return nil, fmt.Errorf("%w: %w", commands.ErrRefused, err)
	}
	var msgs []*discordgo.MessageSend
	// In parts if it must, and always in the messages' text: an embed is
	// shown to no member who turned embeds and link previews off, and
	// Discord drops it, answering as if sent, where the bot may not embed
	// links (a community warning in one would read as its header alone).
	chunks := render(rep.Text)
	for n, chunk := range chunks {
		msg := &discordgo.MessageSend{Content: chunk, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds}
		if n == len(chunks)-1 {
			msg.Components = buttons(rep.Buttons)
		}
		if n == 0 && rep.ReplyTo != "" {
			// Sent all the same if that message is gone (deleted since).
			msg.Reference = &discordgo.MessageReference{MessageID: rep.ReplyTo, ChannelID: channelID, FailIfNotExists: new(bool)}
		}
		if chunk != "" || msg.Components != nil {
			msgs = append(msgs, msg)
		}
	}
	var files [][]commands.File
	for range msgs {
		files = append(files, nil)
	}
	// Each file goes alone: Discord caps a message's files in number and size.
	for _, f := range rep.Files {
		if f.Data != nil {
			msgs = append(msgs, &discordgo.MessageSend{AllowedMentions: noMentions()})
			files = append(files, []commands.File{f})
		}
	}
	var ids []string
	post := func(msg *discordgo.MessageSend, files []commands.File) (string, error) {
		var id string
		waits := maxRetries
		if !wait && len(ids) == 0 {
			waits = 0
		}
		endpoint := discordgo.EndpointChannelMessages(channelID)
		// An upload is encoded before its bucket is looked at (waitBucket),
		// not between that look and discordgo's: encoding one takes a
		// while, and a global limit set meanwhile (Discord's, or a
		// Cloudflare ban of a minute or more: plainRateLimit) would have
		// discordgo sleep the send to its end, deaf to ctx.
		// (Sent as discordgo's ChannelMessageSendComplex sends it, the
		// same URL, body and bucket, through lockedRequest.)
		p, err := encode(msg, uploads(files))
		if err != nil {
			return "", err
		}
		if files != nil && a.encoded != nil {
			a.encoded()
		}
		err = a.retryUpTo(ctx, endpoint, waits, func(opts ...discordgo.RequestOption) error {
			resp, err := a.lockedRequest(http.MethodPost, endpoint, p, endpoint, opts...)
			if err != nil {
				return err
			}
			var m discordgo.Message
			if err := json.Unmarshal(resp, &m); err != nil && files == nil {
				// As ChannelMessageSendComplex: a text's id is needed (a
				// broadcast copy is deleted by it).
				return fmt.Errorf("%w: %s", discordgo.ErrJSONUnmarshal, err)
			}
			id = m.ID
			return nil
		})
		return id, err
	}
	for n, msg := range msgs {
		id, err := post(msg, files[n])
		if err != nil && msg.Reference != nil && cannotReply(err) {
			// Discord lets a bot reply only where it may read the
			// channel's history: the message goes all the same, as a
			// plain one (a correction is not lost for want of a reply).
			msg.Reference = nil
			id, err = post(msg, files[n])
		}
		if err != nil && files[n] != nil && refused(err) {
			// Discord will not take this file (over its upload limit): the
			// reader is told, and the other files still go.
			a.log.Warn("discord refused a file; a notice replaces it", "kind", string(files[n][0].Kind), "error", a.redact(err))
			err = nil
			if rep.FileMissing != "" {
				_, err = post(&discordgo.MessageSend{Content: render(rep.FileMissing)[0], AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds}, nil)
			}
		}
		if err == nil && files[n] == nil {
			ids = append(ids, id)
		}
		if err != nil {
			return ids, a.sendErr(err)
		}
	}
	return ids, nil
}

// cannotReply reports whether err is Discord refusing a message as a reply
// for want of Read Message History in that channel (160002; 50013, the
// generic code, as the permission is checked with the others), where the
// same message would go as a plain one.
func cannotReply(err error) bool {
	return gone(err, discordgo.ErrCodeCannotReplyWithoutPermissionToReadMessageHistory) ||
		gone(err, discordgo.ErrCodeMissingPermissions)
}

// DeleteMessage deletes a message the bot sent (commands.MessageRemover).
func (a *Adapter) DeleteMessage(ctx context.Context, chatID, messageID string) error {
	return a.deleteMessage(ctx, chatID, messageID, maxRetries)
}

// DeleteMessageNoWait is DeleteMessage for the broadcaster
// (commands.NoWaitRemover): a 429, or a bucket Discord reported exhausted,
// comes back at once as a *commands.RateLimitError with its wait, and the
// copy is deleted in a later round, instead of every other destination
// waiting while up to three 429s are waited out.
func (a *Adapter) DeleteMessageNoWait(ctx context.Context, chatID, messageID string) error {
	return a.deleteMessage(ctx, chatID, messageID, 0)
}

// deleteMessage is DeleteMessage waiting out at most waits 429s.
func (a *Adapter) deleteMessage(ctx context.Context, chatID, messageID string, waits int) error {
	chatID, err := a.channel(ctx, chatID)
	if err != nil {
		return err
	}
	err = a.retryUpTo(ctx, discordgo.EndpointChannelMessage(chatID, ""), waits, func(opts ...discordgo.RequestOption) error {
		return a.deleteChannelMessage(chatID, messageID, opts...)
	})
	if gone(err, discordgo.ErrCodeUnknownMessage) {
		// 404 Unknown Message: deleted already (an earlier round, or the
		// channel's moderators).
		return fmt.Errorf("discord delete: %w", commands.ErrMessageGone)
	}
	if err != nil {
		// Typed as a send's error: a 429 holds the broadcaster back, a
		// refusal is not taken for an unknown outcome.
		return fmt.Errorf("discord delete: %w", a.sendErr(err))
	}
	return nil
}

// deleteChannelMessage is discordgo's ChannelMessageDelete (the same URL
// and bucket) sent through lockedRequest. Callers hold a.rl for reading
// (retryUpTo's call does).
func (a *Adapter) deleteChannelMessage(channelID, messageID string, opts ...discordgo.RequestOption) error {
	_, err := a.lockedRequest(http.MethodDelete, discordgo.EndpointChannelMessage(channelID, messageID), payload{}, discordgo.EndpointChannelMessage(channelID, ""), opts...)
	return err
}
