// Package telegram connects Vigía to the Telegram Bot API with
// github.com/go-telegram/bot, which it uses for every method but
// getUpdates.
//
// The library's own polling loop confirms updates to Telegram before they
// are handled, so a crash loses whatever it had queued. This adapter polls
// itself instead: it confirms an update (by asking for the next offset)
// only after the engine has handled it or it is stored in the Redis inbox
// (poll.go). A crash therefore redelivers, never loses, an update, and the
// engine's writes are idempotent per update.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// Platform is Telegram's platform name in requests and routes.
const Platform = "telegram"

// ErrUnauthorized means Telegram rejected the bot token.
var ErrUnauthorized = errors.New("telegram rejected the bot token")

// ErrNoBotAPI means the Bot API URL answered getMe 404, other than
// Telegram's own server: no Bot API server is there, or not at that path
// (a local server's address or path mistyped), which says nothing of the
// token.
var ErrNoBotAPI = errors.New("no telegram bot api at this url (404 not found)")

// ErrUnreachable means getMe got no HTTP answer at all at a try at
// start-up, none answering after it: the connection refused or cut, the
// host not resolved, a TLS handshake failed, no answer within
// StartTimeout. The error wrapping it carries the transport's reason
// alone, never the request's URL (it holds the token), and is
// ErrServerError too if another try met one (New's error says each).
var ErrUnreachable = errors.New("telegram bot api not reached")

// ErrServerError means getMe was answered with a server error (HTTP 5xx,
// or a Bot API answer with an error_code of 500 or more) at a try at
// start-up, none answering after it: trouble on the Bot API server's
// side, or a proxy's before it, not the token. The error wrapping it
// carries the status alone, never the URL (it holds the token) nor the
// answer's body, and is ErrUnreachable too if another try got no answer.
var ErrServerError = errors.New("telegram bot api answered with a server error")

// startError is getMe failing at every try at start-up, each with no
// answer (ErrUnreachable) or a server error (ErrServerError). Its text
// opens with the last try's kind, then says what each try met, in order,
// or, all alike, what and how many times ("HTTP 502 Bad Gateway,
// twice"): an operator reads what happened, not a guess from the last
// try. errors.Is finds every kind a try had.
type startError struct {
	kinds   []error  // each kind a try had, the last try's first
	reasons []string // each try's reason, in order
}

func (e *startError) Error() string {
	reason := e.reasons[len(e.reasons)-1]
	switch n := len(e.reasons); {
	case slices.ContainsFunc(e.reasons, func(r string) bool { return r != reason }):
		reason = strings.Join(e.reasons, ", then ")
	case n == 2:
		reason += ", twice"
	case n > 2:
		reason += fmt.Sprintf(", %d times", n)
	}
	return e.kinds[0].Error() + " (getMe: " + reason + ")"
}

func (e *startError) Unwrap() []error { return e.kinds }

// add counts one more failed try: of kind failed, for reason.
func (e *startError) add(failed error, reason string) {
	e.reasons = append(e.reasons, reason)
	e.kinds = append([]error{failed}, slices.DeleteFunc(e.kinds, func(k error) bool { return k == failed })...)
}

// statusError is getMe answered with a server error: its HTTP status.
type statusError int

func (e statusError) Error() string {
	return strings.TrimSpace(fmt.Sprintf("HTTP %d %s", int(e), http.StatusText(int(e))))
}

// telegramAPI is Telegram's own Bot API server, the default APIURL.
const telegramAPI = "https://api.telegram.org"

// Handler handles one request; *commands.Mux is one.
type Handler interface {
	Handle(ctx context.Context, req commands.Request, w commands.Replier)
	Commands() []*commands.Command
}

// Options configure the adapter.
type Options struct {
	Token  string
	APIURL string // default telegramAPI
	Logger *slog.Logger
	// PollTimeout is the long-polling timeout; default 50 s.
	PollTimeout time.Duration
	// HandlerTimeout bounds one update's handling; default 30 s.
	HandlerTimeout time.Duration
	// StartTimeout bounds each of New's getMe tries; default 20 s.
	StartTimeout time.Duration
	// StartTries is how many times New asks getMe while it gets no HTTP
	// answer, a second apart; default 2.
	StartTries int
	// FailedBefore, if set, is getMe failing just before New, with no
	// answer or a server error: the error of a New asked once (the token
	// check's). Should New's own tries fail too, its error tells that try
	// first, as one of its own: what every try met, not the last alone.
	FailedBefore error
	// Workers bounds how many chats are handled at once; default 16.
	Workers int
	// Inbox, if set, takes polled updates (Run): they are handled from
	// it as in webhook mode, without a slow chat holding up the others.
	Inbox Inbox
	// OnRateLimit, if set, is called for every 429 (for metrics).
	OnRateLimit func()
	// Messages and DefaultLanguage describe the commands in Telegram's
	// command menu; without Messages the menu is left as it is.
	Messages        *locales.Bundle
	DefaultLanguage string
}

// Adapter is a running Telegram bot.
type Adapter struct {
	connected atomic.Bool // the last call to Telegram succeeded
	// fullWarned is when (unix nanoseconds) a full inbox was last
	// warned of (backlogFull).
	fullWarned atomic.Int64
	o          Options
	b          *bot.Bot
	msg        *locales.Bundle // Options.Messages, or the built-in messages
	http       *http.Client
	log        *slog.Logger
	id         int64
	username   string
	albums     albums // albums posted in groups (album.go)
	atOnce     atOnce // polled updates handled without the inbox (poll.go)
	// reached, if set (tests), is called at points of the handling of
	// an update where a panic is injected: "dispatch" (the dispatcher
	// queueing it), "chat" (its chat taking it), "translate" (handle),
	// "fetch" (decoding it, fetched back from the inbox).
	reached func(point string, u *models.Update)
}

// New checks the token with getMe and returns an adapter.
func New(ctx context.Context, o Options) (*Adapter, error) {
	if o.APIURL == "" {
		o.APIURL = telegramAPI
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 50 * time.Second
	}
	if o.HandlerTimeout <= 0 {
		o.HandlerTimeout = 30 * time.Second
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 20 * time.Second
	}
	if o.StartTries <= 0 {
		o.StartTries = 2
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	a := &Adapter{o: o, msg: o.Messages, log: o.Logger, http: &http.Client{Timeout: o.PollTimeout + 15*time.Second}}
	if a.msg == nil {
		msg, err := locales.Load()
		if err != nil {
			return nil, fmt.Errorf("telegram: %w", err)
		}
		a.msg = msg
	}
	b, err := bot.New(o.Token,
		bot.WithServerURL(o.APIURL),
		bot.WithSkipGetMe(),
		bot.WithHTTPClient(o.PollTimeout, &http.Client{Timeout: 30 * time.Second}),
		// The library's defaults log whole updates and raw errors; neither
		// may reach a log here.
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}),
		bot.WithErrorsHandler(func(err error) { a.log.Warn("telegram library error", "error", a.redact(err)) }),
		bot.WithDebugHandler(func(string, ...any) {}),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %s", a.redact(err))
	}
	a.b = b
	me, err := a.whoAmI(ctx)
	if err != nil {
		return nil, err
	}
	a.id, a.username = me.ID, me.Username
	return a, nil
}

// startPause is the wait between two getMe tries at start-up: a blip is
// ridden out, but a Bot API that never answers stops New within
// StartTries×StartTimeout, and a second (it waited the HTTP client's
// 65 s).
const startPause = time.Second

// whoAmI is getMe at start-up, asked up to StartTries times while no
// answer comes, or a server error (5xx: the Bot API server in trouble),
// each try bounded by StartTimeout; any other answer, a refusal
// included, is not asked again. A failed try that another follows is
// logged at once, so that an operator sees what is wrong before the
// last try ends. Every try failed, the error (a startError) is of the
// last try's kind, ErrUnreachable or ErrServerError, and of any other a
// try met, FailedBefore's included; it says what each met: the
// transport's reason without the URL (its path holds the token), "no
// answer within" the timeout, or the status.
func (a *Adapter) whoAmI(ctx context.Context) (*models.User, error) {
	failures := &startError{}
	if before := (*startError)(nil); errors.As(a.o.FailedBefore, &before) {
		failures.kinds, failures.reasons = slices.Clone(before.kinds), slices.Clone(before.reasons)
	}
	for try := 1; ; try++ {
		tryCtx, cancel := context.WithTimeout(ctx, a.o.StartTimeout)
		me, err := a.getMe(tryCtx)
		timedOut := errors.Is(tryCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		ue := (*url.Error)(nil)
		var status statusError
		switch {
		case err == nil:
			return me, nil
		case errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrNoBotAPI):
			return nil, err
		case errors.Is(ctx.Err(), context.Canceled) || !(timedOut || errors.As(err, &ue) || errors.As(err, &status)):
			return nil, fmt.Errorf("telegram getMe: %s", a.redact(err))
		}
		failed, reason := ErrUnreachable, fmt.Sprintf("no answer within %v", a.o.StartTimeout)
		switch {
		case status != 0:
			failed, reason = ErrServerError, status.Error()
		case !timedOut:
			reason = a.redact(ue.Err)
		}
		failures.add(failed, reason)
		if try >= a.o.StartTries || ctx.Err() != nil {
			return nil, failures
		}
		a.log.Warn("telegram getMe failed at start-up, asking again", "error", failed.Error()+" (getMe: "+reason+")",
			"try", try, "tries", a.o.StartTries, "retry_in", startPause.String())
		select {
		case <-ctx.Done():
		case <-time.After(startPause):
		}
	}
}

// getMe asks Telegram who the bot is: its own request, as the library
// drops the HTTP status. A 401 is ErrUnauthorized, and so is the 404 of
// Telegram's own server (its answer to a token not shaped like one). Any
// other 404 is ErrNoBotAPI, the URL wrong, not the token: one without a
// Bot API answer (an HTML page, a proxy's "not found"), or a local Bot
// API server's (tdlib's telegram-bot-api answers a path not starting
// with /bot so, and a bad token with a 401). A server error (an HTTP
// status of 500 or more without a successful answer, or an error_code
// of 500 to 599) is a statusError, its body not read further.
func (a *Adapter) getMe(ctx context.Context) (*models.User, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.o.APIURL+"/bot"+a.o.Token+"/getMe", nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var r struct {
		OK          *bool       `json:"ok"`
		ErrorCode   int         `json:"error_code"`
		Description string      `json:"description"`
		Result      models.User `json:"result"`
	}
	noAnswer := json.Unmarshal(body, &r) != nil || r.OK == nil
	switch {
	case resp.StatusCode >= 500 && (noAnswer || !*r.OK):
		return nil, statusError(resp.StatusCode)
	case noAnswer:
		if resp.StatusCode == http.StatusNotFound {
			return nil, ErrNoBotAPI
		}
		return nil, fmt.Errorf("no Bot API answer (HTTP %d)", resp.StatusCode)
	case *r.OK:
		return &r.Result, nil
	case r.ErrorCode == http.StatusUnauthorized || (r.ErrorCode == http.StatusNotFound && a.o.APIURL == telegramAPI):
		return nil, ErrUnauthorized
	case r.ErrorCode == http.StatusNotFound:
		return nil, ErrNoBotAPI
	case r.ErrorCode >= 500 && r.ErrorCode <= 599:
		return nil, statusError(r.ErrorCode)
	}
	return nil, fmt.Errorf("for method getMe, %d %s", r.ErrorCode, r.Description)
}

// redact renders an error without the bot token, without any response
// body the library may have quoted (it can echo a message's text), without
// the details of the Bot API's description (they may quote a chat id or
// the text), and without the chat id a *bot.MigrateError carries (a group upgraded to a
// supergroup: its new id). The library's other typed error,
// *bot.TooManyRequestsError, holds only a description and a wait.
func (a *Adapter) redact(err error) string {
	var migrate *bot.MigrateError
	if errors.As(err, &migrate) {
		return "bad request: the group was upgraded to a supergroup and has a new chat id (withheld)"
	}
	s := err.Error()
	if a.o.Token != "" {
		s = strings.ReplaceAll(s, a.o.Token, "<token>")
		if id, _, ok := strings.Cut(a.o.Token, ":"); ok {
			s = strings.ReplaceAll(s, strings.TrimPrefix(a.o.Token, id+":"), "<token>")
		}
	}
	if i := strings.Index(s, "error decode response body"); i >= 0 {
		s = s[:i] + "error decode response body (body withheld)"
	}
	if loc := apiDescription.FindStringIndex(s); loc != nil {
		s = s[:loc[1]] + safeDescription(s[loc[1]:])
	}
	return s
}

// apiDescription ends where the Bot API's own description starts in the
// text of a library error: after its kind ("bad request, ") or, for an
// unexpected status, after the status ("for method sendMessage, 500 "),
// or in getUpdates' own errors ("getUpdates: 502 ").
var apiDescription = regexp.MustCompile(`(?:forbidden|bad request|unauthorized|too many requests|not found|conflict), |(?:for method \w+,|getUpdates:) -?\d+ `)

// knownDescriptions are Bot API descriptions (errors the bot meets) that
// quote nothing sent: logged as they are. Telegram adds details after
// some of them ("Bad Request: can't parse entities: ..."), withheld.
var knownDescriptions = []string{
	"Bad Request: chat not found",
	"Bad Request: user not found",
	"Bad Request: message is too long",
	"Bad Request: message caption is too long",
	"Bad Request: MEDIA_CAPTION_TOO_LONG",
	"Bad Request: message text is empty",
	"Bad Request: message can't be edited",
	"Bad Request: message can't be deleted",
	"Bad Request: message can't be deleted for everyone",
	"Bad Request: message to delete not found",
	"Bad Request: message to edit not found",
	"Bad Request: message is not modified",
	"Bad Request: message thread not found",
	"Bad Request: message to be replied not found",
	"Bad Request: can't parse entities",
	"Bad Request: not enough rights to send text messages to the chat",
	"Bad Request: have no rights to send a message",
	"Bad Request: need administrator rights in the channel chat",
	"Bad Request: wrong file identifier/HTTP URL specified",
	"Bad Request: file is too big",
	"Bad Request: wrong file_id or the file is temporarily unavailable",
	"Bad Request: query is too old and response timeout expired or query ID is invalid",
	"Bad Request: group chat was upgraded to a supergroup chat",
	"Bad Request: TOPIC_CLOSED",
	"Forbidden: bot was blocked by the user",
	"Forbidden: bot was kicked from the group chat",
	"Forbidden: bot was kicked from the supergroup chat",
	"Forbidden: bot was kicked from the channel chat",
	"Forbidden: bot is not a member of the channel chat",
	"Forbidden: bot is not a member of the supergroup chat",
	"Forbidden: bot can't initiate conversation with a user",
	"Forbidden: bot can't send messages to bots",
	"Forbidden: user is deactivated",
	"Forbidden: the group chat was deleted",
	"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
	"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
	"Unauthorized",
	"Not Found",
	"Request Entity Too Large", // a 413: an upload over the Bot API's limit
	"Too Many Requests",
	"Internal Server Error",
	"Bad Gateway",
	"Service Unavailable",
	"Gateway Timeout",
}

// retryAfter is Telegram's description of a 429 (the library's
// TooManyRequestsError adds its retry_after).
var retryAfter = regexp.MustCompile(`^Too Many Requests: retry after \d+(?:: retry_after \d+)?$`)

// safeDescription keeps a Bot API description only if it is a known one
// (knownDescriptions, "Too Many Requests: retry after N"), the details
// Telegram adds after one withheld; any other, which may quote the chat id
// or the text it was sent (an entity it could not parse, a proxy echoing
// the request), is withheld whole: its kind, if it names a known one
// ("Bad Request"), and its length are all that is logged.
func safeDescription(d string) string {
	if retryAfter.MatchString(d) {
		return d
	}
	for _, k := range knownDescriptions {
		if d == k {
			return d
		}
		if strings.HasPrefix(d, k+":") {
			return k + " (details withheld)"
		}
	}
	withheld := fmt.Sprintf("(description withheld, %d bytes)", len(d))
	if kind, _, ok := strings.Cut(d, ":"); ok && slices.ContainsFunc(knownDescriptions, func(k string) bool { return strings.HasPrefix(k, kind+":") }) {
		return kind + ": " + withheld
	}
	return withheld
}

// Run polls for updates and handles them until ctx ends. Updates of one
// chat are handled in order; different chats run in parallel. An update is
// confirmed to Telegram only once handled, or stored in the inbox (see
// poll.go). A 429 is waited out for Telegram's retry_after. If Telegram refuses the token (revoked), Run
// logs one ERROR and returns ErrUnauthorized at once.
func (a *Adapter) Run(ctx context.Context, h Handler) error {
	// A webhook left set would make getUpdates fail; pending updates stay.
	if _, err := a.b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{DropPendingUpdates: false}); err != nil && ctx.Err() == nil {
		a.log.Warn("telegram deleteWebhook failed", "error", a.redact(err))
	}
	a.setCommands(ctx, h.Commands())
	stop := a.startInbox(ctx, h) // poll.go
	defer stop()
	var offset int64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if !a.roomInInbox(ctx, offset) {
			break
		}
		updates, raws, next, err := a.getUpdates(ctx, offset, a.o.PollTimeout, 0)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			a.connected.Store(false)
			if errors.Is(err, ErrUnauthorized) {
				// Revoked or replaced in @BotFather: no retry will work, and
				// a bot that silently stopped answering on Telegram would
				// lose every tip sent meanwhile. Said once, loudly; the
				// caller decides what stops. (What was handled stays
				// unconfirmed: redelivered, once the new token is set, to
				// idempotent writes.)
				a.log.Error("telegram refused the bot token (401 Unauthorized): it was revoked or replaced with @BotFather; polling stopped")
				return ErrUnauthorized
			}
			wait := min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			var tooMany *bot.TooManyRequestsError
			if errors.As(err, &tooMany) && tooMany.RetryAfter > 0 {
				// Telegram says how long to wait: sooner is refused again,
				// and the flood wait may grow.
				wait = time.Duration(tooMany.RetryAfter) * time.Second
				if a.o.OnRateLimit != nil {
					a.o.OnRateLimit()
				}
			} else {
				backoff = wait
			}
			a.log.Warn("telegram getUpdates failed", "error", a.redact(err), "retry_in", wait.String())
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			continue
		}
		backoff = 0
		a.connected.Store(true)
		// Into the inbox, or else handled now (deliver, poll.go); then the
		// next getUpdates confirms them.
		a.deliver(ctx, h, updates, raws)
		offset = next
	}
	if offset > 0 {
		// Confirm what was handled, so a restart does not redeliver it.
		if err := a.confirm(context.Background(), offset); err != nil {
			a.log.Warn("telegram final confirm failed", "error", a.redact(err))
		}
	}
	return nil
}

// setCommands fills Telegram's command menu, in every supported language,
// from the same messages Discord uses. Investigator commands are not
// listed: the menu is the same for everyone.
func (a *Adapter) setCommands(ctx context.Context, table []*commands.Command) {
	if a.o.Messages == nil {
		return
	}
	menu := func(lang string) []models.BotCommand {
		var out []models.BotCommand
		for _, c := range table {
			if c.Role == commands.Anyone {
				out = append(out, models.BotCommand{Command: c.Name, Description: a.o.Messages.Localize(lang, "command_"+c.Name, nil)})
			}
		}
		return out
	}
	codes := map[string]string{"": a.o.DefaultLanguage}
	for _, l := range locales.Supported {
		code, _, _ := strings.Cut(strings.ToLower(l), "-") // Telegram uses "pt", not "pt-BR"
		codes[code] = l
	}
	for code, lang := range codes {
		if lang == "" {
			lang = locales.Supported[0]
		}
		if _, err := a.b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: menu(lang), LanguageCode: code}); err != nil {
			if ctx.Err() != nil {
				// Stopping (a start-up that failed elsewhere, a signal):
				// not a failure of the menu, and the log's last line
				// should say what stopped it.
				return
			}
			a.log.Warn("telegram setMyCommands failed", "language", code, "error", a.redact(err))
		}
	}
}

// handleBatch handles updates, each chat's in order, at most Workers chats
// at once, and returns when all are done.
func (a *Adapter) handleBatch(ctx context.Context, h Handler, updates []*models.Update) {
	var order []int64
	byChat := map[int64][]*models.Update{}
	for _, u := range updates {
		c := chatOf(u)
		if _, ok := byChat[c]; !ok {
			order = append(order, c)
		}
		byChat[c] = append(byChat[c], u)
	}
	sem := make(chan struct{}, a.o.Workers)
	var wg sync.WaitGroup
	for _, c := range order {
		sem <- struct{}{}
		wg.Add(1)
		go func(list []*models.Update) {
			defer wg.Done()
			defer func() { <-sem }()
			for i, u := range list {
				a.handle(ctx, h, u, albumRun(list, i))
			}
		}(byChat[c])
	}
	wg.Wait()
}

// albumPlace is where an update stands in a private album delivered in
// one batch: the items of it so far (this one included), and whether
// another follows.
type albumPlace struct {
	group string // the album's id
	items int
	more  bool
}

// albumRun places list[i] in its run of items of one private album (a
// chat's updates, in order); zero for anything else.
func albumRun(list []*models.Update, i int) albumPlace {
	group := func(j int) string {
		if j < 0 || j >= len(list) {
			return ""
		}
		return privateAlbum(list[j])
	}
	g := group(i)
	if g == "" {
		return albumPlace{}
	}
	p := albumPlace{group: g, items: 1, more: group(i+1) == g}
	for j := i - 1; group(j) == g; j-- {
		p.items++
	}
	return p
}

// privateAlbum is the album (media group) id of an item of an album sent
// in a private chat, or "".
func privateAlbum(u *models.Update) string {
	if u.Message == nil || u.Message.Chat.Type != models.ChatTypePrivate {
		return ""
	}
	return u.Message.MediaGroupID
}

func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		// In its chat's order: an edit is answered after the message it
		// edits, and a slow one holds up no other chat.
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
		return u.CallbackQuery.Message.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message.InaccessibleMessage != nil:
		return u.CallbackQuery.Message.InaccessibleMessage.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.ChannelPost != nil:
		return u.ChannelPost.Chat.ID
	case u.EditedChannelPost != nil:
		return u.EditedChannelPost.Chat.ID
	}
	return 0
}

// handle translates one update and hands it to the engine.
//
// A panic on the way (a bug reached by what was sent) is logged
// (recovered.go); its sender, in a private chat, is told that it went
// wrong, unless the engine had the update already: it answers it, also
// after a panic of its own.
func (a *Adapter) handle(ctx context.Context, h Handler, u *models.Update, album albumPlace) {
	engine := false
	defer a.survive("update", func() {
		if !engine {
			a.failed(ctx, h, u)
		}
	})
	a.reach("translate", u)
	ctx, cancel := context.WithTimeout(ctx, a.o.HandlerTimeout)
	defer cancel()
	if u.Message == nil && u.ChannelPost == nil && u.CallbackQuery != nil {
		// Stop the button's spinner whatever happens next.
		if _, err := a.b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID}); err != nil {
			a.log.Warn("telegram answerCallbackQuery failed", "error", a.redact(err))
		}
	}
	if from, to, ok := migration(u.Message); ok {
		a.chatMoved(ctx, h, from, to)
		return
	}
	req, w, ok := a.translate(u)
	if key := albumKey(u.Message); key != "" {
		// Every item of a group's album is recorded, whoever posted it
		// and whether or not it goes to the engine.
		if a.albums.add(key, u.Message.ID) && !(ok && req.Addressed) {
			// An item of an album the engine removed: it goes too.
			a.deleteItems(ctx, u.Message.Chat.ID, []int{u.Message.ID}, 0)
			return
		}
		if ok {
			w.album = key
		}
	}
	if !ok {
		return
	}
	if u.Message != nil {
		a.fetchFile(ctx, &req, u.Message)
		if req.ChatKind == commands.Private {
			// A private album: one answer for it (commands.Request).
			req.AlbumMore, req.AlbumItems = album.more, album.items
		}
	}
	engine = true
	h.Handle(ctx, req, w)
}

// reach calls the test hook reached, if set.
func (a *Adapter) reach(point string, u *models.Update) {
	if a.reached != nil {
		a.reached(point, u)
	}
}

// translate turns an update into a request and the replier that answers
// it, without any I/O. It returns false for an update the engine does not
// handle.
func (a *Adapter) translate(u *models.Update) (commands.Request, *replier, bool) {
	switch {
	case u.Message != nil && postedAsChat(u.Message):
		// An anonymous group admin: Telegram sends it from
		// GroupAnonymousBot (a bot), as the group itself.
		return a.requestAsChat(u.ID, u.Message)
	case u.Message != nil && u.Message.SenderChat != nil && u.Message.Chat.Type != models.ChatTypePrivate && !u.Message.IsAutomaticForward:
		// A member posting on behalf of another chat (their own channel,
		// which may well name them): as a channel's post, but no admin.
		return a.requestOnBehalf(u.ID, u.Message)
	case u.Message != nil:
		req, ok := a.request(u.ID, u.Message)
		if !ok {
			return commands.Request{}, nil, false
		}
		return req, &replier{a: a, chatID: u.Message.Chat.ID, userID: u.Message.From.ID, messageID: u.Message.ID, thread: threadOf(u.Message)}, true
	case u.EditedMessage != nil:
		// An edit in a private chat changes nothing Vigía keeps (a part is
		// kept as first sent): the reporter is told, since an edit that
		// takes out a name would otherwise look like it did. Edits in
		// groups are not ours.
		m := u.EditedMessage
		if m.Chat.Type != models.ChatTypePrivate && m.Chat.Type != models.ChatTypeChannel && postedAsChat(m) {
			// An anonymous admin's post edited to put a code in view (an
			// invitation pasted, or linked as words).
			return a.editedAsChat(u.ID, m)
		}
		if m.Chat.Type != models.ChatTypePrivate && m.Chat.Type != models.ChatTypeChannel && m.SenderChat != nil && !m.IsAutomaticForward {
			// A member's post on behalf of another chat (their own
			// channel, which may well name them) edited as a member's
			// message is (below): to name the bot or into one of its
			// commands (a tip in view, removed), or to put a code in view
			// (removed if it is a receipt or a live invitation code), as
			// a new one's (requestOnBehalf). Not an edit of a reply to
			// the bot that does not name it.
			req, ok := a.chatRequest(u.ID, m, m.SenderChat.ID)
			text, entities := messageText(m)
			if !ok || !(req.Command != "" || a.mentioned(text, entities) || codeLike(req.Text, req.HiddenLinks)) {
				return commands.Request{}, nil, false
			}
			req.Edited = true
			return req, &replier{a: a, chatID: m.Chat.ID, messageID: m.ID, thread: threadOf(m)}, true
		}
		if m.Chat.Type != models.ChatTypePrivate && m.Chat.Type != models.ChatTypeChannel {
			// A group message edited to name the bot (or into one of its
			// commands): maybe a tip, or a code, now in view, for the
			// engine to remove as a new one. (Not an edit of a reply to
			// the bot: a community correcting its answer to a warning.)
			// So is one edited to hold code-like words: the engine removes
			// it if one is a receipt or invitation code, as a new one.
			req, ok := a.request(u.ID, m)
			text, entities := messageText(m)
			if !ok || m.SenderChat != nil || !(req.Command != "" || a.mentioned(text, entities) || codeLike(text, req.HiddenLinks)) {
				return commands.Request{}, nil, false
			}
			req.Edited = true // (the engine runs no command edited in the investigators' chat again)
			return req, &replier{a: a, chatID: m.Chat.ID, userID: m.From.ID, messageID: m.ID, thread: threadOf(m)}, true
		}
		if m.From == nil || m.Chat.Type != models.ChatTypePrivate || m.Location != nil || m.Venue != nil {
			// (A live location is sent again as an edit at every move, for
			// hours: not an edit of what the reporter wrote.)
			return commands.Request{}, nil, false
		}
		req := commands.Request{
			Platform: Platform, UserID: strconv.FormatInt(m.From.ID, 10), ChatID: strconv.FormatInt(m.Chat.ID, 10),
			ChatKind: commands.Private, EventID: u.ID, Language: m.From.LanguageCode, Edited: true, MessageID: strconv.Itoa(m.ID),
			UserChat: strconv.FormatInt(m.From.ID, 10), Name: displayName(m.From),
		}
		return req, &replier{a: a, chatID: m.Chat.ID, userID: m.From.ID, thread: threadOf(m)}, true
	case u.ChannelPost != nil:
		// Only commands posted as the channel itself (by its admins) count.
		if !postedAsChat(u.ChannelPost) {
			return commands.Request{}, nil, false
		}
		return a.requestAsChat(u.ID, u.ChannelPost)
	case u.EditedChannelPost != nil:
		// A channel's post edited to put a code in view (an invitation
		// pasted, or linked as words), as an anonymous admin's edit in a
		// group.
		if !postedAsChat(u.EditedChannelPost) {
			return commands.Request{}, nil, false
		}
		return a.editedAsChat(u.ID, u.EditedChannelPost)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		var chat models.Chat
		switch {
		case q.Message.Message != nil:
			chat = q.Message.Message.Chat
		case q.Message.InaccessibleMessage != nil:
			chat = q.Message.InaccessibleMessage.Chat // a button on an old message
		default:
			return commands.Request{}, nil, false
		}
		if q.Data == "" {
			return commands.Request{}, nil, false
		}
		req := commands.Request{
			Platform: Platform, UserID: strconv.FormatInt(q.From.ID, 10), ChatID: strconv.FormatInt(chat.ID, 10),
			ChatKind: chatKind(chat), EventID: u.ID, Language: q.From.LanguageCode, Callback: q.Data,
			UserChat: strconv.FormatInt(q.From.ID, 10), Name: displayName(&q.From),
		}
		switch {
		case q.Message.Message != nil:
			req.MessageID = strconv.Itoa(q.Message.Message.ID)
		case q.Message.InaccessibleMessage != nil:
			req.MessageID = strconv.Itoa(q.Message.InaccessibleMessage.MessageID)
		}
		return req, &replier{a: a, chatID: chat.ID, thread: threadOf(q.Message.Message)}, true
	}
	return commands.Request{}, nil, false
}

// postedAsChat reports whether m was posted as its own chat: a channel
// post, or a group message of an anonymous admin. Only the chat's admins
// can post so; a message sent on behalf of another chat (a linked channel,
// any channel a member owns) is not.
func postedAsChat(m *models.Message) bool {
	return m.SenderChat != nil && m.SenderChat.ID == m.Chat.ID
}

// requestAsChat is the request of a command posted as the chat itself (see
// postedAsChat), from its admins: the chat stands for the sender, its
// admin rights included, and anything but a command is left alone.
func (a *Adapter) requestAsChat(updateID int64, p *models.Message) (commands.Request, *replier, bool) {
	req, ok := a.chatRequest(updateID, p, p.Chat.ID)
	if !ok {
		return commands.Request{}, nil, false
	}
	return req, &replier{a: a, chatID: p.Chat.ID, messageID: p.ID, channelPost: true, thread: threadOf(p)}, true
}

// editedAsChat is the request of a post made as the chat itself (see
// postedAsChat), edited: one that now puts a code in view is handed on,
// Edited, for the engine to void and remove a live invitation or a
// receipt code, as it does a new post's: a command ("/redeem CODE") or a
// message to the bot holding one too, since the code is in view all the
// same (the engine runs no edited command again). Nothing else of such
// an edit.
func (a *Adapter) editedAsChat(updateID int64, m *models.Message) (commands.Request, *replier, bool) {
	req, ok := a.chatRequest(updateID, m, m.Chat.ID)
	if !ok || !codeLike(req.Text, req.HiddenLinks) {
		return commands.Request{}, nil, false
	}
	req.Edited = true
	return req, &replier{a: a, chatID: m.Chat.ID, messageID: m.ID, channelPost: true, thread: threadOf(m)}, true
}

// requestOnBehalf is the request of a group message posted on behalf of
// another chat (sender_chat, not the group: a member's own channel, a
// linked channel), a command or a message to the bot: as one posted as a
// chat, but not from the group's admins (its replier asks no one).
func (a *Adapter) requestOnBehalf(updateID int64, p *models.Message) (commands.Request, *replier, bool) {
	req, ok := a.chatRequest(updateID, p, p.SenderChat.ID)
	if !ok {
		return commands.Request{}, nil, false
	}
	return req, &replier{a: a, chatID: p.Chat.ID, messageID: p.ID, thread: threadOf(p)}, true
}

// chatRequest is the request of message p posted as chat sender: a
// command, one with code-like words (an anonymous admin pasting an
// invitation code in the group, or a channel's admin in the channel: the
// engine voids and removes a live one, as it does a member's), or in a
// group a message to the bot (a mention, a reply to it: maybe a tip in
// view, for the engine to remove). Anything else is left alone.
func (a *Adapter) chatRequest(updateID int64, p *models.Message, sender int64) (commands.Request, bool) {
	req := commands.Request{Platform: Platform, UserID: "chan" + strconv.FormatInt(sender, 10), ChatID: strconv.FormatInt(p.Chat.ID, 10),
		ChatKind: commands.Group, EventID: updateID, PostedAsChat: true, MessageID: strconv.Itoa(p.ID)}
	text, entities := a.readText(&req, p)
	req.HiddenLinks = hiddenLinks(text, entities, nil, false, false) // posted as a chat: no account of the sender's; in a group or channel no mention's account (hiddenLinks)
	if p.Chat.Type == models.ChatTypeChannel {
		req.ChannelPost = true
		// A channel's own post: its commands, or code-like words (an
		// invitation code pasted there reaches every subscriber, any of
		// whom could redeem it: the engine voids and removes a live one).
		return req, req.Command != "" || codeLike(text, req.HiddenLinks)
	}
	return req, req.Command != "" || req.Addressed || codeLike(text, req.HiddenLinks)
}

// codeLike reports whether a message puts a code-like word in view (a
// receipt or invitation code, maybe): in its text, in a link it shows
// as words ("mira aquí" pointing to …?c=CODE), or across the text's end
// and such a link ("mira K7QD-9XMA" linked to …?c=R2TP-4WZN), as the
// engine reads it (tips.MessageCodesIn).
func codeLike(text string, links []string) bool {
	return len(tips.MessageCodesIn(append([]string{text}, links...))) > 0
}

func chatKind(c models.Chat) commands.ChatKind {
	if c.Type == models.ChatTypePrivate {
		return commands.Private
	}
	return commands.Group
}

// confirm confirms to Telegram the updates before offset without taking
// more: getUpdates at offset, for one update at most, not waiting; what
// it answers stays unconfirmed (the next getUpdates asks from offset
// again) and is dropped.
func (a *Adapter) confirm(ctx context.Context, offset int64) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, _, _, err := a.getUpdates(ctx, offset, 0, 1)
	return err
}

// allowedUpdates are the kinds of update the bot asks Telegram for
// (polling and webhook alike). A channel's post edited to put an
// invitation or receipt code in view is one: left out, it would stay in
// view, the invitation valid.
var allowedUpdates = []string{
	models.AllowedUpdateMessage, models.AllowedUpdateEditedMessage, models.AllowedUpdateCallbackQuery,
	models.AllowedUpdateChannelPost, models.AllowedUpdateEditedChannelPost,
}

// getUpdates asks for updates after offset-1 (which confirms all before
// it), limit at most (0: Telegram's default, 100), and returns them, each
// with its JSON as received, and the next offset. An update the library
// cannot decode is skipped, so one odd update cannot wedge the bot.
func (a *Adapter) getUpdates(ctx context.Context, offset int64, timeout time.Duration, limit int) ([]*models.Update, []json.RawMessage, int64, error) {
	form := url.Values{}
	form.Set("offset", strconv.FormatInt(offset, 10))
	form.Set("timeout", strconv.Itoa(int(timeout/time.Second)))
	if limit > 0 {
		form.Set("limit", strconv.Itoa(limit))
	}
	allowed, _ := json.Marshal(allowedUpdates)
	form.Set("allowed_updates", string(allowed))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.o.APIURL+"/bot"+a.o.Token+"/getUpdates", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, offset, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, nil, offset, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, nil, offset, err
	}
	return a.decodeUpdates(body, offset, resp.StatusCode)
}

// decodeUpdates reads a getUpdates response. An update the library cannot
// decode even with salvage is skipped (and confirmed), so one odd update
// cannot wedge the bot.
func (a *Adapter) decodeUpdates(body []byte, offset int64, status int) ([]*models.Update, []json.RawMessage, int64, error) {
	var r struct {
		OK          bool   `json:"ok"`
		ErrorCode   int    `json:"error_code"`
		Description string `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
		Result []json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, nil, offset, fmt.Errorf("getUpdates: undecodable response (HTTP %d)", status)
	}
	if !r.OK {
		switch {
		case r.ErrorCode == http.StatusUnauthorized:
			return nil, nil, offset, ErrUnauthorized
		case r.ErrorCode == http.StatusTooManyRequests:
			// The library's typed error, with Telegram's
			// parameters.retry_after (Run waits that long).
			return nil, nil, offset, &bot.TooManyRequestsError{Message: "getUpdates: 429 " + r.Description, RetryAfter: r.Parameters.RetryAfter}
		}
		return nil, nil, offset, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	next := offset
	var out []*models.Update
	var raws []json.RawMessage
	for _, raw := range r.Result {
		var u models.Update
		if err := json.Unmarshal(raw, &u); err == nil {
			out, raws = append(out, &u), append(raws, raw)
		} else if s, ok := salvage(raw); ok {
			u = *s
			out, raws = append(out, s), append(raws, raw)
			a.log.Warn("telegram update partly undecodable: handled without its origin or quoted message")
		} else {
			var id struct {
				ID int64 `json:"update_id"`
			}
			if json.Unmarshal(raw, &id) != nil {
				continue
			}
			u = models.Update{ID: id.ID}
			a.log.Warn("telegram update skipped: cannot decode it")
		}
		if u.ID >= next {
			next = u.ID + 1
		}
	}
	return out, raws, next, nil
}

// salvage decodes an update the library refuses, so a reporter's message
// is not dropped unanswered because of a part the bot does not need: an
// origin of a type the library does not know (Telegram adds some) counts
// as a person's, not named; failing that, the message it replies to or
// quotes is left out. An edit too (a message or a channel's post edited
// to put a code in view is removed as a new one is).
// basicFields are the fields of a message salvage keeps last: who, where,
// and its text. Not a caption: it goes with content that is lost, and
// kept alone it would be taken for all the reporter sent.
var basicFields = []string{"message_id", "message_thread_id", "date", "chat", "from", "sender_chat", "text", "entities", "forward_origin", "is_topic_message"}

func salvage(raw []byte) (*models.Update, bool) {
	var u map[string]json.RawMessage
	if json.Unmarshal(raw, &u) != nil {
		return nil, false
	}
	for step, drop := range [][]string{nil, {"reply_to_message", "external_reply", "quote", "reply_markup", "pinned_message"}, nil} {
		for _, k := range []string{"message", "channel_post", "edited_message", "edited_channel_post"} {
			var m map[string]json.RawMessage
			if u[k] == nil || json.Unmarshal(u[k], &m) != nil || m == nil {
				continue
			}
			if _, ok := m["forward_origin"]; ok {
				m["forward_origin"] = json.RawMessage(`{"type":"hidden_user","date":0,"sender_user_name":""}`)
			}
			for _, d := range drop {
				delete(m, d)
			}
			if step == 2 {
				// Last: a kind of content the library cannot read (a new
				// media type) goes, and what is left is answered (as a
				// message of a kind Vigía does not take) rather than
				// dropped without a word.
				for f := range m {
					if !slices.Contains(basicFields, f) {
						delete(m, f)
					}
				}
			}
			u[k], _ = json.Marshal(m)
		}
		b, err := json.Marshal(u)
		if err != nil {
			return nil, false
		}
		var out models.Update
		if json.Unmarshal(b, &out) == nil {
			return &out, true
		}
	}
	return nil, false
}

// Connected reports whether Telegram answered the last request (polling),
// or whether the webhook is registered (webhook mode).
func (a *Adapter) Connected() bool { return a.connected.Load() }

// Username is the bot's own username, as getMe gave it at New ("" if it
// has none).
func (a *Adapter) Username() string { return a.username }

// fetchFile downloads a photo (its largest size) or a file a reporter
// sent "as a file" in a private chat, so the engine can strip its metadata
// and keep it sealed: Telegram file ids point back at the reporter's
// message. Files over storage.MaxFileSize (Telegram's own download limit
// is 20 MB), other kinds (videos, voice notes), and any failed download
// stay Telegram file ids. The download link holds the bot token: it never
// reaches a log or an error.
func (a *Adapter) fetchFile(ctx context.Context, req *commands.Request, m *models.Message) {
	// A caption that begins with a command does not matter: in a private
	// chat the engine keeps a file with its caption as tip text, so the
	// file must be cleaned all the same.
	if req.ChatKind != commands.Private || req.Attachment == nil {
		return
	}
	var fileID string
	var size int64
	switch {
	case m.Document != nil:
		fileID, size = m.Document.FileID, m.Document.FileSize
	case len(m.Photo) > 0:
		largest := m.Photo[len(m.Photo)-1]
		fileID, size = largest.FileID, int64(largest.FileSize)
	default:
		return
	}
	if size > storage.MaxFileSize {
		return
	}
	f, err := a.b.GetFile(ctx, &bot.GetFileParams{FileID: fileID})
	if err != nil {
		a.log.Warn("telegram getFile failed; the document is kept as a Telegram file id", "error", a.redact(err))
		return
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, a.b.FileDownloadLink(f), nil)
	if err != nil {
		a.log.Warn("telegram file download failed", "error", a.redact(err))
		return
	}
	resp, err := a.http.Do(hr)
	if err != nil {
		a.log.Warn("telegram file download failed", "error", a.redact(err))
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		a.log.Warn("telegram file download failed", "status", resp.StatusCode)
		return
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, storage.MaxFileSize+1))
	if err != nil {
		a.log.Warn("telegram file download failed", "error", a.redact(err))
		return
	}
	req.FileData = data
	req.Attachment = &tips.Attachment{Kind: req.Attachment.Kind}
}
