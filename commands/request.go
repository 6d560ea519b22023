package commands

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigia-project/vigia/tips"
)

// ChatKind says whether a message came from a private chat or a group.
type ChatKind int

// Chat kinds. Tips are only taken in private chats.
const (
	Private ChatKind = iota
	Group
)

// Request is one platform event, translated by an adapter. It carries the
// sender's platform id so the engine can derive a pseudonym; the engine
// never logs or stores it in clear.
type Request struct {
	// Platform names the adapter: "telegram", "console".
	Platform string
	// UserID is the sender's platform id.
	UserID string
	// UserChat is how to reach the sender privately later (their private
	// chat id on Telegram, "u<id>" on Discord). Used for team members only.
	UserChat string
	// Name is the sender's display name. It is used only when a user joins
	// the team (investigators are identified); a reporter's is never kept.
	Name string
	// Nickname is another name the sender is known by where they wrote:
	// on Discord, their server nickname, which an interaction in a server
	// carries (Member.Nick; a DM carries none). It is only compared with
	// their words, as a display name (namedBySender): never kept, never
	// logged, never shown in /team or the audit log (Name is).
	Nickname string
	// ReplyToBot is true when the message replies to one of the bot's;
	// ReplyToID is then the id of the message replied to.
	ReplyToBot bool
	ReplyToID  string
	// ChatID is the chat's platform id; it is stored only sealed, as a route.
	ChatID string
	// ChatKind is Private or Group.
	ChatKind ChatKind
	// ChannelID is the group or channel a private exchange happens in, on
	// platforms where they differ (a Discord slash command in a server
	// channel answers the member privately); empty elsewhere.
	ChannelID string
	// MessageID is the platform's id of the message (for a button press,
	// of the message the button is on), where it has one.
	MessageID string
	// EventID identifies the platform event (Telegram's update_id); a
	// redelivered event has the same id. It grows within a chat.
	EventID int64
	// Language is the client's language code, if the platform says.
	Language string
	// KeepLanguage is set where Language is to be remembered for the
	// sender's requests that carry none (a Discord interaction's locale:
	// Discord gives none with a message). The engine keeps it under their
	// pseudonym; a language chosen with /language still comes first.
	KeepLanguage bool
	// ChatLanguage is the group's or server's own language, where the
	// platform has one (a Discord server's locale).
	ChatLanguage string

	// Edited is set for an edit of a message sent before. In a private
	// chat its new content is not carried (a tip's part is kept as first
	// sent); in a group it is, for what the edit put in view to be removed
	// as a new message's would be (never in the investigators' chats,
	// where a command edited is not run again).
	Edited bool

	// Command is the command's name, lower-case, without "/" or "@bot";
	// empty if the message is not a command. Args is the text after it.
	Command string
	Args    string
	// CommandAtStart is true when the command opened the message. A
	// command-like word later in a message is a command only if Vigía knows it.
	CommandAtStart bool
	// Addressed is true in a group when the message is meant for the bot (a
	// command for it, a mention, a reply to it).
	Addressed bool
	// NamesBot is true in a group when the message names this bot: a
	// command written for it ("/report@VigiaBot"), a mention of it, a reply
	// to one of its messages. A bare command ("/report") is Addressed, but
	// may be meant for another bot in the group.
	NamesBot bool
	// NamedInText is true in a group when the message itself names this
	// bot (a command written for it, a mention of it), not only by
	// replying to one of its messages.
	NamedInText bool
	// WordsBefore is true when words (a letter or a digit, not counting
	// mentions of this bot) come before the command in the message:
	// "el Chapo cobra piso @VigiaBot /help". Those words are the
	// sender's, not the command's, except /warn's ("Atención vecinos
	// @VigiaBot /warn …": the warning begins there). TextBefore is them,
	// mentions of this bot left out.
	WordsBefore bool
	TextBefore  string
	// AlbumMore is set, in a private chat, on an item of an album (photos
	// or files sent together, which reach the bot one message each) that
	// another item of it follows in the same delivery: it is kept as any
	// part, but answered only if something about it must be said; the
	// last item answers for the album. AlbumItems is, on an album's item,
	// how many of its items (this one included) came in a row so far.
	AlbumMore  bool
	AlbumItems int
	// AnsweredAlone is true for a group message whose answers reach its
	// sender alone (Discord answers a channel message by DM).
	AnsweredAlone bool
	// PostedAsChat is true for a message posted as its chat (a channel
	// post, an anonymous admin's): UserID then names the chat, and anyone
	// may have any number of chats.
	PostedAsChat bool
	// ChannelPost is true for a post in a channel where only its admins
	// post and its subscribers read (a Telegram channel): not a group,
	// whose members write in it.
	ChannelPost bool

	// Text is the message text or a media caption.
	Text string
	// Quote is the words a private message quotes of a message in another
	// chat (Telegram's "reply in another chat", words picked: a threat,
	// say): someone else's words, sent on as part of what the reporter
	// sends. A message that is no command holds them in Text already,
	// first (WithQuote); a command's Args do not: where the engine keeps
	// a command's words as a tip's ("/report <words>", a command after
	// words, a file's caption), it puts them first. Never who wrote them.
	Quote string
	// HiddenLinks are the addresses of links the message shows as words
	// ("click here"): kept with its text for investigators, but not counted
	// against the reporter's limit on one message (they did not type them).
	HiddenLinks []string
	// QuoteLost is true when a private message replies to a message in
	// another chat (Telegram's "reply in another chat") quoting none of
	// its words: the platform passes on only a quote of them, so they are
	// not kept, and the reporter is told so (how to add them). Never who
	// wrote that message, nor where.
	QuoteLost bool
	// FileLost is true when the message came with a file the adapter could
	// not receive: the reporter is asked to send it again.
	FileLost bool
	// FileTooLarge, with FileLost, says why: the platform announced a file
	// over what Vigía keeps, so it was not fetched. Sending it again would
	// not help; the reporter is told the limit.
	FileTooLarge bool
	// FileData is the content of a file the adapter downloaded from its
	// platform (where files have no lasting reference); the engine stores it
	// sealed. Attachment then says its kind.
	FileData []byte
	// Attachment, Location and Forward carry what else the message holds.
	Attachment *tips.Attachment
	Location   *tips.Location
	Forward    *tips.Forward
	// ForwardedFromPerson is true when the message was forwarded from a
	// person or a private chat; which one is not passed on. Not from the
	// sender themselves (their own message forwarded): their own words.
	ForwardedFromPerson bool
	// Unsupported is true for a message kind Vigía cannot keep (a sticker, a poll).
	Unsupported bool

	// Callback is the data of a pressed button, if this event is a press.
	Callback string

	// FormID and Form carry a submitted form (a Discord modal): the form's
	// id and its fields by id.
	FormID string
	Form   map[string]string
	// CanOpenForms is true when the platform can show a Form in reply.
	CanOpenForms bool
	// PlatformRoles are the sender's roles on the platform where it has them
	// (a Discord member's role ids), for VIGIA_DISCORD_INVESTIGATOR_ROLE.
	PlatformRoles []string
}

// WithQuote is text after the words quote, each of their lines marked
// "> " as quoted (a blank one ">" alone), a blank line between: how a
// message keeps the words it quotes from elsewhere (Request.Quote).
// Text alone if quote is blank. See tips.WithQuote.
func WithQuote(quote, text string) string { return tips.WithQuote(quote, text) }

// maxQuoteRunes is Telegram's bound on the words a reply quotes (1,024
// characters): what quoteRunes leaves out of a message's limit.
const maxQuoteRunes = 1024

// quoteRunes is how many characters of WithQuote(quote, text) are the
// quote's, with its marks and the blank line after it: someone else's
// words, which a limit on a message does not count (the sender typed
// none of them and cannot send them in parts; Telegram bounds a quote,
// and a tip's limit on characters still counts them). A quote's words
// past Telegram's bound (maxQuoteRunes), which no client sends, are
// counted: an answer or a warning, which no tip's limit bounds, is
// never longer than a message's limit and a quote.
func quoteRunes(quote string) int {
	q := strings.TrimSpace(quote)
	if q == "" {
		return 0
	}
	return len([]rune(WithQuote(q, "."))) - 1 - max(0, len([]rune(q))-maxQuoteRunes)
}

// typedRunes is how many characters of text, a message as kept (after
// the words it quotes, quote: WithQuote; its receipt codes cut:
// cutMessageReceipts, tips.WithoutEmptiedQuoteLines), count against a
// message's limit: all but the quote's, as much of it as is kept. A
// code cut from the quote is not left out of the count all the same
// (quoteRunes of the quote as received counts it, and the marks and
// blank line that went with a quote of a code alone): the reporter's
// own words would be let past the limit by as much. Never more is left
// out than quoteRunes of the quote received.
func typedRunes(text, quote string) int {
	n := utf8.RuneCountInString(text)
	if strings.TrimSpace(quote) == "" {
		return n
	}
	return n - min(quoteRunes(quote), keptQuoteRunes(text, quote))
}

// keptQuoteRunes is quoteRunes of the quote that text opens with as it
// is kept: its lines marked ">" (WithQuote), up to and with the blank
// line after them, its words past maxQuoteRunes not left out. Lines
// marked ">" that are not what a cut keeps of quote (their words in
// quote's order: a cut only takes words out) are the reporter's own
// ("> " typed, the quote cut whole): none is left out.
func keptQuoteRunes(text, quote string) int {
	lines := strings.Split(text, "\n")
	n, marks := 0, 0
	var kept []string
	for n < len(lines) && strings.HasPrefix(lines[n], ">") {
		marks += len(">")
		w := strings.TrimPrefix(lines[n], ">")
		if strings.HasPrefix(w, " ") {
			marks += len(" ")
			w = w[len(" "):]
		}
		kept = append(kept, w)
		n++
	}
	if n == 0 || !isSubsequence(strings.Join(kept, "\n"), quote) {
		return 0
	}
	block := utf8.RuneCountInString(strings.Join(lines[:n], "\n"))
	words := block - marks
	if n < len(lines) {
		block++ // the line break that ends its last line
		if n+1 < len(lines) && lines[n] == "" {
			block++ // the blank line before the reporter's words
		}
	}
	return block - max(0, words-maxQuoteRunes)
}

// isSubsequence reports whether s is t with runes taken out, none added
// or reordered.
func isSubsequence(s, t string) bool {
	for _, r := range t {
		if s == "" {
			break
		}
		if c, size := utf8.DecodeRuneInString(s); c == r {
			s = s[size:]
		}
	}
	return s == ""
}

// Form is a small form the platform shows (a Discord modal).
type Form struct {
	ID     string
	Title  string
	Fields []FormField
}

// FormField is one text field of a Form.
type FormField struct {
	ID          string
	Label       string
	Placeholder string
	Long        bool
	Required    bool
	MaxLength   int
}

// Button is an inline button; Data comes back as Request.Callback.
type Button struct {
	Label string
	Data  string
}

// Reply is one answer. Text is plain: adapters escape it for their platform.
type Reply struct {
	Text    string
	Buttons [][]Button
	// Files are sent after the text as copies, never forwards.
	Files []File
	// FileMissing is shown, in the reader's language, in place of a file
	// the platform refuses to take, so that the other files still go.
	FileMissing string
	// Protected asks the platform to forbid forwarding and saving the reply
	// (Telegram's protect_content). Investigator views of tips set it.
	Protected bool
	// Form, if set, asks the platform to open it (only when the request said
	// CanOpenForms); Text is then unused.
	Form *Form
	// ReplyTo, if set, is the id of a message in the same chat that this
	// one answers (a Sender's): shown as a reply where the platform can,
	// and sent all the same if that message is gone.
	ReplyTo string
	// Instead, if set, is sent in place of Text where the answer, meant
	// to be seen where the request was made and by the sender alone (an
	// ephemeral answer in a server), must go elsewhere (by direct message,
	// Discord having dropped the interaction): Text holds what may be
	// shown there only (what a reporter typed in a refused form).
	Instead string
	// Language, if set, is the language Text and the buttons' labels are
	// in, where the engine chose it apart from the request's (a message
	// sent to a reporter in the language of their tip): an adapter with
	// lines of its own (the console) tells from it whether the labels are
	// in the language it speaks.
	Language string
}

// File is a file to send: by the platform's own reference, or, for a file
// Vigía stored, its content.
type File struct {
	tips.Attachment
	Data []byte
}

// Replier answers the event being handled.
type Replier interface {
	Reply(ctx context.Context, r Reply) error
}

// Sender delivers a reply outside any request, to a chat the adapter knows
// by its chat id (for example to tell a reporter their draft expired). It
// returns the platform's ids of the messages its text went out as, in
// order (a long text is cut into several): every one, so that all can be
// deleted, the last to recognise a reply to it. With an error it returns
// those that went out before it, so that they are not sent again.
type Sender interface {
	Send(ctx context.Context, chatID string, r Reply) ([]string, error)
}

// lastID is the id of the last of the messages ids, or "".
func lastID(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[len(ids)-1]
}

// ErrDestinationGone is returned (wrapped) by a Sender when the chat is
// gone for the bot: it was removed, blocked, or the chat was deleted.
var ErrDestinationGone = errors.New("destination gone")

// ChatAdminChecker is an optional Replier capability: it asks the platform
// whether the sender administers the chat the request came from.
type ChatAdminChecker interface {
	IsChatAdmin(ctx context.Context) (bool, error)
}

// ChatPostChecker is an optional Replier capability: it asks the platform
// whether the bot may post in the chat the request came from (a community
// subscribed where it may not would never receive a warning).
type ChatPostChecker interface {
	CanPost(ctx context.Context) (bool, error)
}

// MessageDeleter is an optional Replier capability: it deletes the message
// that carried the request, where the bot may.
type MessageDeleter interface {
	DeleteRequest(ctx context.Context) error
}

// MessageRemover is an optional Sender capability: it deletes a message
// the bot sent earlier.
type MessageRemover interface {
	DeleteMessage(ctx context.Context, chatID, messageID string) error
}

// ReplyGrace is how long a reply may take once its event's deadline is
// over or nearly over: a member must still hear what became of their
// message (a receipt, an error, a wipe's result), and one reply is quick.
const ReplyGrace = 5 * time.Second

// ReplyContext returns ctx to send a reply under, or, when ctx has less
// than ReplyGrace left, a fresh context of ReplyGrace: a reply is never
// dropped because the work before it used up the event's time. Adapters
// use it for their replies.
func ReplyContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); (!ok || time.Until(dl) >= ReplyGrace) && ctx.Err() == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), ReplyGrace)
}
