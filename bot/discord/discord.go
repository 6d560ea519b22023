// Package discord connects Vigía to Discord with github.com/bwmarrin/discordgo:
// slash commands registered from the engine's command table, a form (modal)
// for /report, buttons, and direct messages. Every answer to a member in a
// server is ephemeral, so nobody else can tell who reported.
//
// discordgo's sharp edges are handled here: its unbounded 429 retry is off
// (retry is bounded and honours the request's context), its debug log, which
// prints the token, stays off, and its own log lines are reduced to their
// format strings, so no payload reaches a log.
package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// Platform is Discord's platform name in requests and routes.
const Platform = "discord"

// ErrUnauthorized means Discord rejected the bot token.
var ErrUnauthorized = errors.New("discord rejected the bot token")

// ErrNoPostChannel means an investigators' channel is one nobody posts in
// directly: a forum or media channel (messages go in its posts, which are
// threads) or a category. Alerts sent there would all be refused.
var ErrNoPostChannel = errors.New("discord: an investigators' channel is a forum, media or category channel")

// Handler handles one request; *commands.Mux is one.
type Handler interface {
	Handle(ctx context.Context, req commands.Request, w commands.Replier)
	Commands() []*commands.Command
}

// Options configure the adapter.
type Options struct {
	Token string
	// GuildID registers the commands on one server (instant, for testing);
	// empty registers them globally.
	GuildID string
	// APIURL replaces https://discord.com (a proxy, or a fake in tests).
	APIURL string
	// InvestigatorChannels are channel ids where investigator answers are
	// public to the channel (in its threads too); elsewhere they are
	// ephemeral.
	InvestigatorChannels []string
	Messages             *locales.Bundle
	Logger               *slog.Logger
	// OnRateLimit, if set, is called for every 429 (for metrics).
	OnRateLimit func()
	// Self, if set, is told the bot's own user id and username at each
	// READY (the engine does not count them as a tip's entities).
	Self func(handles ...string)
	// HandlerTimeout bounds the engine's handling of one event (of one
	// part of a message with files); default 30 s. It starts after the
	// part's file is downloaded.
	HandlerTimeout time.Duration
	// DownloadTimeout bounds the download of one attached file; default
	// 20 s. A file not fetched in time is passed on as lost, so a stalled
	// download costs that file only, not the message's text or its reply.
	DownloadTimeout time.Duration
	// DeferAfter is when an interaction still unanswered is deferred
	// (Discord drops it after 3 s); default 2 s.
	DeferAfter time.Duration
	// QueueLimit is how many of one user's events may wait behind the one
	// being handled; one more is answered at once to be sent again
	// (rate_limited). Default 8.
	QueueLimit int
	// ShutdownTimeout bounds how long Run, once its context ends, waits for
	// the events in flight; default 20 s. Past it, events still queued are
	// answered to be sent again (restarting_resend) and the handling in
	// flight is cut, its answer still sent (commands.ReplyGrace): all within
	// docker compose's stop_grace_period of 45 s.
	ShutdownTimeout time.Duration
}

// Adapter is a Discord bot.
type Adapter struct {
	o        Options
	msg      *locales.Bundle // Options.Messages, or the built-in messages
	s        *discordgo.Session
	log      *slog.Logger
	http     *http.Client
	invChans map[string]bool

	mu    sync.Mutex
	appID string
	botID string
	// editsTold holds, per server message edited to mention the bot, the
	// edit time handled (mentionedByEdit); cleared when it grows large.
	editsTold map[string]time.Time
	// threads holds, per server channel looked up, whether it is a thread
	// of an investigators' channel (investigators); cleared when it
	// grows large.
	threads map[string]bool
	// dmNotices holds, per server channel and kind of notice, the
	// DMs-closed notice in view (dmClosedNotice); dmNoticeLife,
	// dmNoticeKept and dmNoticeGap are the constants of those names,
	// shorter in tests.
	dmNotices    map[string]*dmNotice
	dmNoticeLife time.Duration
	dmNoticeKept time.Duration
	dmNoticeGap  time.Duration
	watched      map[string]*watched  // server messages being handled (watchMessage)
	tokens       map[string]heldToken // ephemeral interactions' tokens, by id (holdToken)
	tokenLife    time.Duration        // the constant of that name, shorter in tests
	// registerTimeout is the constant of that name, shorter in tests.
	registerTimeout time.Duration
	reconnected     chan struct{}    // a recheck is due (kickRecheck)
	dropped         chan struct{}    // a Disconnect: the gateway is to be opened again (reconnect.go)
	halt            chan struct{}    // closed as stop begins: the reconnector opens no more
	stopping        bool             // stop has begun (halt is closed)
	reconnectorDone chan struct{}    // closed as the reconnector returns; nil if never started
	refused         chan error       // the refusal (see refusal) that ended the reconnector; Run returns it
	closedWith      error            // a refusal read on a connection that was up (liveclose.go)
	wsConn          **websocket.Conn // s's connection: its unexported field (liveclose.go)
	gatewayURL      *string          // s's gateway URL, "" until asked for: its unexported field (gatewayaddr.go)
	beforeReopen    func()           // if set, called before each Open of the reconnector (tests hold it there)
	looked          func()           // if set, called once waitBucket let a request go, before its call (tests set a global limit there)
	encoded         func()           // if set, called once a send's or an answer's upload is encoded (tests set a global limit there)
	handshakeTime   time.Duration    // gatewayHandshake, shorter in tests
	gatewayAskTime  time.Duration    // gatewayAsk, shorter in tests
	slots           slots            // interactions' rate-limit buckets (takeSlot)
	turns           bucketTurns      // requests on a bucket take turns (bucketturn.go)
	ready           chan struct{}
	wg              sync.WaitGroup
	ctx             context.Context // the events' base context (see stopCtx)
	end             func()          // ends ctx: the shutdown deadline is over
	h               Handler
	cmds            map[string]*commands.Command
	names           map[string]bool // every command's name and aliases

	// hmu guards handshake (the context of the Open under way, ended to
	// cut it; nil between Opens) and dialed (that Open's connection, once
	// dialed): see handshake.go.
	hmu       sync.Mutex
	handshake context.Context
	dialed    *gatewayConn

	// rl guards s.Ratelimiter: every REST call holds it for reading, and the
	// janitor swaps in a fresh limiter, since discordgo keeps one bucket per
	// route forever, and every channel and DM has routes of its own
	// (interactions' answers take turns with a few: see tokenbucket.go).
	rl sync.RWMutex

	registered atomic.Bool // the commands are registered, and Run runs
	gatewayUp  atomic.Bool // the gateway connection is up (see onGateway)

	qmu    sync.Mutex
	queues map[string]*userQueue // by user id, while they have events to run
}

// Connected reports whether the gateway is up and the commands registered.
func (a *Adapter) Connected() bool { return a.registered.Load() && a.gatewayUp.Load() }

// onGateway follows the gateway connection: the adapter reconnects by
// itself (reconnect.go), so a connection lost for long (a network cut)
// shows only as a Disconnect with no Connect after it. Events come in
// order (SyncEvents) on each of discordgo's goroutines, not across them: a
// Disconnect can come late, so the reconnector checks (reconnect).
func (a *Adapter) onGateway(_ *discordgo.Session, ev any) {
	switch ev.(type) {
	case *discordgo.Ready, *discordgo.Resumed:
		a.gatewayUp.Store(true)
		a.kickRecheck() // deletions may have been missed (recheck.go)
	case *discordgo.Connect:
		a.gatewayUp.Store(true)
	case *discordgo.Disconnect:
		a.gatewayUp.Store(false)
	}
}

// libraryLog is where discordgo's own log lines go (it has one global
// logger); the newest adapter's logger wins.
var libraryLog atomic.Pointer[slog.Logger]

// useLibraryLog sets discordgo.Logger once: discordgo's goroutines read it
// with no lock, so it is not written again while another adapter runs.
var useLibraryLog sync.Once

// New prepares an adapter; Run connects it.
func New(o Options) (*Adapter, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HandlerTimeout <= 0 {
		o.HandlerTimeout = 30 * time.Second
	}
	if o.DeferAfter <= 0 {
		o.DeferAfter = 2 * time.Second
	}
	if o.DownloadTimeout <= 0 {
		o.DownloadTimeout = 20 * time.Second
	}
	if o.QueueLimit <= 0 {
		o.QueueLimit = 8
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 20 * time.Second
	}
	s, err := discordgo.New("Bot " + o.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	wsConn, gatewayURL := sessionField[*websocket.Conn](s, "wsConn"), sessionField[string](s, "gateway")
	if wsConn == nil || gatewayURL == nil {
		return nil, errLibrary
	}
	a := &Adapter{o: o, wsConn: wsConn, gatewayURL: gatewayURL, msg: o.Messages, s: s, log: o.Logger, invChans: map[string]bool{}, ready: make(chan struct{}), queues: map[string]*userQueue{}, dmNoticeLife: dmNoticeLife, dmNoticeKept: dmNoticeKept, dmNoticeGap: dmNoticeGap, tokenLife: tokenLife, registerTimeout: registerTimeout, reconnected: make(chan struct{}, 1), dropped: make(chan struct{}, 1), halt: make(chan struct{}), refused: make(chan error, 1), handshakeTime: gatewayHandshake, gatewayAskTime: gatewayAsk}
	if a.msg == nil {
		if a.msg, err = locales.Load(); err != nil {
			return nil, fmt.Errorf("discord: %w", err)
		}
	}
	for _, c := range o.InvestigatorChannels {
		a.invChans[c] = true
	}
	transport := http.DefaultTransport
	if o.APIURL != "" {
		u, err := url.Parse(o.APIURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("discord: bad API URL")
		}
		transport = rewriteHost{to: u, next: http.DefaultTransport}
	}
	a.http = &http.Client{Timeout: 30 * time.Second, Transport: gatewayAsker{a: a, next: plainRateLimit{next: transport}}}
	s.Client = a.http
	s.Dialer = a.newDialer()
	s.ShouldRetryOnRateLimit = false // discordgo would retry 429s forever
	s.MaxRestRetries = 0
	s.ShouldReconnectOnError = false // the adapter reconnects (reconnect.go): stop cannot turn discordgo's off safely
	s.Debug = false
	s.LogLevel = discordgo.LogWarning
	s.StateEnabled = false
	s.SyncEvents = true // handlers run in the gateway's order, and must not block (see queue.go)
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	libraryLog.Store(o.Logger)
	useLibraryLog.Do(func() {
		// Format strings only: the arguments can be payloads or URLs with tokens.
		discordgo.Logger = func(level, _ int, format string, args ...any) {
			libraryLog.Load().Log(context.Background(), libraryLevel(format, args), "discordgo", "level", level, "message", format)
		}
	})
	// (Each guarded: discordgo calls them on its read loop, with no
	// recover.)
	s.AddHandler(guardEvent(a, a.onReady))
	s.AddHandler(guardEvent(a, a.onGateway))
	s.AddHandler(guardEvent(a, a.onConnect))
	s.AddHandler(guardEvent(a, a.onDisconnect))
	s.AddHandler(guardEvent(a, a.queueInteractionEvent))
	s.AddHandler(guardEvent(a, a.queueMessage))
	s.AddHandler(guardEvent(a, a.queueEdit))
	s.AddHandler(guardEvent(a, a.queueUndecodable))
	s.AddHandler(guardEvent(a, a.onMessageDelete))
	s.AddHandler(guardEvent(a, a.onMessageDeleteBulk))
	return a, nil
}

// rewriteHost sends requests for discord.com to another base URL.
type rewriteHost struct {
	to   *url.URL
	next http.RoundTripper
}

func (r rewriteHost) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == "discord.com" {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
		req.Host = r.to.Host
	}
	return r.next.RoundTrip(req)
}

// plainRateLimit gives a 429 whose body is not Discord's JSON (Cloudflare's
// ban page, HTML or plain text) the JSON body Discord would have sent, with
// the Retry-After header's wait, or banWait. discordgo reads a 429's wait
// from its JSON body only; with any other body it returns the JSON
// decoder's error, which no one could tell from a failed request: a
// broadcast would be taken as an outcome unknown and never sent again,
// where it must be held back and retried.
//
// Discord's own global 429 (X-RateLimit-Global, or "global": true) comes
// with no X-RateLimit-Reset-After: it is given one, its retry_after, so
// that discordgo's limiter holds every route back, not the 429's alone.
//
// Cloudflare's block of a client (cloudflareBlock, or an HTML page) is a
// 403: it is made such a 429 too. Discord's own 403s are JSON with their
// code (Missing Access, Missing Permissions): a channel gone for the bot.
// Taken for one, a block would unsubscribe every community broadcast to
// while it lasts.
type plainRateLimit struct{ next http.RoundTripper }

// banWait is the wait for a 429 that names none: Cloudflare's bans are
// minutes long, and another attempt soon only prolongs them.
const banWait = time.Minute

// cloudflareBlock is the JSON code of the 403 Discord's Cloudflare sends a
// client it blocks ("internal network error").
const cloudflareBlock = 40333

func (p plainRateLimit) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(req)
	if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusForbidden) {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var reply struct {
		RetryAfter *float64 `json:"retry_after"`
		Code       *int     `json:"code"`
		Global     bool     `json:"global"`
	}
	decoded := json.Unmarshal(body, &reply) == nil
	blocked := resp.StatusCode == http.StatusForbidden && (!decoded || reply.Code == nil || *reply.Code == cloudflareBlock)
	if blocked || (resp.StatusCode == http.StatusTooManyRequests && (!decoded || reply.RetryAfter == nil)) {
		wait := banWait
		if w, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			wait = w
		}
		body = fmt.Appendf(nil, `{"message":"rate limited","retry_after":%g,"global":false}`, wait.Seconds())
		resp.StatusCode, resp.Status = http.StatusTooManyRequests, "429 Too Many Requests"
		// Cloudflare bans the bot, not a route: discordgo's limiter holds
		// every bucket back as long (waitBucket sees it), rather than each
		// route drawing a 429 of its own, which only lengthens the ban.
		resp.Header.Set("X-RateLimit-Global", "true")
		resp.Header.Set("X-RateLimit-Reset-After", strconv.FormatFloat(wait.Seconds(), 'f', -1, 64))
		resp.Header.Del("X-RateLimit-Reset")
		resp.Header.Set("Content-Type", "application/json")
		resp.Header.Del("Content-Length")
	} else if resp.StatusCode == http.StatusTooManyRequests && (reply.Global || resp.Header.Get("X-RateLimit-Global") != "") &&
		resp.Header.Get("X-RateLimit-Reset-After") == "" && *reply.RetryAfter >= 0 && *reply.RetryAfter < 1e6 {
		// Discord's global 429 names its wait in Retry-After and its
		// body, not in X-RateLimit-Reset-After, the only header discordgo
		// sets its global limit from: given it, every route is held back
		// as long (waitBucket, lockedRequest), rather than each going out
		// and drawing a 429 of its own.
		resp.Header.Set("X-RateLimit-Global", "true")
		resp.Header.Set("X-RateLimit-Reset-After", strconv.FormatFloat(*reply.RetryAfter, 'f', -1, 64))
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return resp, nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(h, 64); err == nil && s >= 0 && s < 1e6 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// onReady learns the bot's ids, and then tells them to Options.Self (the
// engine's code: called last, and not under a.mu, so that its panic,
// which guardEvent stops, leaves the adapter ready all the same).
func (a *Adapter) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	a.mu.Lock()
	if r.Application != nil {
		a.appID = r.Application.ID
	}
	if r.User != nil {
		a.botID = r.User.ID
		if a.appID == "" {
			a.appID = r.User.ID
		}
	}
	appID := a.appID
	select {
	case <-a.ready:
	default:
		close(a.ready)
	}
	a.mu.Unlock()
	if r.User != nil && a.o.Self != nil {
		a.o.Self(r.User.ID, r.User.Username, appID)
	}
}

// CheckToken asks Discord (GET /users/@me) whether it knows the bot
// token: ErrUnauthorized if it rejects it. serve asks before it writes
// into Redis; Run finds a rejected token only as it connects. A 429 is
// not waited out (nor a global limit slept through): it comes back at
// once, an answer that is no refusal.
func (a *Adapter) CheckToken(ctx context.Context) error {
	err := a.retryUpTo(ctx, selfBucket, 0, func(opts ...discordgo.RequestOption) error {
		_, err := a.getSelf(opts...)
		return err
	})
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	if err != nil {
		return fmt.Errorf("discord: %s", a.redact(err))
	}
	return nil
}

// Run connects to the gateway, registers the commands, and handles events
// until ctx ends; then it disconnects and waits for events in flight, at
// most ShutdownTimeout (see stop). It returns early, with ErrUnauthorized
// or a *RefusedError, when Discord refuses the gateway for good (at start
// or on a reconnection: see refusal).
func (a *Adapter) Run(ctx context.Context, h Handler) error {
	base := newStopCtx(ctx)
	a.mu.Lock()
	a.ctx, a.end, a.h = base, base.end, h
	a.mu.Unlock()
	a.useTable(h.Commands())
	defer a.stop()
	// A panic in the Open (discordgo's) is the start's failure, as an
	// error is: Run returns it, the connection it dialed closed
	// (openSession), rather than ending serve at once.
	if err := a.guarded("gateway connection", func() error { return a.open(ctx) }); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while connecting
		}
		if errors.Is(err, errHandshakeOver) || errors.Is(err, errGatewayAsk) || errors.Is(err, errPanicked) {
			return err
		}
		if r := refusal(err); r != nil {
			return r
		}
		return fmt.Errorf("discord gateway: %s", a.redact(err))
	}
	// The reconnector starts once the gateway is up, not before: a first
	// Open that fails is the start's failure, and nothing follows it. The
	// one that panics past its dial closes its connection (openSession),
	// and the Disconnect that close emits, which a waiting reconnector
	// would take to open the gateway again as Run returned, is dropped.
	// A Disconnect from the connection up now waits for it (dropped).
	a.startReconnector(ctx)
	select {
	case <-a.ready:
	case <-ctx.Done():
		return nil
	case err := <-a.refused:
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("discord gateway: no READY within 30 s")
	}
	if err := a.checkInvestigatorChannels(ctx); err != nil {
		return err
	}
	// (A panic in it is the registration's failure: serve stops, as it
	// does when Discord refuses the commands, its events drained.)
	if err := a.guarded("command registration", func() error { return a.register(ctx, h.Commands()) }); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while registering: no failure of Discord's
		}
		return err
	}
	a.log.Info("discord connected", "commands", len(h.Commands()), "guild_scoped", a.o.GuildID != "")
	a.registered.Store(true)
	defer a.registered.Store(false)
	go a.rechecker(ctx)
	janitor := time.NewTicker(time.Minute)
	defer janitor.Stop()
	due := time.Now().Add(limiterSweep)
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-a.refused: // the reconnector gave up (reconnect.go)
			return err
		case now := <-janitor.C:
			if now.After(due) && a.sweepLimiter() {
				due = now.Add(limiterSweep)
			}
		}
	}
}

// checkInvestigatorChannels refuses an investigators' channel the bot
// cannot post in (ErrNoPostChannel): a forum's alerts would need a new
// post each, and every one sent to the forum itself is refused. One of its
// posts (a thread) is a channel like any other. A channel Discord does not
// describe in time is let through, with a warning: the start is not held
// up for it. A check cut because ctx ended (serve stopping: another
// platform failed, or a signal) is no failure: it is not warned of, lest
// the operator look at Discord's channels for why serve stopped.
func (a *Adapter) checkInvestigatorChannels(ctx context.Context) error {
	run := ctx
	ctx, cancel := context.WithTimeout(ctx, channelCheck)
	defer cancel()
	for id := range a.invChans {
		var ch *discordgo.Channel
		err := a.guarded("investigators' channel check", func() (err error) {
			ch, err = a.describe(ctx, id)
			return err
		})
		if err != nil && run.Err() != nil {
			return nil // stopping: Run returns
		}
		if err != nil {
			a.log.Warn("discord could not check an investigators' channel", "error", a.redact(err))
			continue
		}
		switch ch.Type {
		case discordgo.ChannelTypeGuildForum, discordgo.ChannelTypeGuildMedia, discordgo.ChannelTypeGuildCategory:
			return ErrNoPostChannel
		}
	}
	return nil
}

// errNoChannel is Discord answering no channel: "null" (discordgo then
// returns no channel and no error), or, for a DM channel, one with no id.
var errNoChannel = errors.New("discord: no channel in its answer")

// describe asks Discord about a channel. It never returns a nil channel
// without an error.
func (a *Adapter) describe(ctx context.Context, id string) (*discordgo.Channel, error) {
	var ch *discordgo.Channel
	err := a.retry(ctx, discordgo.EndpointChannel(id), func(opts ...discordgo.RequestOption) error {
		var err error
		ch, err = a.getChannel(id, opts...)
		return err
	})
	if err == nil && ch == nil {
		err = errNoChannel
	}
	return ch, err
}

// channelCheck bounds checkInvestigatorChannels.
const channelCheck = 10 * time.Second

// limiterSweep is how often the rate limiter's buckets are dropped.
const limiterSweep = 10 * time.Minute

// sweepLimiter swaps in a fresh rate limiter if no REST call is in flight,
// and reports whether it did. It never waits: a Lock would wait for the
// calls in flight, and while it waits Go's RWMutex holds up every new
// RLock, so one slow upload would hold up every interaction's answer
// past Discord's 3 s. When busy, the janitor tries again a minute later.
//
// A global limit in force (Discord's, or a Cloudflare ban: see
// plainRateLimit) is the bot's, not a bucket's: it is carried over, or
// every route would go out again at once and lengthen the ban.
func (a *Adapter) sweepLimiter() bool {
	if !a.rl.TryLock() {
		return false
	}
	defer a.rl.Unlock()
	fresh := discordgo.NewRatelimiter()
	// (A bucket with calls left waits only for the global limit.)
	if wait := a.s.Ratelimiter.GetWaitTime(&discordgo.Bucket{Remaining: 1}, 1); wait > 0 {
		// discordgo sets its global limit only from a response's headers,
		// to the millisecond: rounded up, it is not shortened.
		b := fresh.LockBucket(globalCarry)
		_ = b.Release(http.Header{
			"X-Ratelimit-Global":      {"true"},
			"X-Ratelimit-Reset-After": {strconv.FormatFloat(wait.Seconds()+0.001, 'f', 3, 64)},
		})
	}
	a.s.Ratelimiter = fresh
	return true
}

// globalCarry is the bucket through which sweepLimiter sets the fresh
// limiter's global limit; no request uses it.
const globalCarry = "vigia:global-limit"

// useTable learns the engine's commands: by name for slash commands, by
// name and alias for a "/word" in a direct message, and by a team
// command's name in a language ("/siguiente", as a client in Spanish
// lists /next), which the engine runs for a member who may, and takes
// as words from anyone else (commands.Command.TeamNames).
func (a *Adapter) useTable(table []*commands.Command) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cmds, a.names = map[string]*commands.Command{}, map[string]bool{}
	for _, c := range table {
		a.cmds[c.Name] = c
		a.names[c.Name] = true
		for _, alias := range c.Aliases {
			a.names[alias] = true
		}
		for _, name := range c.TeamNames {
			a.names[name] = true
		}
	}
}

// stop disconnects (ending the reconnector first, so no reconnection
// follows: reconnect.go; an Open of its still in its handshake is cut:
// handshake.go), then takes no new events, and
// waits for the events in flight. Past ShutdownTimeout it ends the events'
// base context: what is still queued is answered, not handled, and the
// handling in flight is cut; then it waits for those answers (each
// bounded by langLookup and commands.ReplyGrace).
//
// The gateway is closed first: an event it hands on while it closes
// (discordgo dispatches one already read) is still taken and answered.
// Discord does not send it again: refused, it would be lost unanswered.
//
// What discordgo (v0.29) reads once Close has begun is lost, and the
// adapter cannot take it: Close closes the read loop's "listening"
// channel, sends the close frame, and sleeps 1 s before closing the
// socket; the read loop, on its next frame, sees the channel closed and
// returns without dispatching that frame, and reads no other. Events
// Discord sent in that second, or in flight when the socket closed, are
// neither handled nor answered, and never sent again (a close with 1000
// ends the session; the next start identifies afresh, and discordgo
// keeps the session id and sequence a resume would need unexported).
// The adapter has no hold on the socket to read them itself, and Discord
// has no way to stop events before a close. So an interaction then shows
// its member that the application did not respond (they can try again),
// and a direct message then gets no answer: never "received" (nothing
// was kept), but the reporter is not told to send it again either.
func (a *Adapter) stop() {
	a.mu.Lock()
	if !a.stopping {
		a.stopping = true
		close(a.halt)
	}
	reconnecting := a.reconnectorDone
	a.mu.Unlock()
	if reconnecting != nil {
		<-reconnecting // an Open in progress is cut (handshake.go) or finishes first, and is closed below
	}
	_ = a.s.Close()
	a.mu.Lock()
	a.h = nil
	end := a.end
	a.mu.Unlock()
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	deadline := time.NewTimer(a.o.ShutdownTimeout)
	defer deadline.Stop()
	select {
	case <-done:
		return
	case <-deadline.C:
	}
	a.log.Warn("discord shutdown deadline over: events still queued are answered to be sent again", "timeout_s", a.o.ShutdownTimeout.Seconds())
	if end != nil {
		end()
	}
	<-done
}

// begin admits one event: it returns the engine and a context, or false if
// the adapter is stopping. A true return must be paired with a.wg.Done().
func (a *Adapter) begin() (Handler, context.Context, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.h == nil {
		return nil, nil, false
	}
	a.wg.Add(1)
	return a.h, a.ctx, true
}

// command returns the engine's command name, or nil.
func (a *Adapter) command(name string) *commands.Command {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cmds[name]
}

// retry runs call, waiting out a 429's retry_after a bounded number of
// times, never past ctx: a wait that would outlast ctx's deadline is not
// begun, the caller told at once that nothing was sent (the 429's error,
// with its wait), rather than held to its deadline for nothing. bucket is the key discordgo files call's route
// under (the endpoint, as discordgo's own method names it): before each
// attempt, a bucket Discord reported exhausted is waited out here, within
// ctx, since discordgo would sleep until its reset (up to a minute) deaf
// to the context.
func (a *Adapter) retry(ctx context.Context, bucket string, call func(opts ...discordgo.RequestOption) error) error {
	return a.retryUpTo(ctx, bucket, maxRetries, call)
}

// maxRetries is how many 429s retry waits out.
const maxRetries = 3

// retryUpTo is retry waiting out at most waits 429s. With none, a bucket
// Discord reported exhausted is not waited for either: its wait comes
// back at once, as a 429's does.
func (a *Adapter) retryUpTo(ctx context.Context, bucket string, waits int, call func(opts ...discordgo.RequestOption) error) error {
	for attempt := 0; ; {
		if err := a.waitBucket(ctx, bucket, waits > 0); err != nil {
			return err
		}
		err := func() error {
			defer a.turns.give(bucket) // (taken by waitBucket; given back on a panic too)
			if a.looked != nil {
				a.looked()
			}
			a.rl.RLock()
			defer a.rl.RUnlock()
			return call(discordgo.WithContext(ctx))
		}()
		var held *bucketHeldError
		if errors.As(err, &held) {
			continue // nothing sent (no 429 to count): waitBucket waits it out within ctx, or says so
		}
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) {
			return err
		}
		if a.o.OnRateLimit != nil {
			a.o.OnRateLimit()
		}
		wait := max(rl.RetryAfter, 100*time.Millisecond)
		a.log.Warn("discord rate limited", "retry_after_ms", wait.Milliseconds())
		if attempt >= waits {
			return err
		}
		attempt++
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return err // past the deadline: give up now rather than at it (as waitBucket does)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// waitBucket returns once discordgo would not sleep before a request on
// bucket (its calls left, or its reset passed, and no global limit on),
// holding the bucket's turn (bucketturn.go), which the caller gives back
// once the request is answered; with an error, it holds no turn.
// When ctx ends first, or would before the reset, it returns a
// *discordgo.RateLimitError with the wait: nothing was sent, and the
// caller knows it (a broadcast holds the chat back for so long). A bucket
// held by a request in flight (or by one asleep in discordgo) is looked
// at again shortly. Unless patient, a bucket's reset is not waited for:
// its wait comes back at once.
func (a *Adapter) waitBucket(ctx context.Context, bucket string, patient bool) error {
	limited := func(wait time.Duration) error {
		return &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{RetryAfter: wait}}}
	}
	for {
		if !a.turns.take(ctx, bucket) {
			return limited(bucketPoll)
		}
		wait := a.bucketWait(bucket)
		if wait <= 0 {
			return nil
		}
		a.turns.give(bucket)
		if dl, ok := ctx.Deadline(); (!patient || ok && time.Until(dl) < wait) && wait > bucketPoll {
			return limited(wait) // past the deadline (or not to be waited for): give up now rather than at it
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return limited(wait)
		case <-t.C:
		}
	}
}

// bucketHeldError is lockedRequest's when its bucket holds the request
// back after all (a global limit set since waitBucket looked): nothing
// was sent, and retryUpTo looks again, waiting within the context.
type bucketHeldError struct{ wait time.Duration }

func (e *bucketHeldError) Error() string {
	return "discord bucket held back for " + e.wait.String()
}

// lockedRequest is discordgo's RequestRaw without its sleep: it locks
// bucket, and if discordgo would sleep before the request (a global limit
// set by another route's answer since waitBucket looked: Discord's
// global 429, or a Cloudflare ban, plainRateLimit), it sends nothing and
// returns a *bucketHeldError; else it sends p under the lock it holds,
// as discordgo's RequestRaw does, and discordgo reads the answer into
// the bucket. A limit set once the look is done, as the request goes
// out, can only draw Discord's 429, which retryUpTo waits out within its
// context: discordgo never sleeps the request. Callers hold a.rl for
// reading (retryUpTo's call does).
//
// A panic on the way (the limiter's, discordgo's before or after its
// client, or the client's own beyond its transport) is the request's
// failure, as a transport's is (see below): logged, and returned as
// errPanicked, its outcome unknown; and the bucket is released if
// discordgo had not released it (released), or every later request on
// its route would wait for it unto its deadline, for good.
func (a *Adapter) lockedRequest(method, url string, p payload, bucket string, opts ...discordgo.RequestOption) ([]byte, error) {
	resp, err := a.requestUnder(method, url, p, bucket, opts...)
	var tp *transportPanic
	if errors.As(err, &tp) {
		// Logged here, where its stack still names the transport's frames.
		a.log.Error("discord transport panic; the request failed", "panic", fmt.Sprintf("%T", tp.value), "stack", tp.stack)
	}
	return resp, err
}

// requestUnder is lockedRequest, the transport's panic not logged: its
// recover is over once discordgo has returned.
func (a *Adapter) requestUnder(method, url string, p payload, bucket string, opts ...discordgo.RequestOption) (resp []byte, err error) {
	r := a.s.Ratelimiter
	b := r.GetBucket(bucket)
	b.Lock()
	g := &panicGuard{}
	defer func() {
		if v := recover(); v != nil {
			if !g.released() {
				g.abandon()
				b.Unlock()
			}
			a.logPanic("discord request", v)
			resp, err = nil, fmt.Errorf("discord request: %w", errPanicked)
		}
	}()
	if wait := r.GetWaitTime(b, 1); wait > 0 {
		b.Unlock()
		return nil, &bucketHeldError{wait}
	}
	b.Remaining-- // (as discordgo's LockBucketObject)
	return a.s.RequestWithLockedBucket(method, url, p.contentType, p.body, b, 0, append(opts[:len(opts):len(opts)], g.guardTransport)...)
}

// discordgo unlocks a request's bucket (Bucket.Release) once its HTTP
// client returns, with an answer or an error, and not on a panic: a panic
// in the transport (ours: plainRateLimit, gatewayAsker, rewriteHost; or
// net/http's) left the bucket locked, and every later request on its
// route (a channel's, or an interaction slot's) hung, unto its deadline,
// for good. So the client's transport is guarded (guardTransport): its
// panic comes back as an error, discordgo releases the bucket, and
// lockedRequest logs the panic, with the transport's stack, and returns
// the error: the request failed, its outcome unknown. It does not panic
// again: its caller would lose the rest of its work to it (an
// interaction's answer, a broadcast's other chats), not one request; the
// goroutines that run requests recover all the same (recovered.go),
// should discordgo itself panic; and a panic raised again would have lost
// the transport's frames. (Past the client, discordgo has released the
// bucket already.)
//
// A panic elsewhere reaches lockedRequest's recover, which must tell
// whether discordgo released the bucket: unlocked twice, a mutex ends the
// process (a fatal error, no panic). discordgo (v0.29) releases it once,
// with the guard's options (no retry of its own, which would lock it
// again), right after its client returns; given an answer, it defers the
// close of the answer's body before that release. So the bucket is
// released once the last answer the transport gave has its body closed,
// and held while it has none or its body is open (released).

// transportPanic is a panic of the transport, returned as an error, with
// the stack it was raised on (commands.Stack: functions and lines only).
type transportPanic struct {
	value any
	stack string
}

func (p *transportPanic) Error() string { return fmt.Sprintf("discord transport panic (%T)", p.value) }

// panicGuard is one request's transport: its panic comes back as a
// *transportPanic, and it keeps the last answer it gave (released).
type panicGuard struct {
	next   http.RoundTripper
	answer atomic.Pointer[seenBody]
}

func (g *panicGuard) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	g.answer.Store(nil)
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, &transportPanic{p, commands.Stack(3)}
		}
	}()
	resp, err = g.next.RoundTrip(req)
	if err == nil && resp != nil && resp.Body != nil {
		body := &seenBody{ReadCloser: resp.Body}
		resp.Body = body
		g.answer.Store(body)
	}
	return resp, err
}

// released reports whether discordgo has released the request's bucket:
// the last answer's body is closed (see above). A client that panics
// between two answers (a redirect's) is taken for released: the bucket
// may stay locked, but is never unlocked twice.
func (g *panicGuard) released() bool {
	b := g.answer.Load()
	return b != nil && b.closed.Load()
}

// abandon closes the last answer's body, if any, that no one will read.
func (g *panicGuard) abandon() {
	if b := g.answer.Load(); b != nil {
		_ = b.Close()
	}
}

// seenBody is an answer's body that tells whether it was closed.
type seenBody struct {
	io.ReadCloser
	closed atomic.Bool
}

func (b *seenBody) Close() error {
	b.closed.Store(true)
	return b.ReadCloser.Close()
}

// guardTransport is a request option (the last) that sends the request
// through a copy of its client, its transport guarded by g, and with no
// retry of discordgo's (as New sets them: see above).
func (g *panicGuard) guardTransport(cfg *discordgo.RequestConfig) {
	c := *cfg.Client
	if c.Transport == nil {
		c.Transport = http.DefaultTransport
	}
	g.next = c.Transport
	c.Transport = g
	cfg.Client = &c
	cfg.ShouldRetryOnRateLimit, cfg.MaxRestRetries = false, 0
}

// bucketPoll is how soon a bucket held by another request is looked at
// again.
const bucketPoll = 20 * time.Millisecond

// bucketWait is how long discordgo would sleep before a request on bucket.
func (a *Adapter) bucketWait(bucket string) time.Duration {
	a.rl.RLock()
	defer a.rl.RUnlock()
	r := a.s.Ratelimiter
	b := r.GetBucket(bucket)
	if !b.TryLock() {
		return bucketPoll
	}
	defer b.Unlock()
	return r.GetWaitTime(b, 1)
}

// redact renders an error without tokens, URLs (interaction tokens are in
// webhook paths) or response bodies (which can echo a message).
func (a *Adapter) redact(err error) string {
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		code := 0
		if re.Message != nil {
			code = re.Message.Code
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return "discord HTTP " + strconv.Itoa(status) + " code " + strconv.Itoa(code)
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return "discord rate limited"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return "discord request failed: " + ue.Err.Error()
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return "discord gateway closed with code " + strconv.Itoa(ce.Code)
	}
	if errors.Is(err, errTooLarge) {
		return errTooLarge.Error()
	}
	// Anything else may quote a URL or a body: only its type is safe.
	return fmt.Sprintf("discord error (%T)", err)
}

func snowflake(id string) int64 {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
