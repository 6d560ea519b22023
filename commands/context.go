package commands

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// Context is one request being handled: who asks, in which language, and
// how to answer.
type Context struct {
	Request   Request
	Pseudonym string
	Lang      string
	Role      Role

	mux       *Mux
	cmd       *Command
	w         Replier
	answering bool // the sender has a question to answer
	// client is the language of the sender's client, as the request
	// says it or as kept for them (Request.KeepLanguage); "" if unknown.
	client string
	// roleUnread is set when the sender's role given by an invitation
	// could not be read (Redis failing): Role may be less than theirs.
	roleUnread bool
	// unmarked is set when the engine read the request's command where
	// the platform marked none (slashCommand: "／help"): a team's name
	// the sender may not run is then their words (teamCommand).
	unmarked bool
	// sendClaim is a Send's first step, taken with the profile (sendPress).
	sendClaim *storage.SendClaim
	// fileNotAnswer is set when a file sent as an answer goes on as a new
	// tip (answers are text).
	fileNotAnswer bool
	// codesUnknown is the failure (Redis down) of the receipt-code
	// lookup takeAnswer made of a file's or a place's words answering a
	// question: keepPart spools the message as in an outage, for the
	// replay to cut the codes and deliver the words as the answer; it
	// does not ask again (answered, the message would go on as a tip's
	// part, its words answering nothing).
	codesUnknown error
	// fileFateOwed is set when the reporter was told that what became of
	// the file (or place) sent with their words is said next
	// (answer_file_unknown): a rate limit that refuses it says so even
	// past its first refusal (fileLimited), never silent.
	fileFateOwed bool
	// unsaid is a reply about this message that did not go out (the
	// platform failing): the next reply that does carries it first, so
	// that what the reporter reads is complete (answer_file_unknown,
	// before what became of the file).
	unsaid string
	// heldFor is the question a held message is reprocessed as the answer
	// to, once the reporter said it is (heldButton).
	heldFor *question
	// heldKept is set when the message was neither taken as an answer nor
	// kept as a tip's part, for a reason that leaves a held message held
	// (heldButton): its receipt codes could not be looked up, Redis
	// failed, the draft is full, a limit was reached. The reporter, told
	// so, chooses again later; the message is not to be typed again.
	heldKept bool
	// partFound is set by keepPart when the part's write failed in a way
	// that leaves it unknown whether it was written (its reply lost): the
	// answer it gives had the reply come back, given the draft the part
	// was found in (heldButton looks).
	partFound func(ctx context.Context, d storage.Draft) error
	// heldPress is set while keepPart keeps a held message on its
	// press: a write whose outcome is unknown is looked into by the
	// press (heldButton), after its give-back, not by keepPart.
	heldPress bool
	// historyPage is the page of a tip's history /tip shows (1, the
	// latest entries, when 0).
	historyPage int
	// removal is what came of removing the request's message from its
	// group (removeRequest), once tried.
	removal *removal
	// pendingAudit is an AuditLate command's audit entry, not written yet.
	pendingAudit *storage.AuditEntry
}

type removal struct {
	deletable bool  // the platform can delete it (MessageDeleter)
	err       error // and deleting it failed (no right?)
}

// removeTimeout bounds removing a message from a group, on a context of
// its own: a deletion is never skipped because Redis used up the
// request's time.
const removeTimeout = 10 * time.Second

// removeRequest removes the message that carried the request from its
// group, where the platform lets the bot, once: later calls report what
// the first did. It reports whether the platform can delete it, and why
// it could not.
func (c *Context) removeRequest(ctx context.Context) (bool, error) {
	if r := c.removal; r != nil {
		return r.deletable, r.err
	}
	c.removal = &removal{}
	d, ok := c.w.(MessageDeleter)
	if !ok {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
	defer cancel()
	c.removal.deletable, c.removal.err = true, d.DeleteRequest(ctx)
	return true, c.removal.err
}

// T localises message id in the request's language. On Discord, the
// commands it names ("Send /status followed by your receipt code", "Send
// /help", "answer with /reply") are named as the member's client shows
// them (commandsAsShown: "/estado", "/ayuda", "/responder" to a client
// in Spanish), the names they find in its menu and may type. The words
// data brings (a user's, maybe: "“/status:x” was searched as words")
// are not rewritten: only the message's own text is.
func (c *Context) T(id string, data map[string]any, count ...int) string {
	if c.Request.Platform != "discord" {
		return c.mux.msg.Localize(c.Lang, id, data, count...)
	}
	return c.mux.localizeAsShown(c.commandsAsShown, c.Lang, id, data, count...)
}

// notice is message id in lang, for a notice sent outside a request to
// route (a sweep's, a reminder, an announcement): on Discord, with the
// commands it names as a client in lang lists them ("Envía /borrar",
// "Usa /siguiente"), lang being the reader's, whose client's is not
// known (as T takes it where the client did not say); the words data
// brings are not rewritten. Elsewhere as it is.
func (m *Mux) notice(route, lang, id string, data map[string]any, count ...int) string {
	if platform, _, _ := strings.Cut(route, ":"); platform != "discord" {
		return m.msg.Localize(lang, id, data, count...)
	}
	return m.localizeAsShown(func(text string) string { return m.namesAsShown(lang, text) }, lang, id, data, count...)
}

// localizeAsShown is message id in lang with the commands it names
// written by shown (commandsAsShown, namesAsShown), not those of the
// words data brings.
func (m *Mux) localizeAsShown(shown func(string) string, lang, id string, data map[string]any, count ...int) string {
	var vals []string
	marked := data
	for k, v := range data {
		s, ok := v.(string)
		if !ok {
			continue
		}
		if len(vals) == 0 {
			marked = maps.Clone(data)
		}
		// Each text value stands as a mark while the names are written:
		// "\x00", its index, "\x00" (no "/word" the rewriting would read).
		marked[k] = "\x00" + strconv.Itoa(len(vals)) + "\x00"
		vals = append(vals, s)
	}
	text := shown(m.msg.Localize(lang, id, marked, count...))
	if len(vals) == 0 {
		return text
	}
	parts := strings.Split(text, "\x00")
	var sb strings.Builder
	for i, part := range parts {
		if n, err := strconv.Atoi(part); i%2 == 1 && err == nil && n >= 0 && n < len(vals) {
			sb.WriteString(vals[n])
			continue
		}
		sb.WriteString(part)
	}
	return sb.String()
}

// Say replies with message id.
func (c *Context) Say(ctx context.Context, id string, data map[string]any, count ...int) error {
	return c.Reply(ctx, Reply{Text: c.T(id, data, count...)})
}

// Reply sends r, after what a reply that failed left unsaid.
func (c *Context) Reply(ctx context.Context, r Reply) error {
	return replyFailed(c.reply(ctx, r))
}

// reply sends r, what is unsaid before its text: once it went out,
// nothing is.
func (c *Context) reply(ctx context.Context, r Reply) error {
	if c.unsaid != "" {
		r.Text = c.unsaid + "\n\n" + r.Text
	}
	err := c.w.Reply(ctx, r)
	if err == nil {
		c.unsaid = ""
	}
	return err
}

// replyError is an answer the platform did not take (or took without
// saying so): what the request brought was dealt with before, or refused
// with this answer, so the user must not hear that their message "may not
// have been saved" (Handle says nothing more).
type replyError struct{ err error }

func (e *replyError) Error() string { return "reply: " + e.err.Error() }
func (e *replyError) Unwrap() error { return e.err }

func replyFailed(err error) error {
	if err == nil {
		return nil
	}
	return &replyError{err}
}

// sayQuietly replies, ignoring failure: used on the error path itself.
func (c *Context) sayQuietly(id string, data map[string]any) {
	c.quietly(Reply{Text: c.T(id, data)})
}

// quietly replies r as sayQuietly does.
func (c *Context) quietly(r Reply) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.reply(ctx, r)
}

func (c *Context) commandName() string {
	switch {
	case c.cmd != nil:
		return c.cmd.Name
	case c.Request.Callback != "":
		return "button"
	default:
		return "message"
	}
}
