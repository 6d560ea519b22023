package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// maxText is Telegram's message limit, in characters after entity parsing;
// chunks are cut well below it, on line breaks where possible.
const maxText = 3800

// replier answers in one chat.
type replier struct {
	a      *Adapter
	chatID int64
	// userID and messageID identify the request's sender and message, for
	// the admin check and deletion; channelPost is true for a post made as
	// the channel itself (only its admins can do that).
	userID      int64
	messageID   int
	channelPost bool
	// album is the key of the album (in a group) the message is an item
	// of: removing it removes the album (album.go).
	album string
	// thread is the forum topic the request came from (0: none, or the
	// General topic): answers go there, not to General.
	thread int
}

// threadOf is the forum topic message m was posted in, 0 if none.
func threadOf(m *models.Message) int {
	if m == nil || !m.IsTopicMessage {
		return 0 // (a reply thread outside a forum is no topic)
	}
	return m.MessageThreadID
}

// IsChatAdmin asks Telegram whether the sender administers the chat.
func (r *replier) IsChatAdmin(ctx context.Context) (bool, error) {
	if r.channelPost {
		return true, nil
	}
	if r.userID == 0 {
		return false, nil // posted on behalf of another chat: no one's rights
	}
	m, err := r.a.b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: r.chatID, UserID: r.userID})
	if err != nil {
		return false, fmt.Errorf("telegram getChatMember: %s", r.a.redact(err))
	}
	return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator, nil
}

// DeleteRequest deletes the message that carried the request.
func (r *replier) DeleteRequest(ctx context.Context) error {
	if r.messageID == 0 {
		return nil
	}
	// The message itself first (it holds the words), then the rest of
	// its album.
	_, err := r.a.b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: r.chatID, MessageID: r.messageID})
	if r.album != "" {
		r.a.deleteItems(ctx, r.chatID, r.a.albums.removed(r.album), r.messageID)
	}
	if err != nil && !deletedAlready(err) { // (gone already: not in view)
		return fmt.Errorf("telegram deleteMessage: %s", r.a.redact(err))
	}
	return nil
}

// deletedAlready reports whether a deleteMessage failed because the
// message is gone already (its author, the chat's admins, an earlier round).
func deletedAlready(err error) bool {
	return errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "message to delete not found")
}

// DeleteMessage deletes a message the bot sent (commands.MessageRemover).
func (a *Adapter) DeleteMessage(ctx context.Context, chatID, messageID string) error {
	chat, err1 := strconv.ParseInt(chatID, 10, 64)
	msg, err2 := strconv.Atoi(messageID)
	if err1 != nil || err2 != nil {
		// Never sent: nothing was deleted (not an unknown outcome).
		return fmt.Errorf("telegram: bad chat or message id: %w", commands.ErrRefused)
	}
	if _, err := a.b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: chat, MessageID: msg}); err != nil {
		if deletedAlready(err) {
			return fmt.Errorf("telegram deleteMessage: %w", commands.ErrMessageGone)
		}
		// Typed as a send's error: a 429 holds the broadcaster back.
		return a.sendErr("deleteMessage", err)
	}
	return nil
}

// sendErr wraps a send failure; a chat the bot was removed from, or that no
// longer exists, is commands.ErrDestinationGone; a 429 still in force when
// retry gave up (or its wait was cut short) is commands.ErrRateLimited;
// another answer refusing the request (a 4xx) is commands.ErrRefused: not
// delivered. Anything else (a timeout, a 5xx) leaves the outcome unknown.
func (a *Adapter) sendErr(what string, err error) error {
	if errors.Is(err, bot.ErrorForbidden) || (errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "chat not found")) {
		return fmt.Errorf("telegram %s: %w", what, commands.ErrDestinationGone)
	}
	var migrate *bot.MigrateError
	if errors.As(err, &migrate) && migrate.MigrateToChatID != 0 {
		// The group became a supergroup: refused here, the chat lives on
		// under its new id (never in the error's text).
		return fmt.Errorf("telegram %s: %w", what, &commands.MovedError{To: strconv.FormatInt(int64(migrate.MigrateToChatID), 10)})
	}
	var tooMany *bot.TooManyRequestsError
	if errors.As(err, &tooMany) { // Telegram refused it: not delivered
		wait := time.Duration(tooMany.RetryAfter) * time.Second
		return fmt.Errorf("telegram %s: %w", what, &commands.RateLimitError{RetryAfter: wait})
	}
	if refused(err) || errors.Is(err, bot.ErrorUnauthorized) || errors.Is(err, bot.ErrorNotFound) || errors.Is(err, bot.ErrorConflict) {
		return fmt.Errorf("telegram %s: %w: %s", what, commands.ErrRefused, a.redact(err))
	}
	return fmt.Errorf("telegram %s: %s", what, a.redact(err))
}

func (r *replier) Reply(ctx context.Context, rep commands.Reply) error {
	ctx, cancel := commands.ReplyContext(ctx) // a kept tip's receipt goes out even after the update's deadline
	defer cancel()
	_, err := r.a.send(ctx, r.chatID, r.thread, rep, true)
	return err
}

// Send delivers a reply to a chat outside a request (commands.Sender),
// waiting out a 429 a bounded number of times.
func (a *Adapter) Send(ctx context.Context, chatID string, rep commands.Reply) ([]string, error) {
	return a.sendTo(ctx, chatID, rep, true)
}

// SendNoWait is Send for the broadcaster (commands.NoWaitSender): a 429 on
// the first message comes back at once, as a *commands.RateLimitError
// with Telegram's retry_after, instead of holding every other destination
// up while it is waited out.
func (a *Adapter) SendNoWait(ctx context.Context, chatID string, rep commands.Reply) ([]string, error) {
	return a.sendTo(ctx, chatID, rep, false)
}

func (a *Adapter) sendTo(ctx context.Context, chatID string, rep commands.Reply, wait bool) ([]string, error) {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		// Never sent: not delivered, for sure (an unknown outcome would
		// record an /ask question as asked, keeping its place).
		return nil, fmt.Errorf("telegram: bad chat id: %w", commands.ErrRefused)
	}
	return a.send(ctx, id, 0, rep, wait)
}

// send renders a reply: HTML with every string escaped, link previews off,
// buttons on the last chunk, then the files as copies. It returns the id
// of every message the text went out as, also those sent before an error.
// Without wait, a 429 on the first message is returned at once; once part
// of the text went out the rest waits as usual, as a text left half sent
// could not be sent again.
func (a *Adapter) send(ctx context.Context, chatID int64, thread int, rep commands.Reply, wait bool) ([]string, error) {
	var ids []string
	chunks := renderText(rep.Text)
	for i, chunk := range chunks {
		p := &bot.SendMessageParams{
			ChatID:             chatID,
			MessageThreadID:    thread,
			Text:               chunk,
			ParseMode:          models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
			ProtectContent:     rep.Protected,
		}
		if i == len(chunks)-1 && len(rep.Buttons) > 0 {
			p.ReplyMarkup = keyboard(rep.Buttons)
		}
		if to, err := strconv.Atoi(rep.ReplyTo); i == 0 && err == nil && to > 0 {
			// Sent all the same if that message is gone (deleted since).
			p.ReplyParameters = &models.ReplyParameters{MessageID: to, AllowSendingWithoutReply: true}
		}
		waits := maxRetries
		if !wait && len(ids) == 0 {
			waits = 0
		}
		err := a.retry(ctx, waits, func() error {
			m, err := a.b.SendMessage(ctx, p)
			if err == nil && m != nil {
				ids = append(ids, strconv.Itoa(m.ID))
			}
			return err
		})
		if err != nil {
			return ids, a.sendErr("sendMessage", err)
		}
	}
	for _, f := range rep.Files {
		err := a.sendFile(ctx, chatID, thread, f, rep.Protected)
		if err != nil && !refused(err) {
			return ids, fmt.Errorf("telegram send %s: %s", f.Kind, a.redact(err))
		}
		if err != nil {
			// Telegram will not take this file, whatever its kind (too
			// large, a format it rejects): the investigator is told, and
			// the other files still go.
			a.log.Warn("telegram refused a file; a notice replaces it", "kind", string(f.Kind), "error", a.redact(err))
			if err := a.sendNotice(ctx, chatID, thread, rep.FileMissing, rep.Protected); err != nil {
				return ids, err
			}
		}
	}
	return ids, nil
}

// sendNotice sends text (the engine's, in the reader's language) in place
// of a file Telegram refused; without one, nothing.
func (a *Adapter) sendNotice(ctx context.Context, chatID int64, thread int, text string, protect bool) error {
	if text == "" {
		return nil
	}
	p := &bot.SendMessageParams{
		ChatID:             chatID,
		MessageThreadID:    thread,
		Text:               html.EscapeString(text),
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
		ProtectContent:     protect,
	}
	if err := a.retry(ctx, maxRetries, func() error { _, err := a.b.SendMessage(ctx, p); return err }); err != nil {
		return a.sendErr("sendMessage", err)
	}
	return nil
}

// refused reports whether Telegram refused a request for what it holds (a
// 400, or a 413 for a file too large), so that sending it again unchanged
// would fail again. A chat the bot cannot reach is not that.
func refused(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, bot.ErrorBadRequest):
		return !strings.Contains(err.Error(), "chat not found")
	}
	// The library has no error of its own for a 413: it says
	// "error response from telegram for method M, 413 Request Entity Too Large".
	return strings.Contains(err.Error(), ", 413 ")
}

// renderText renders a reply's text as Telegram HTML messages: cut within
// Telegram's limit, every character escaped, no tag of the bot's own.
func renderText(text string) []string {
	chunks := split(text, maxText)
	for i, c := range chunks {
		chunks[i] = html.EscapeString(c)
	}
	return chunks
}

// sendFile sends a stored file by its file_id: a copy, never a forward, so
// nothing points back at the reporter's message. A file Telegram refuses as
// a photo (over its 10 MB limit for photos, a format sendPhoto rejects), a
// video or audio goes again as a document. It returns the error as the
// library gave it, for refused.
func (a *Adapter) sendFile(ctx context.Context, chatID int64, thread int, f commands.File, protect bool) error {
	var in func() models.InputFile
	switch {
	case f.Data != nil:
		// A retry needs the whole file again.
		in = func() models.InputFile {
			return &models.InputFileUpload{Filename: tips.FileName(f.Kind, f.Data), Data: bytes.NewReader(f.Data)}
		}
	case f.Platform == Platform:
		in = func() models.InputFile { return &models.InputFileString{Data: f.FileRef} }
	default:
		return nil // another platform's reference cannot be sent here
	}
	send := func(kind tips.AttachmentKind) error {
		return a.retry(ctx, maxRetries, func() error { return a.sendFileOnce(ctx, chatID, thread, kind, in(), protect) })
	}
	err := send(f.Kind)
	if refused(err) && f.Kind != tips.Document {
		a.log.Info("telegram refused a file as its kind; sending it as a document", "kind", string(f.Kind), "error", a.redact(err))
		err = send(tips.Document)
	}
	return err
}

func (a *Adapter) sendFileOnce(ctx context.Context, chatID int64, thread int, kind tips.AttachmentKind, in models.InputFile, protect bool) error {
	var err error
	switch kind {
	case tips.Photo:
		_, err = a.b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chatID, MessageThreadID: thread, Photo: in, ProtectContent: protect})
	case tips.Video:
		_, err = a.b.SendVideo(ctx, &bot.SendVideoParams{ChatID: chatID, MessageThreadID: thread, Video: in, ProtectContent: protect})
	case tips.Audio:
		_, err = a.b.SendAudio(ctx, &bot.SendAudioParams{ChatID: chatID, MessageThreadID: thread, Audio: in, ProtectContent: protect})
	case tips.Voice:
		_, err = a.b.SendVoice(ctx, &bot.SendVoiceParams{ChatID: chatID, MessageThreadID: thread, Voice: in, ProtectContent: protect})
	default:
		_, err = a.b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: chatID, MessageThreadID: thread, Document: in, ProtectContent: protect})
	}
	return err
}

// maxRetries bounds how often one send is retried after a 429.
const maxRetries = 3

// retry runs send, waiting out Telegram's retry_after on a 429 at most
// waits times, and never past ctx.
func (a *Adapter) retry(ctx context.Context, waits int, send func() error) error {
	for attempt := 0; ; attempt++ {
		err := send()
		var tooMany *bot.TooManyRequestsError
		if !errors.As(err, &tooMany) {
			return err
		}
		if a.o.OnRateLimit != nil {
			a.o.OnRateLimit()
		}
		a.log.Warn("telegram rate limited", "retry_after_s", tooMany.RetryAfter)
		if attempt == waits {
			return err
		}
		wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

func keyboard(rows [][]commands.Button) *models.InlineKeyboardMarkup {
	kb := &models.InlineKeyboardMarkup{}
	for _, row := range rows {
		var r []models.InlineKeyboardButton
		for _, b := range row {
			r = append(r, models.InlineKeyboardButton{Text: b.Label, CallbackData: b.Data})
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, r)
	}
	return kb
}

// split cuts text into chunks of at most max UTF-16 code units (Telegram
// counts message length in UTF-16, so an emoji counts twice), at a line
// break, else a space, in the second half of the chunk when there is one
// there: a short first line (a header) stays with the text it heads. A
// line cut between two chunks goes on behind commands.QuoteMark: a tip's
// or an answer's long quoted line, or a history entry's long note or
// answer, must not open the next message as a line of the bot's own
// ("Claimed by …"), and the mark says the line goes on from the last.
func split(text string, max int) []string {
	const mark = commands.QuoteMark + " "
	var out []string
	for {
		units, cut, lastNL, lastSpace := 0, len(text), -1, -1
		for i, r := range text {
			w := utf16.RuneLen(r)
			if w < 0 {
				w = 1
			}
			if units+w > max {
				cut = i
				break
			}
			units += w
			switch {
			case units < max/2:
			case r == '\n':
				lastNL = i
			case r == ' ':
				lastSpace = i
			}
		}
		if cut == len(text) {
			if text != "" || len(out) == 0 {
				out = append(out, text)
			}
			return out
		}
		if lastNL > 0 {
			cut = lastNL
		} else if lastSpace > 0 {
			cut = lastSpace + 1 // the space stays: only line breaks go at a cut
		}
		if cut == 0 { // max smaller than one character: never loop forever
			_, cut = utf8.DecodeRuneInString(text)
		}
		out = append(out, text[:cut])
		rest := text[cut:]
		if !strings.HasPrefix(rest, "\n") && max >= 4*len(mark) {
			rest = mark + rest // (the mark fits many times in a chunk: the cut still moves on)
		}
		text = strings.TrimLeft(rest, "\n")
	}
}
