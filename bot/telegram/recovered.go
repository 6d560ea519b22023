package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/commands"
)

// The adapter handles updates on goroutines of its own: the dispatcher's
// reader (run), its keeper (keep), one per busy chat (chat), one per
// update handled at once and held meanwhile (dispatch's waiter), and,
// for a polled batch handled at once, one per chat (handleBatch). A panic
// on any of them would end serve, and with it every update held in
// memory, and print a traceback with argument values (a chat id, a
// token). Each stops it instead (survive): the panic is logged as the
// engine's are (its type and commands.Stack: functions and lines only, no
// text, id or token), and what the goroutine held is put back, so that
// its chat and the others go on being served:
//
//   - a panic in the inbox's client (Inbox; guardedInbox) is that call's
//     failure, which its caller already repairs: a read is tried again,
//     its updates read anew; a fetch leaves the backlog waiting; a keep
//     or a removal is warned of; a webhook call whose write panicked is
//     answered 503, so Telegram delivers its update again;
//   - a panic in the adapter's own handling of an update, before the
//     engine had it (its dispatch, its chat taking it, its translation),
//     is answered: its sender, in a private chat, is told in their
//     language that it went wrong and to send it again (error_internal),
//     never that it was received, and the update is let go as handled
//     (removed from the inbox, or confirmed to Telegram with its batch);
//     the chat's worker slot is freed and its next update handled.
//
// The engine's own panics are its (commands.Mux recovers them and
// answers).

// survive, deferred, stops a panic of the goroutine it is deferred in,
// logs it as a panic in where, and runs repair (if not nil), itself
// guarded. It must be deferred itself: recover works only there.
func (a *Adapter) survive(where string, repair func()) {
	p := recover()
	if p == nil {
		return
	}
	a.log.Error("telegram panic recovered", "in", where, "panic", fmt.Sprintf("%T", p), "stack", commands.Stack(3))
	if repair != nil {
		a.guard(where+" repair", repair)
	}
}

// guard runs f, a panic in it stopped and logged as in where.
func (a *Adapter) guard(where string, f func()) {
	defer a.survive(where, nil)
	f()
}

// errPanicked is the error of a call that panicked (guarded).
var errPanicked = errors.New("telegram: panicked")

// guarded runs call, a panic in it logged (as in where) and returned as
// errPanicked.
func (a *Adapter) guarded(where string, call func() error) (err error) {
	defer a.survive(where, func() { err = fmt.Errorf("%s: %w", where, errPanicked) })
	return call()
}

// langLookup bounds the look-up of a sender's language for the adapter's
// own answer: Redis may be what is failing.
const langLookup = time.Second

// languager is the engine's look-up of the language it speaks to a user
// (*commands.Mux has it).
type languager interface {
	Language(ctx context.Context, platform, userID, client string) string
}

// failed tells the sender of u, if u came from a private chat (a message,
// its edit, a button pressed), that what they sent went wrong and may not
// be kept (error_internal, in their language): for an update whose
// handling panicked before the engine had it. Nothing is said in a group
// (nothing a member sent there is answered by the adapter itself).
func (a *Adapter) failed(ctx context.Context, h Handler, u *models.Update) {
	chat, from, ok := privateSender(u)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commands.ReplyGrace)
	defer cancel()
	lang := a.msg.Match(from.LanguageCode)
	if l, ok := h.(languager); ok {
		a.guard("language look-up", func() {
			lctx, cancel := context.WithTimeout(ctx, langLookup)
			defer cancel()
			lang = l.Language(lctx, Platform, strconv.FormatInt(from.ID, 10), from.LanguageCode)
		})
	}
	text := a.msg.Localize(lang, "error_internal", nil)
	if _, err := a.send(ctx, chat, 0, commands.Reply{Text: text}, true); err != nil {
		a.log.Warn("telegram failure answer not sent", "error", err.Error())
	}
}

// privateSender is the private chat u came from and its sender, if it
// came from one.
func privateSender(u *models.Update) (chat int64, from *models.User, ok bool) {
	if u == nil {
		return 0, nil, false
	}
	m := u.Message
	if m == nil {
		m = u.EditedMessage
	}
	switch {
	case m != nil:
		from = m.From
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
		m, from = u.CallbackQuery.Message.Message, &u.CallbackQuery.From
	}
	if m == nil || from == nil || m.Chat.Type != models.ChatTypePrivate {
		return 0, nil, false
	}
	return m.Chat.ID, from, true
}

// guardedInbox is an Inbox whose calls' panics (its client's: a nil from
// the library, a bug) are their failures (errPanicked), which the
// dispatcher repairs as it does an outage's.
type guardedInbox struct {
	a  *Adapter
	in Inbox
}

func (g guardedInbox) Add(ctx context.Context, raws ...[]byte) error {
	return g.a.guarded("inbox add", func() error { return g.in.Add(ctx, raws...) })
}

func (g guardedInbox) Pending(ctx context.Context, consumer, after string, count int) (es []InboxEntry, err error) {
	err = g.a.guarded("inbox read", func() (err error) {
		es, err = g.in.Pending(ctx, consumer, after, count)
		return err
	})
	return es, err
}

func (g guardedInbox) Read(ctx context.Context, consumer string, count int, block, stale time.Duration) (es []InboxEntry, err error) {
	err = g.a.guarded("inbox read", func() (err error) {
		es, err = g.in.Read(ctx, consumer, count, block, stale)
		return err
	})
	return es, err
}

func (g guardedInbox) Keep(ctx context.Context, consumer string, ids []string) (lost []string, err error) {
	err = g.a.guarded("inbox keep", func() (err error) {
		lost, err = g.in.Keep(ctx, consumer, ids)
		return err
	})
	return lost, err
}

func (g guardedInbox) Fetch(ctx context.Context, consumer string, ids []string) (es []InboxEntry, err error) {
	err = g.a.guarded("inbox fetch", func() (err error) {
		es, err = g.in.Fetch(ctx, consumer, ids)
		return err
	})
	return es, err
}

func (g guardedInbox) Done(ctx context.Context, id string) error {
	return g.a.guarded("inbox removal", func() error { return g.in.Done(ctx, id) })
}

func (g guardedInbox) Len(ctx context.Context) (n int64, err error) {
	err = g.a.guarded("inbox length", func() (err error) {
		n, err = g.in.Len(ctx)
		return err
	})
	return n, err
}
