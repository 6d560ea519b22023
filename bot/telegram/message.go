package telegram

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// request translates a message into a Request. It returns false for
// messages that are not from a person (channel posts, service messages).
func (a *Adapter) request(updateID int64, m *models.Message) (commands.Request, bool) {
	if m.From == nil || m.From.IsBot || m.IsAutomaticForward || serviceMessage(m) {
		// (An automatic forward is a channel's post Telegram copies into
		// its discussion group, from no member: "send your tips to
		// @VigiaBot" must not be removed from there as a member's tip.)
		return commands.Request{}, false
	}
	req := commands.Request{
		Platform:  Platform,
		UserID:    strconv.FormatInt(m.From.ID, 10),
		ChatID:    strconv.FormatInt(m.Chat.ID, 10),
		ChatKind:  chatKind(m.Chat),
		EventID:   updateID,
		MessageID: strconv.Itoa(m.ID),
		Language:  m.From.LanguageCode,
		UserChat:  strconv.FormatInt(m.From.ID, 10), // a private chat's id is the user's
		Name:      displayName(m.From),
	}
	text, entities := a.readText(&req, m)

	switch {
	case len(m.Photo) > 0:
		largest := m.Photo[len(m.Photo)-1]
		req.Attachment = &tips.Attachment{Platform: Platform, Kind: tips.Photo, FileRef: largest.FileID}
	case m.Document != nil:
		// The file name is not kept: names like "IMG_carlos_casa.jpg"
		// identify. (A file kept as Telegram's reference, not downloaded,
		// keeps it on Telegram's side: the reporter is told so with the
		// "not cleaned" note.)
		req.Attachment = &tips.Attachment{Platform: Platform, Kind: tips.Document, FileRef: m.Document.FileID}
	case m.Video != nil:
		req.Attachment = &tips.Attachment{Platform: Platform, Kind: tips.Video, FileRef: m.Video.FileID}
	case m.Audio != nil:
		req.Attachment = &tips.Attachment{Platform: Platform, Kind: tips.Audio, FileRef: m.Audio.FileID}
	case m.Voice != nil:
		req.Attachment = &tips.Attachment{Platform: Platform, Kind: tips.Voice, FileRef: m.Voice.FileID}
	case m.Location != nil:
		req.Location = &tips.Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	case m.Venue != nil:
		req.Location = &tips.Location{Lat: m.Venue.Location.Latitude, Lon: m.Venue.Location.Longitude}
	case text == "":
		// Stickers, polls, contacts (a phone number!), video notes, games:
		// nothing Vigía keeps.
		req.Unsupported = true
	}

	if o := m.ForwardOrigin; o != nil {
		switch o.Type {
		case models.MessageOriginTypeChannel:
			// Whether the channel is the reporter's own is not known
			// here: its username is never one of theirs (users and
			// chats share one namespace of usernames), its title is
			// any words, and the post's signature (dropped) says who
			// posted, not whose the channel is. Only the personal
			// channel on their profile (getChat's personal_chat, one
			// more call per forward) would say so: not asked.
			req.Forward = publicOrigin(o.MessageOriginChannel.Chat, o.MessageOriginChannel.MessageID)
			req.ForwardedFromPerson = req.Forward == nil
		case models.MessageOriginTypeChat:
			// A group posting as itself; the admin's signature is a person
			// and is dropped.
			req.Forward = publicOrigin(o.MessageOriginChat.SenderChat, 0)
			req.ForwardedFromPerson = req.Forward == nil
		default:
			// Forwarded from a person: who they are is not kept. From the
			// sender themselves (a tip drafted in their Saved Messages, or
			// sent to a group before, forwarded here): their own words,
			// which may sign with their name as any they write, and are
			// checked for it as those are (ownForward). Still never a
			// command (readText).
			req.ForwardedFromPerson = !ownForward(m)
		}
	}
	// In a forward or beside a quote from elsewhere the engine does not
	// tell the reporter their own name is in the tip (it is not what they
	// wrote), so there a link to their own account names no one.
	named := (m.ForwardOrigin == nil || ownForward(m)) && !(m.ExternalReply != nil && m.Quote != nil)
	// Links hidden behind words ("click here") are kept with the text, so
	// investigators see where they pointed; the engine does not count them
	// against the reporter's limit on one message. One to the sender's own
	// account is not (ownAccount), nor to their username (ownUsername).
	req.HiddenLinks = hiddenLinks(text, entities, m.From, named, req.ChatKind == commands.Private)
	if req.ChatKind == commands.Private {
		withElsewhere(&req, m)
	}
	// Written out, a link to the sender's own account is theirs too
	// (ownLinks). Rewritten last: every entity's offset has been read.
	req.Text = ownLinks(req.Text, m.From, named)
	req.Args = ownLinks(req.Args, m.From, named)
	req.TextBefore = ownLinks(req.TextBefore, m.From, named)
	req.Quote = ownLinks(req.Quote, m.From, named)
	return req, true
}

// ownForward reports whether m forwards a message its sender wrote
// themselves: an origin of type "user" that is the sender's own account.
// A hidden user's name alone ("sender_user_name") tells no one apart: a
// threat from another "Juan" must stay someone else's words.
func ownForward(m *models.Message) bool {
	o := m.ForwardOrigin
	return o != nil && m.From != nil && o.Type == models.MessageOriginTypeUser && o.MessageOriginUser != nil &&
		o.MessageOriginUser.SenderUser.ID == m.From.ID
}

// shownAsOwnForward reports whether m forwards a hidden user's words
// under the sender's own name ("Forwarded from Rosa Gómez", sent by Rosa
// Gómez): what Telegram shows of a sender forwarding their own message
// while their privacy hides their account from forwards, as a reporter's
// may. The group reads the words as the sender's, so in a group they are
// treated as such (left in view, a tip naming the bot would show who sent
// it), though the name alone cannot tell them from another "Rosa Gómez"'s
// (ownForward does not read it).
func shownAsOwnForward(m *models.Message) bool {
	o := m.ForwardOrigin
	if o == nil || m.From == nil || o.Type != models.MessageOriginTypeHiddenUser || o.MessageOriginHiddenUser == nil {
		return false
	}
	name := strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
	return name != "" && strings.TrimSpace(o.MessageOriginHiddenUser.SenderUserName) == name
}

// serviceMessage reports whether m is a service message Telegram posts
// for something done in the chat: a message pinned (a reporter pinning
// their receipt), an auto-delete timer or a wallpaper set, a topic
// created, a live location's proximity alert. Telegram sends it from the
// user who did it, yet no one wrote it to the bot: it is not answered as
// a message the bot cannot keep (as Discord's system messages are not,
// see discord's fromPerson).
func serviceMessage(m *models.Message) bool {
	return m.PinnedMessage != nil || m.MessageAutoDeleteTimerChanged != nil || m.ChatBackgroundSet != nil ||
		m.WriteAccessAllowed != nil || m.ConnectedWebsite != "" || m.ProximityAlertTriggered != nil ||
		m.UsersShared != nil || m.ChatShared != nil || m.Gift != nil || m.UniqueGift != nil ||
		m.ForumTopicCreated != nil || m.ForumTopicEdited != nil || m.ForumTopicClosed != nil || m.ForumTopicReopened != nil
}

// withElsewhere adds to a private message what it carries from elsewhere
// that would otherwise be dropped without a word: the words it quotes of
// a message in another chat ("reply in another chat": a threat, say) are
// its Quote, and go before its text, as a quote, unless it is a command
// (whose words the engine reads: "/report <words>" puts them first);
// media the bot cannot take (paid media, the file of that other message)
// make the reporter told a file was not received (to forward it
// instead). Only the words: who wrote them, and where (the other
// message's origin and chat), are not kept.
func withElsewhere(req *commands.Request, m *models.Message) {
	if m.ExternalReply != nil && m.Quote != nil && strings.TrimSpace(m.Quote.Text) != "" {
		req.Quote = strings.TrimSpace(m.Quote.Text)
		if req.Command == "" {
			req.Text = commands.WithQuote(req.Quote, req.Text)
			req.Unsupported = false
		}
	}
	r := m.ExternalReply
	fromThere := r != nil && (len(r.Photo) > 0 || r.Document != nil || r.Video != nil ||
		r.Audio != nil || r.Voice != nil || r.Animation != nil || r.VideoNote != nil || r.PaidMedia != nil)
	if m.PaidMedia != nil || fromThere {
		req.FileLost = true
	}
	// Replied to with no words quoted: the Bot API gives no text of that
	// message (ExternalReplyInfo holds its origin, chat and media, not its
	// words), so none is kept; the reporter is told, unless its file is
	// (FileLost says to forward it).
	req.QuoteLost = r != nil && req.Quote == "" && !fromThere
}

// messageText is m's text and its entities, or its caption's.
func messageText(m *models.Message) (string, []models.MessageEntity) {
	if m.Text == "" {
		return m.Caption, m.CaptionEntities
	}
	return m.Text, m.Entities
}

// readText fills in req what m says and to whom: its text (or caption),
// the command it opens with, whether it replies to the bot and, in a
// group, whether it is for the bot. It returns the text and its entities.
func (a *Adapter) readText(req *commands.Request, m *models.Message) (string, []models.MessageEntity) {
	text, entities := messageText(m)
	req.Text = a.bare(utf16.Encode([]rune(text)), entities, 0)
	othersAtStart := false
	if m.ForwardOrigin == nil {
		// Forwarded text keeps its bot_command entities: evidence that
		// begins "/cancel …" is what someone else wrote, not an order to
		// drop the draft (as on Discord, a forward is never a command).
		othersAtStart = a.parseCommand(req, text, entities)
	}
	if m.Chat.Type == models.ChatTypeChannel {
		// A channel's own post: for the bot by its command alone (an
		// announcement naming @VigiaBot is the channel's, not a tip).
		return text, entities
	}
	if othersAtStart && !a.mentioned(text, entities) {
		// A group message that opens with another bot's command is that
		// bot's, whole: not ours because it replies to one of our
		// messages ("/pin@OtherBot loud" on a warning). Neither answered
		// nor counted; a code it puts in view is still removed, as any
		// message's in the group. One that names us after the command
		// ("/start@OtherBot el Chapo cobra piso @VigiaBot", or
		// "… /report@VigiaBot") is ours, as any message naming us: a tip
		// in view, removed and answered so (source protection comes
		// before another bot's command).
		return text, entities
	}
	req.ReplyToBot = m.ReplyToMessage != nil && m.ReplyToMessage.From != nil && m.ReplyToMessage.From.ID == a.id
	if req.ReplyToBot {
		req.ReplyToID = strconv.Itoa(m.ReplyToMessage.ID)
	}
	if req.ChatKind == commands.Group && (m.ForwardOrigin == nil || ownForward(m) || shownAsOwnForward(m)) {
		// A forward's words are its author's, shared as they stand (a
		// neighbour's "denuncien con /report@VigiaBot", a channel's
		// "escriban a @VigiaBot"): they write to us no more than they
		// command us. Removed with "tips go in private", the forward
		// would point at its sender as an informant. One the sender
		// forwards from themselves is their own words (ownForward), and
		// so is one the group sees as such (shownAsOwnForward).
		req.NamedInText = req.NamedInText || a.mentioned(text, entities)
	}
	if req.ChatKind == commands.Group {
		req.NamesBot = req.NamesBot || req.NamedInText || req.ReplyToBot
		req.Addressed = req.Addressed || req.NamesBot
	}
	return text, entities
}

// migration reads the service message Telegram posts when a group is
// upgraded to a supergroup, which gives it a new chat id: in the old group
// it carries migrate_to_chat_id, in the new supergroup
// migrate_from_chat_id. It returns the old id and the new one.
func migration(m *models.Message) (from, to int64, ok bool) {
	switch {
	case m == nil:
	case m.MigrateToChatID != 0:
		return m.Chat.ID, m.MigrateToChatID, true
	case m.MigrateFromChatID != 0:
		return m.MigrateFromChatID, m.Chat.ID, true
	}
	return 0, 0, false
}

// chatMoved has the engine follow a group to its new chat id, so its
// subscription keeps receiving warnings: sends to the old id fail from now
// on. Both service messages tell it (the move is idempotent). Neither id
// is logged.
func (a *Adapter) chatMoved(ctx context.Context, h Handler, from, to int64) {
	mv, ok := h.(commands.ChatMover)
	if !ok {
		return
	}
	if err := mv.ChatMoved(ctx, Platform, strconv.FormatInt(from, 10), strconv.FormatInt(to, 10)); err != nil {
		a.log.Warn("telegram group upgraded to a supergroup: its subscription was not moved", "error", a.redact(err))
	}
}

// publicOrigin keeps where a forwarded post came from only if that channel
// or group is public (it has a username). The title of a private group says
// who is in it, and so who could have forwarded from it.
// It returns nil for a private origin; the caller marks it as not named.
func publicOrigin(c models.Chat, postID int) *tips.Forward {
	if c.Username == "" {
		return nil
	}
	return &tips.Forward{Title: c.Title, Username: c.Username, PostID: postID}
}

// hiddenLinks returns the URLs of text_link entities that the text does
// not show, each once, but for one to the account of sender (nil for
// none: ownAccount), and with one to sender's username (ownUsername) as
// their "@username" where named, else as "tg://user". The reporter does
// not see a hidden link's address: as "@username" the engine tells them
// their own name is in the tip (own_name_in_text), as it does of a
// link to their id written out (ownLinks); in a forward or beside a
// quote it does not, and the link names no one. A link to anyone else's
// username is evidence, kept.
//
// A text_mention (a mention of an account that has no username, picked
// by its name, which the text shows) is such a link to that account:
// Telegram hands it on with the account, not as a "tg://user?id=ID"
// text_link. The name alone tells investigators no account (any number
// of them go by "Juan"), so it is kept as "tg://user?id=ID", as that
// link would be; one to the sender's own account is not (ownAccount).
// It is kept only where mentions is true: a private chat, whose words
// reach investigators alone (a tip, an answer). In a group (a /warn,
// published to the communities once approved) the member named may be
// the one who told the group ("thanks to [Ana]"): their account would
// travel with the warning where the poster showed only a name.
func hiddenLinks(text string, entities []models.MessageEntity, sender *models.User, named, mentions bool) []string {
	var out []string
	for _, e := range entities {
		link := e.URL
		switch {
		case e.Type == models.MessageEntityTypeTextMention && mentions && e.User != nil && e.User.ID > 0:
			link = "tg://user?id=" + strconv.FormatInt(e.User.ID, 10)
		case e.Type != models.MessageEntityTypeTextLink || e.URL == "":
			continue
		}
		if strings.Contains(text, link) {
			continue
		}
		if sender != nil && ownAccount(link, sender.ID) {
			continue
		}
		if ownUsername(link, sender) {
			link = "tg://user"
			if named {
				link = "@" + sender.Username
			}
		}
		if !slices.Contains(out, link) {
			out = append(out, link)
		}
	}
	return out
}

// ownAccount reports whether link opens the Telegram account of user id
// ("tg://user?id=ID", a mention by id, or "tg://openmessage?user_id=ID"),
// case aside. Behind words, such a link to the reporter's own account is
// unseen by them (pasted with a mention of them, or a slip) and would
// tell investigators who reported: it is not kept. One to another account
// (the extortionist's) is evidence. The link is read as Telegram's
// clients read it, not as net/url does: pairs parted by ";" as well as
// "&" (url.ParseQuery drops a pair with ";"), the id with leading zeros
// ("id=0005550001") or characters after it ("id=5550001x"), any number
// of slashes after "tg:" ("tg:/user", "tg:user").
func ownAccount(link string, id int64) bool {
	if id <= 0 {
		return false
	}
	var key string
	host, pairs, _ := tgPairs(link)
	switch host {
	case "user":
		key = "id"
	case "openmessage":
		key = "user_id"
	default:
		return false
	}
	for _, p := range pairs {
		v := p[1]
		if end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' }); end >= 0 {
			v = v[:end] // "5550001x": its id to anyone reading it
		}
		if n, err := strconv.ParseInt(v, 10, 64); p[0] == key && err == nil && n == id {
			return true
		}
	}
	return false
}

// tgPairs reads a "tg:" link as Telegram's clients do, case aside: its
// host after any number of slashes ("tg:/user", "tg:user"), letters
// escaped in it read as letters ("tg://us%65r", tips.UnescapeUnreserved),
// and its query's pairs parted by "&" or ";", each unescaped and its
// value trimmed. False for a link that is no "tg:" link.
func tgPairs(link string) (host string, pairs [][2]string, ok bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(tips.UnescapeUnreserved(strings.TrimSpace(link))), "tg:")
	if !ok {
		return "", nil, false
	}
	host, query, _ := strings.Cut(strings.TrimLeft(rest, "/"), "?")
	query, _, _ = strings.Cut(query, "#")
	for _, pair := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		pairs = append(pairs, [2]string{k, strings.TrimSpace(v)})
	}
	return strings.TrimRight(host, "/"), pairs, true
}

// ownUsername reports whether link opens the account of u by its
// username, case aside: "tg://resolve?domain=NAME" (read as tgPairs
// reads it, the name as Telegram reads it: tips.TelegramUsername), or a
// t.me link to it on any of Telegram's link hosts
// (tips.LinksTelegramAccount). One to another username is evidence.
func ownUsername(link string, u *models.User) bool {
	if u == nil || u.Username == "" {
		return false
	}
	if host, pairs, ok := tgPairs(link); ok {
		return host == "resolve" && slices.ContainsFunc(pairs, func(p [2]string) bool {
			return p[0] == "domain" && strings.EqualFold(tips.TelegramUsername(strings.TrimPrefix(p[1], "@")), u.Username)
		})
	}
	return tips.LinksTelegramAccount(link, u.Username)
}

// tgLink matches what may be a "tg:" link written out in a message, up
// to the next space or quote: "tg://user?id=ID", "tg:user?id=ID", also
// inside a word ("00tg://…", which a client may still link).
var tgLink = regexp.MustCompile(`(?i)tg:[^\s<>"'` + "`" + `]+`)

// ownLinks writes each link in text to the account of u (ownAccount),
// written out, as u's "@username" where named, or as "tg://user" where u
// has none or the text is not named (a forward, a quote: the engine warns
// of an own name only in what the reporter wrote).
// Typed or pasted (a threat that links the reporter's account), it would
// show investigators the reporter's Telegram id, and the engine's URL
// pattern keeps it as a link. As "@username" the engine tells the
// reporter their own name is in the tip (own_name_in_text); with no
// username there is no name to tell, and the link left says only that an
// account was linked, not whose. Punctuation after the link is kept. A
// link to anyone else's account is evidence, kept as written.
func ownLinks(text string, u *models.User, named bool) string {
	if u == nil || u.ID <= 0 || !strings.Contains(strings.ToLower(text), "tg:") {
		return text
	}
	name := "tg://user"
	if named && u.Username != "" {
		name = "@" + u.Username
	}
	return tgLink.ReplaceAllStringFunc(text, func(link string) string {
		trimmed := strings.TrimRight(link, ".,:;!?)]}")
		if !ownAccount(link, u.ID) && !ownAccount(trimmed, u.ID) {
			return link
		}
		return name + link[len(trimmed):]
	})
}

// parseCommand finds the first bot_command entity. Telegram counts entity
// offsets in UTF-16 code units, so the text is sliced in UTF-16, not bytes
// (the library's matcher slices bytes and misreads commands after emoji or
// accented letters). "/cmd@OtherBot" is not for us.
//
// A command is recognised only from a bot_command entity: Telegram marks
// every command it would show as one, so a leading "/" it did not mark
// ("/ñandú…", "/ 3 hombres") is text, and a caption starting with "/" does
// not lose its photo to an unknown command.
//
// It reports whether, in a group, the message opens with a command
// written for another bot ("/cmd@OtherBot", the bot's name compared case
// aside, as Telegram does): such a message is not ours (readText),
// unless it names us after that command (mentioned: "@VigiaBot", or
// "/cmd@VigiaBot", which this loop, stopping there, does not reach).
func (a *Adapter) parseCommand(req *commands.Request, text string, entities []models.MessageEntity) (othersAtStart bool) {
	u := utf16.Encode([]rune(text))
	for _, e := range entities {
		if e.Type != models.MessageEntityTypeBotCommand || e.Length < 2 {
			continue
		}
		span, ok := within(u, e)
		if !ok || span[0] != '/' {
			continue
		}
		word := string(utf16.Decode(span[1:]))
		name, target, _ := strings.Cut(word, "@")
		if target != "" && !sameName(target, a.username) {
			if req.ChatKind != commands.Private {
				// Another bot's, in a group: not ours to answer. It opens
				// the message after nothing but emoji or punctuation ("🚨
				// /pin@OtherBot"); after words, or a mention of us, the
				// message may still be ours.
				return strings.IndexFunc(string(utf16.Decode(u[:e.Offset])), func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0
			}
			// In a chat with us, a command for another bot (pasted, or a
			// slip) is none of ours: whole, "help@otherbot" is unknown, and
			// answered so rather than kept in the reporter's tip.
			name = word
		}
		req.Command = strings.ToLower(name)
		req.Args = strings.TrimSpace(a.bare(u, entities, e.Offset+e.Length))
		req.CommandAtStart = strings.TrimSpace(string(utf16.Decode(u[:e.Offset]))) == ""
		req.TextBefore = a.textBefore(u[:e.Offset], entities)
		req.WordsBefore = strings.IndexFunc(req.TextBefore, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
		req.Addressed = target != "" || req.ChatKind == commands.Private || req.CommandAtStart
		req.NamesBot = target != "" && req.ChatKind != commands.Private
		req.NamedInText = req.NamesBot
		return false
	}
	return false
}

// within returns the UTF-16 units an entity covers, or false if it does
// not lie inside the text. Offsets come from the network: they may be
// negative or so large that their sum overflows.
func within(u []uint16, e models.MessageEntity) ([]uint16, bool) {
	if e.Offset < 0 || e.Length <= 0 || e.Offset > len(u) || e.Length > len(u)-e.Offset {
		return nil, false
	}
	return u[e.Offset : e.Offset+e.Length], true
}

// bare is the text of u from unit from on, each command written for us
// there ("/status@VigiaBot") bare ("/status"), as a private chat's
// client writes it: so it reaches a tip's or a warning's kept text
// ("hola /status@VigiaBot /report@VigiaBot texto", a command after words
// in a private chat, which the engine keeps as the reporter's words),
// addressed to no bot. Only bot_command entities are read: a name typed
// where Telegram marked none is text, kept as written. (textBefore
// needs none of this: it ends at the first bot_command, parseCommand's.)
func (a *Adapter) bare(u []uint16, entities []models.MessageEntity, from int) string {
	var cuts [][2]int // the "@name" of each command for us, from its "@"
	for _, e := range entities {
		span, ok := within(u, e)
		if !ok || a.username == "" || e.Type != models.MessageEntityTypeBotCommand || span[0] != '/' {
			continue
		}
		if at := slices.Index(span, '@'); at > 0 && sameName(string(utf16.Decode(span[at+1:])), a.username) {
			cuts = append(cuts, [2]int{e.Offset + at, e.Offset + e.Length})
		}
	}
	if len(cuts) == 0 {
		return string(utf16.Decode(u[from:]))
	}
	slices.SortFunc(cuts, func(x, y [2]int) int { return x[0] - y[0] })
	var out []uint16
	at := from
	for _, c := range cuts {
		if c[1] <= at {
			continue
		}
		out = append(out, u[at:max(at, c[0])]...)
		at = c[1]
	}
	return string(utf16.Decode(append(out, u[at:]...)))
}

// textBefore is prefix, the start of a message before its command,
// without the mentions of the bot and trimmed ("@VigiaBot /help" has
// none; "el Chapo @VigiaBot /help" has "el Chapo").
func (a *Adapter) textBefore(prefix []uint16, entities []models.MessageEntity) string {
	prefix = slices.Clone(prefix)
	for _, e := range entities {
		if e.Type != models.MessageEntityTypeMention || a.username == "" {
			continue
		}
		if span, ok := within(prefix, e); ok && sameName(string(utf16.Decode(span)), "@"+a.username) {
			for i := range span {
				span[i] = ' '
			}
		}
	}
	return strings.TrimSpace(string(utf16.Decode(prefix)))
}

// mentioned reports whether the text names the bot: a mention of its
// @username, or a command written for it ("/cmd@VigiaBot") anywhere in
// the text, after another bot's command too ("/start@OtherBot el Chapo
// cobra piso /report@VigiaBot": parseCommand reads only the first).
func (a *Adapter) mentioned(text string, entities []models.MessageEntity) bool {
	if a.username == "" {
		return false
	}
	u := utf16.Encode([]rune(text))
	for _, e := range entities {
		span, ok := within(u, e)
		if !ok {
			continue
		}
		switch e.Type {
		case models.MessageEntityTypeMention:
			if sameName(string(utf16.Decode(span)), "@"+a.username) {
				return true
			}
		case models.MessageEntityTypeBotCommand:
			if _, target, _ := strings.Cut(string(utf16.Decode(span)), "@"); span[0] == '/' && sameName(target, a.username) {
				return true
			}
		}
	}
	return false
}

// sameName reports whether name is the bot's (ASCII) username, ASCII
// case aside, as Telegram compares usernames. The username is getMe's:
// the Bot API gives a bot no list of its other (collectible) usernames,
// so "/status@SecondName" is another bot's (README, BotFather step 1). strings.EqualFold alone
// also folds the Kelvin sign "\u212a" to "k" and "\u017f" to "s", which no
// username holds; either is more than one byte, so the lengths differ.
func sameName(name, username string) bool {
	return len(name) == len(username) && strings.EqualFold(name, username)
}

// displayName is how a team member appears in /team and the audit log.
func displayName(u *models.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if u.Username != "" {
		name = strings.TrimSpace(name + " @" + u.Username)
	}
	return name
}
