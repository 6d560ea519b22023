package commands

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// Store is what the engine needs from storage.
type Store interface {
	Pseudonym(platform, userID string) string
	AddToDraft(ctx context.Context, pseudonym string, p storage.DraftPart) (storage.Draft, error)
	Draft(ctx context.Context, pseudonym string) (storage.Draft, error)
	DraftWithPart(ctx context.Context, pseudonym string, eventID int64) (storage.Draft, bool, error)
	SetDraftCategory(ctx context.Context, pseudonym, draftID string, c tips.Category) error
	DiscardDraft(ctx context.Context, pseudonym, draftID string) error
	DropDraft(ctx context.Context, pseudonym string, upTo int64) (bool, error)
	DropDraftBefore(ctx context.Context, pseudonym string, t time.Time) (bool, error)
	SubmitDraftWithin(ctx context.Context, pseudonym, draftID, language string, limit *storage.Limit) (storage.Submission, error)
	CheckKeyset(ctx context.Context) (storage.KeysetCheck, error)
	IndexTips(ctx context.Context, count int, block time.Duration, alert func(storage.Signal) error) (int, error)
	KeepAlert(ctx context.Context, s storage.Signal, took []string) error
	KeepSentAlert(ctx context.Context, s storage.Signal, took []string) error
	AlertMissing(ctx context.Context, s *storage.Signal, chats []string) ([]string, error)
	AlertDelivered(ctx context.Context, s storage.Signal, chat, msg string) error
	DueAlerts(ctx context.Context, chats []string, n int) ([]storage.PendingAlert, error)
	AlertSent(ctx context.Context, s storage.Signal) error
	AlertRetracting(ctx context.Context, s storage.Signal, chat string) (tell bool, lease string, err error)
	AlertNotRetracted(ctx context.Context, s storage.Signal, chat, lease string) error
	AlertRetracted(ctx context.Context, s storage.Signal, chat, lease string) error
	AlertWithdrawn(ctx context.Context, s storage.Signal) error
	KeptAlerts(ctx context.Context) (int64, error)
	ExpireDrafts(ctx context.Context, max int) ([]storage.ExpiredDraft, error)
	ScheduleHeld(ctx context.Context, h storage.HeldRef, t time.Time) error
	RescheduleHeld(ctx context.Context, h storage.HeldRef, t time.Time) error
	UnscheduleHeld(ctx context.Context, h storage.HeldRef) error
	DueHeld(ctx context.Context, max int) ([]storage.HeldRef, error)
	ClaimUntold(ctx context.Context, grace, lease time.Duration, max int) ([]storage.UntoldAnswer, int, error)
	RenewUntold(ctx context.Context, u storage.UntoldAnswer, grace, lease time.Duration) (bool, error)
	FinishUntold(ctx context.Context, u storage.UntoldAnswer) error
	Tip(ctx context.Context, id string) (tips.Tip, error)
	Recent(ctx context.Context, n int) ([]tips.Tip, error)
	TipByReceipt(ctx context.Context, receipt string) (tips.Tip, error)
	ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error)
	ReceiptNoTip(ctx context.Context, receipt string) (storage.NoTip, error)
	SetLanguage(ctx context.Context, pseudonym, lang string) error
	SetClientLanguage(ctx context.Context, pseudonym, lang string) error
	EventSent(ctx context.Context, pseudonym string, eventID int64) (bool, error)
	DraftFileRef(ctx context.Context, pseudonym string, eventID int64) (string, error)
	PutFile(ctx context.Context, data []byte) (string, error)
	DropFile(ctx context.Context, ref string) error
	File(ctx context.Context, ref string) ([]byte, error)

	SetDraftFollowUp(ctx context.Context, pseudonym, draftID string, allow bool) error
	Invite(ctx context.Context, role, by string, ttl time.Duration) (string, error)
	RevokeInvite(ctx context.Context, code string) error
	Redeem(ctx context.Context, code string, m storage.Member, inviterOK func(ctx context.Context, by string) (bool, error)) (storage.Member, error)
	InviteRole(ctx context.Context, code string) (role, by string, err error)
	Profile(ctx context.Context, pseudonym string, count *storage.Limit, client bool) (storage.Profile, error)
	ProfileSend(ctx context.Context, pseudonym string, count *storage.Limit, client bool, draftID string, limit *storage.Limit) (storage.Profile, *storage.SendClaim, error)
	SubmitClaimed(ctx context.Context, cl *storage.SendClaim, language string) (storage.Submission, error)
	Revoke(ctx context.Context, key string) error
	DropInvitedRole(ctx context.Context, key string) error
	Touch(ctx context.Context, key string) error
	Team(ctx context.Context) ([]storage.Member, error)
	Next(ctx context.Context, c storage.Claimer, category tips.Category, claimTimeout time.Duration, maxClaims int) (string, error)
	Decide(ctx context.Context, id string, by storage.Claimer, d storage.Decision) error
	Note(ctx context.Context, id string, by storage.Claimer, text string) error
	Queue(ctx context.Context, claimTimeout time.Duration) (storage.QueueStats, error)
	DeadLetters(ctx context.Context, n int) ([]string, error)
	OpenClaims(ctx context.Context, claimTimeout time.Duration) ([]storage.Claim, error)
	MarkOnce(ctx context.Context, id, flag string) (bool, error)
	Unmark(ctx context.Context, id, flag string) error
	Marked(ctx context.Context, id, flag string) (bool, error)
	ClaimIdle(ctx context.Context, id string) (time.Duration, bool, error)
	RememberEvent(ctx context.Context, pseudonym string, eventID int64) error
	RememberAnswer(ctx context.Context, pseudonym string, eventID int64) error
	EventHandled(ctx context.Context, pseudonym string, eventID int64) (bool, error)
	VoidInvites(ctx context.Context, codes []string) ([]bool, error)
	MoveTeamChat(ctx context.Context, configured, to string) error
	TeamChatMoves(ctx context.Context, configured []string) (map[string]string, error)
	EditTold(ctx context.Context, pseudonym, msg string) (bool, error)
	TellEdit(ctx context.Context, pseudonym, msg string) error
	ReporterRoute(ctx context.Context, id string) (string, string, error)
	Reporter(ctx context.Context, id string) (string, error)
	Forget(ctx context.Context, id string) error
	QuestionNumber(ctx context.Context, id string, window time.Duration) (int, error)
	UnnumberQuestion(ctx context.Context, id string, n int) error
	Ask(ctx context.Context, id string, n int, by storage.Claimer, question string) error
	OpenQuestions(ctx context.Context, id string) ([]storage.Question, error)
	Answer(ctx context.Context, id string, n int, answer string) (storage.Question, error)
	AnswerOnce(ctx context.Context, id string, n int, answer, pseudonym string, eventID int64) (storage.Question, bool, error)
	AnsweredBy(ctx context.Context, id, pseudonym string, eventID int64) (int, error)
	AnsweredWith(ctx context.Context, id, answer, pseudonym string) (int, error)
	QuestionExpired(ctx context.Context, id string, n int) (bool, error)
	ClaimerOf(ctx context.Context, id string) (storage.Claimer, error)
	ClaimedBy(ctx context.Context, id string) (string, error)
	TouchClaim(ctx context.Context, id, claimerKey string) error
	UpdateAnswering(ctx context.Context, pseudonym string, update func(string) (string, time.Duration)) error
	Answering(ctx context.Context, pseudonym string) (string, error)
	Answerers(ctx context.Context) ([]string, error)
	ClearAnswering(ctx context.Context, pseudonym string) error
	OweDiscard(ctx context.Context, pseudonym string, d storage.OwedDiscard) error
	DiscardsOwed(ctx context.Context) (map[string]storage.OwedDiscard, error)
	DiscardDone(ctx context.Context, pseudonym string, wiped time.Time) error
	Audit(ctx context.Context, e storage.AuditEntry, retention time.Duration) error
	AuditLog(ctx context.Context, n int) ([]storage.AuditEntry, error)
	Search(ctx context.Context, query string, since time.Time, category tips.Category, n int) (list []tips.Tip, cut bool, err error)
	Latest(ctx context.Context, since time.Time, category tips.Category, n int) (list []tips.Tip, cut bool, err error)
	EntityTips(ctx context.Context, e tips.Entity, since time.Time, n int, past ...tips.Entity) ([]tips.Tip, error)
	Signals(ctx context.Context, window time.Duration, n int) ([]storage.Signal, error)
	Subscribe(ctx context.Context, sub storage.Subscription) error
	Unsubscribe(ctx context.Context, platform, chat string) error
	MoveSubscription(ctx context.Context, platform, from, to string) error
	SubmitWarning(ctx context.Context, pseudonym, text, language string, eventID int64, route string) (storage.Submission, error)
	WarningSeen(ctx context.Context, pseudonym string, eventID int64) (bool, error)
	Kind(ctx context.Context, id string) (string, error)
	PendingPublication(ctx context.Context, id string, onTeam func(context.Context, string) (bool, error)) (storage.PendingPublication, error)
	PublishedDuplicate(ctx context.Context, id string) (dup string, tooMany bool, err error)
	ApprovePublication(ctx context.Context, id string, a storage.PublishApproval) (storage.Approval, error)
	PendingDeliveries(ctx context.Context, max int) ([]storage.Delivery, error)
	Broadcasts(ctx context.Context) (map[string]storage.Publication, error)
	HoldBroadcast(ctx context.Context, pub storage.Publication) (bool, error)
	ClaimDelivery(ctx context.Context, d storage.Delivery) (bool, error)
	Delivered(ctx context.Context, id string, sub storage.Subscription, messageIDs []string) error
	PartlySent(ctx context.Context, id string, sub storage.Subscription, messageIDs []string) error
	Gone(ctx context.Context, id string, sub storage.Subscription) error
	Retry(ctx context.Context, id string, sub storage.Subscription) error
	Fail(ctx context.Context, id string, sub storage.Subscription) error
	BroadcastProgress(ctx context.Context, id string) (storage.Progress, bool, error)
	FinishBroadcast(ctx context.Context, id string) (bool, error)
	Retracted(ctx context.Context, id string, by storage.Claimer) (storage.Retraction, error)
	PendingWithdrawals(ctx context.Context, max int) ([]storage.Withdrawal, error)
	CopiesRemoved(ctx context.Context, w *storage.Withdrawal, deleted bool) error
	CopiesLeft(ctx context.Context, w *storage.Withdrawal, ids []string) error
	ClaimCorrection(ctx context.Context, w *storage.Withdrawal) (bool, error)
	Corrected(ctx context.Context, w *storage.Withdrawal, outcome string) error
	RetractionProgress(ctx context.Context, id string) (storage.RetractProgress, bool, error)
	Purge(ctx context.Context, id string) error
	CopiesOut(ctx context.Context, id string) (bool, error)
	Published(ctx context.Context, id string) (bool, error)
	CodeTag(code string) string
	Enroll(ctx context.Context, pseudonym, secret string) error
	SecondFactor(ctx context.Context, pseudonym string) (storage.SecondFactor, error)
	Unlock(ctx context.Context, pseudonym string, step int64, ttl time.Duration) (bool, error)
	Unlocked(ctx context.Context, pseudonym string) (bool, error)
	Lock(ctx context.Context, pseudonym string) error
	ScheduleWipe(ctx context.Context, w storage.Wipe, due time.Time) error
	ChatWipeDue(ctx context.Context, pseudonym string) (time.Time, error)
	MarkWiped(ctx context.Context, pseudonym string, eventID int64) error
	WipedUpTo(ctx context.Context, pseudonym string) (int64, error)
	DraftWipeTold(ctx context.Context, pseudonym, draftID string) error
	TakeWipe(ctx context.Context, now time.Time, platforms []string, lease time.Duration) (storage.Wipe, error)
	WipeDone(ctx context.Context, w storage.Wipe) error
	RetryWipe(ctx context.Context, w storage.Wipe, due time.Time) error
	Allow(ctx context.Context, subject, kind string, limit int, window time.Duration) (ok, firstOver bool, err error)
	Forgive(ctx context.Context, subject, kind string, window time.Duration) error
}

// Triage tunes the triage workflow; zero values take the defaults.
type Triage struct {
	ClaimTimeout   time.Duration // a claim idle this long returns to the queue (30 min)
	MaxClaims      int           // claims without a decision before a tip is a dead letter (5)
	InviteTTL      time.Duration // invitation codes expire (24 h)
	AuditRetention time.Duration // audit entries are trimmed after (1 year)
	RemindAfter    time.Duration // a claim idle this long reminds its investigator (20 min)
	UrgentAfter    time.Duration // an urgent tip waiting this long is announced (15 min)
	AnswerWindow   time.Duration // a question can be answered by replying for (7 days)
}

func (t *Triage) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.ClaimTimeout, 30*time.Minute)
	def(&t.InviteTTL, 24*time.Hour)
	def(&t.AuditRetention, 365*24*time.Hour)
	def(&t.RemindAfter, 20*time.Minute)
	def(&t.UrgentAfter, 15*time.Minute)
	def(&t.AnswerWindow, 7*24*time.Hour)
	if t.MaxClaims <= 0 {
		t.MaxClaims = 5
	}
}

// WithDefaults returns t with every zero value set to its default. The
// configuration applies it where it is loaded, so that code outside the
// engine (vigia reset-2fa trimming the audit log) sees the same values
// the engine uses, not zeros.
func (t Triage) WithDefaults() Triage {
	t.defaults()
	return t
}

// Limits bound what one reporter can put in a draft.
type Limits struct {
	// MaxMessageRunes bounds one message's text.
	MaxMessageRunes int
	// MaxParts and MaxChars bound a whole draft.
	MaxParts, MaxChars int
	// Per pseudonym and hour: messages kept in drafts, tips sent, and
	// investigator queries (against flooding, and scraping by a stolen
	// investigator account).
	PartsPerHour, TipsPerHour, QueriesPerHour int
	// ChatPerHour bounds what the bot answers in one chat (a group's
	// members together, or a private chat), whatever the request.
	ChatPerHour int
}

// DefaultLimits are generous for a real tip and small enough for Redis.
var DefaultLimits = Limits{MaxMessageRunes: 4096, MaxParts: 30, MaxChars: 20000, PartsPerHour: 300, TipsPerHour: 20, QueriesPerHour: 300, ChatPerHour: 600}

// Options configure a Mux.
type Options struct {
	Store    Store
	Messages *locales.Bundle
	Roles    Roles
	// InvestigatorChats are "platform:chatid" groups where investigator
	// commands may be used, and where alerts go.
	InvestigatorChats []string
	// RequiredRoles maps a platform to a platform role (a Discord role id)
	// that investigators must also hold there; the vetted list still decides.
	RequiredRoles map[string]string
	// Region reads phone numbers without a country code (for /entity).
	Region string
	// SignalWindow is the corroboration window (7 days).
	SignalWindow time.Duration
	// PublishApprovals is how many different investigators must approve a
	// community warning before it goes out (1).
	PublishApprovals int
	DefaultLanguage  string
	Retention        time.Duration
	Limits           Limits
	Triage           Triage
	SecondFactor     SecondFactor
	Metrics          Metrics
	// Spool, if set, keeps tips on disk while Redis is unreachable.
	Spool  Spooler
	Logger *slog.Logger
	Now    func() time.Time
}

// Mux routes requests to handlers.
type Mux struct {
	store     Store
	msg       *locales.Bundle
	roles     Roles
	invChats  map[string]bool
	reqRoles  map[string]string
	region    string
	window    time.Duration
	approvals int
	lang      string
	retention time.Duration
	limits    Limits
	triage    Triage
	twoFactor SecondFactor
	metrics   Metrics
	spool     Spooler
	log       *slog.Logger
	now       func() time.Time
	table     map[string]*Command
	teamNames map[string]*Command // Command.TeamNames, each to its command
	cmds      []*Command          // the table, in order, each with its aliases
	senders   map[string]Sender

	bcMu         sync.Mutex
	lastPerChat  map[string]time.Time // when each chat last got a broadcast
	lastProgress map[string]time.Time // when each broadcast's progress was last reported
	failures     map[string]int       // failed attempts per broadcast destination
	notBefore    map[string]time.Time // per platform: nothing is broadcast there before (a 429's wait)

	owed owedDiscards // discards wipes could not do yet (wipe.go)
	// wipedUpTo are the marks of the chat wipes this process ran
	// (markWiped), for when Redis cannot say.
	wipedUpTo wipedMarks

	teams teamChats // investigators' chats moved since configured (teamchat.go)

	albums albumRuns // what the silent items of private albums did (album.go)

	armed armedAnswers // Answer buttons pressed, for when Redis cannot say (armed.go)

	alertLog rateLog // kept alerts, told of at most once an hour (signals.go)

	alertHung hungChats // investigators' chats whose alert send was cut off (signals.go)

	urgentLog rateLog      // urgent announcements no chat took, told of once an hour
	heldLog   rateLog      // held messages' reminders and end notices not sent, told of once an hour
	keysetLog keysetLog    // why the keyset check last failed, told of once (sweeper.go)
	oldHeld   oldHeldLooks // looks for messages held by versions before the sweep (heldend.go)

	notices chatNotices // removal notices, counted here while Redis cannot (notices.go)
}

// Clone returns a Mux with the same configuration and no senders, as a
// restarted process would have (tests use it to simulate a crash).
func (m *Mux) Clone() *Mux {
	c := &Mux{
		store: m.store, msg: m.msg, roles: m.roles, invChats: m.invChats, reqRoles: m.reqRoles, region: m.region,
		window: m.window, approvals: m.approvals, lang: m.lang, retention: m.retention, limits: m.limits,
		triage: m.triage, twoFactor: m.twoFactor, metrics: m.metrics, spool: m.spool, log: m.log, now: m.now, table: m.table, senders: map[string]Sender{}, lastPerChat: map[string]time.Time{},
		lastProgress: map[string]time.Time{}, failures: map[string]int{}, notBefore: map[string]time.Time{},
	}
	return c
}

// New returns a Mux with every command registered.
func New(o Options) *Mux {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.DefaultLanguage == "" {
		o.DefaultLanguage = locales.Supported[0]
	}
	o.Triage.defaults()
	o.SecondFactor.defaults()
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	if o.Region == "" {
		o.Region = "MX"
	}
	if o.SignalWindow <= 0 {
		o.SignalWindow = 7 * 24 * time.Hour
	}
	m := &Mux{
		store: o.Store, msg: o.Messages, roles: o.Roles, reqRoles: o.RequiredRoles, lang: o.DefaultLanguage,
		region: o.Region, window: o.SignalWindow, approvals: max(o.PublishApprovals, 1),
		retention: o.Retention, limits: o.Limits, triage: o.Triage, twoFactor: o.SecondFactor, metrics: o.Metrics, spool: o.Spool, log: o.Logger, now: o.Now,
		invChats: map[string]bool{}, table: map[string]*Command{}, senders: map[string]Sender{}, lastPerChat: map[string]time.Time{},
		lastProgress: map[string]time.Time{}, failures: map[string]int{}, notBefore: map[string]time.Time{},
	}
	for _, c := range o.InvestigatorChats {
		m.invChats[c] = true
	}
	if o.Spool != nil {
		// Discards wipes owed when this process stopped, Redis taking
		// neither them nor their record: done or recorded by its sweeps,
		// and before its reporter's next message, as if it never stopped.
		for p, d := range o.Spool.DiscardsOwed() {
			m.owed.add(p, d)
		}
	}
	// The names a command for anyone shows under in each language
	// (Discord's: "ayuda", "statut", "répondre") are typed as commands too:
	// each is an alias, with its accents and without, unless it names
	// another command. (Not the team's: a reporter's "/file …" or
	// "/note …" stays the words of a tip.)
	m.cmds = commandTable()
	for _, c := range m.cmds {
		m.table[c.Name] = c
		for _, a := range c.Aliases {
			m.table[a] = c
		}
	}
	for _, c := range m.cmds {
		for _, lang := range locales.Supported {
			if o.Messages == nil || c.Role != Anyone {
				break
			}
			id := "command_" + c.Name + "_name"
			name := strings.ToLower(o.Messages.Localize(lang, id, nil))
			for _, n := range []string{name, tips.Fold(name)} {
				if _, taken := m.table[n]; !taken && n != "" && n != strings.ToLower(id) && !strings.ContainsAny(n, " /@") {
					m.table[n] = c
					c.Aliases = append(c.Aliases, n)
				}
			}
		}
	}
	// The team's commands under their names in each language ("/siguiente",
	// "/rechercher"): typed by a member who may run them (teamCommand).
	// A name two of them have (in two languages) is neither's.
	m.teamNames = map[string]*Command{}
	shared := map[string]bool{}
	for _, c := range m.cmds {
		for _, lang := range locales.Supported {
			if o.Messages == nil || c.Role == Anyone {
				break
			}
			id := "command_" + c.Name + "_name"
			name := strings.ToLower(o.Messages.Localize(lang, id, nil))
			for _, n := range []string{name, tips.Fold(name)} {
				if other, ok := m.teamNames[n]; ok && other != c {
					shared[n] = true
				} else if _, taken := m.table[n]; !taken && n != "" && n != strings.ToLower(id) && !strings.ContainsAny(n, " /@") {
					m.teamNames[n] = c
				}
			}
		}
	}
	for _, c := range m.cmds {
		for _, lang := range locales.Supported {
			if o.Messages == nil || c.Role == Anyone {
				break
			}
			name := strings.ToLower(o.Messages.Localize(lang, "command_"+c.Name+"_name", nil))
			for _, n := range []string{name, tips.Fold(name)} {
				if m.teamNames[n] == c && !shared[n] && !slices.Contains(c.TeamNames, n) {
					c.TeamNames = append(c.TeamNames, n)
				}
			}
		}
	}
	for n := range shared {
		delete(m.teamNames, n)
	}
	return m
}

// teamCommand is the team's command a private request names under one of
// its names in a language (Command.TeamNames: "/siguiente", "/recherche"),
// made the command itself where the sender may run it. Where they may not,
// the request is left as it came: on Discord, where a "/word" no command
// of anyone's is read as text (the adapter's commandIn), its words as
// words, "/nota …" part of a tip as before; elsewhere the command it
// names is unknown, as any other. Where the sender's role could not be
// read (storage failing), a Discord message stays words too, as it was
// before the adapter read these names: a reporter's "/nota el del carro
// rojo…" is then spooled and they are told it was received, never "try
// again" for words any other "/word" would have kept (an invited team
// member's "/nota 12 …" is spooled as a tip then, as it was before: seen
// by the team alone, and its receipt tells them it was no note). So is a
// command the engine read where the platform marked none (slashCommand:
// "／nota …" on Telegram too).
func (m *Mux) teamCommand(c *Context) {
	req := &c.Request
	if req.Command == "" || req.ChatKind != Private {
		return
	}
	if _, known := m.table[req.Command]; known {
		return
	}
	cmd, ok := m.teamNames[req.Command]
	switch {
	case !ok:
	case c.Role >= cmd.Role:
		req.Command = cmd.Name
	case req.Platform == "discord" || c.unmarked:
		req.Command, req.Args, req.CommandAtStart = "", "", false
	}
}

// AddSender registers how to reach chats on a platform outside a request.
func (m *Mux) AddSender(platform string, s Sender) { m.senders[platform] = s }

// formPresteps bounds the Redis calls made before a request that can open
// a form (Request.CanOpenForms) is routed: a second, of Discord's three.
const formPresteps = time.Second

// presteps bounds them for any other request: with Redis hanging, they
// must leave the request the time to reach the spool and answer (the
// handler has about 30 s, a hung Redis call with its retries 12).
const presteps = 3 * time.Second

// senderCallWait bounds each Redis call made in the routing of a request
// whose sender waits to hear whether what they sent was kept
// (writesForSender: a Send press, a message, /reply, /warn). With Redis
// hung (TCP open, no answers) a call otherwise waits go-redis's read
// timeout (5 s), then each new connection's handshake as long again, its
// dials retried: a Send was answered only when the handler's 30 s ran
// out, a first message after 14 s. A healthy Redis answers these calls in
// milliseconds (a Send's script over a full draft, a few); 3 s of silence
// (as long as presteps) means it is not answering. The first call that
// fails sends the request to its outage path: a message to the spool (a
// local file, no Redis), a Send to "try again" (its draft is in Redis
// alone; pressed again, a Send that landed after all answers with the
// same receipt, storage.Submission.Repeat). Once one call of such a
// request got no answer in its time, the later ones are not sent
// (storage.WithHungLatch, set in Handle): the sender hears about one bound
// after the request began (3 s measured for a Send, a message, /warn and
// /reply), where it was presteps + 1 or 2 calls (6 to 9 s), and before
// that 14 s and 30 s. It is a bound per
// call, not a deadline for the request: a platform's send is not cut
// short by it, and a mark written after a slow send still gets its time.
const senderCallWait = 3 * time.Second

// Handle answers one request. It never panics and never returns an error:
// every failure becomes a localised answer and a log line without user data.
func (m *Mux) Handle(ctx context.Context, req Request, w Replier) {
	req, unmarked := m.slashCommand(req) // ("／help": /help)
	if m.writesForSender(req) {
		// Its sender waits to hear whether what they sent was kept:
		// once one Redis call of the request (its presteps' first, with
		// Redis hung) got no answer in its time, the later ones fail at
		// once instead of waiting senderCallWait each, and the request
		// takes its outage path (a message to the spool and "received",
		// a Send to "try again") about one bound after it began.
		ctx = storage.WithHungLatch(ctx)
	}
	c := &Context{Request: req, mux: m, w: w, unmarked: unmarked}
	began := time.Now()
	defer func() { m.metrics.Handled(req.Platform, c.commandName(), time.Since(began)) }()
	defer func() {
		if p := recover(); p != nil {
			m.log.Error("handler panic", "platform", req.Platform, "command", c.commandName(), "panic", fmt.Sprintf("%T", p), "stack", Stack(3))
			c.sayQuietly("error_internal", nil)
		}
	}()
	c.Pseudonym = m.store.Pseudonym(req.Platform, req.UserID)
	// A form must open at once (Discord gives 3 s, and a form cannot be
	// deferred), and opening one needs no Redis: with Redis hanging, the
	// steps before it get a short deadline of their own, and their
	// failure means what it means for any request (see below).
	pre, cancelPre := context.WithTimeout(ctx, presteps)
	if req.CanOpenForms {
		cancelPre()
		pre, cancelPre = context.WithTimeout(ctx, formPresteps)
	}
	defer cancelPre()
	if m.exposedInGroup(req) {
		// A tip in view of a group (a mention of the bot, a /warn) is
		// removed first, before any Redis call: with Redis hanging it
		// would otherwise stay up until the request's time ran out.
		if ok, err := c.removeRequest(ctx); ok && err != nil {
			m.log.Info("group message to the bot not deleted (no right?)", "platform", req.Platform)
		}
	}
	_ = m.settleDiscard(pre, c.Pseudonym) // before the request can add to a wiped draft (owed still if Redis fails)
	// One round trip: the sender's language, team role and whether they
	// have a question to answer, and the chat's rate limit. A Redis error
	// here only means the default language and fewer rights, and nothing
	// counted (the request goes on, to the spool if it is a tip).
	limit := m.chatLimit(c)
	// The client language kept for them is read only where the request
	// carries none (a Discord message), or one to keep (KeepLanguage).
	client := req.Language == "" || req.KeepLanguage
	var prof storage.Profile
	var err error
	if draftID, ok := m.sendPress(c); ok {
		// A Send press: the Send's first step goes with the profile (one
		// round trip fewer), taken only once the chat's limit allows it.
		prof, c.sendClaim, err = m.store.ProfileSend(pre, c.Pseudonym, limit, client, draftID, m.tipLimit())
		defer func() { c.sendClaim.Release(ctx) }() // not sent after all: its tip number given back
	} else {
		prof, err = m.store.Profile(pre, c.Pseudonym, limit, client)
	}
	c.client = cmp.Or(req.Language, prof.ClientLanguage)
	c.Lang = m.pickLanguage(prof.Language, c.client)
	if req.KeepLanguage && err == nil {
		m.keepClientLanguage(pre, c.Pseudonym, req, prof.ClientLanguage)
	}
	c.answering = prof.Answering
	if err == nil && !prof.Answering {
		m.armed.disarm(c.Pseudonym) // no mark in Redis: no Answer pressed
	}
	c.Role = m.roles.Of(req.Platform, req.UserID)
	c.roleUnread = err != nil && c.Role < Admin // an invitation's role is kept in Redis
	if c.Role < Admin {
		// Vetted by invitation.
		switch prof.Role {
		case "admin":
			c.Role = Admin
		case "investigator":
			c.Role = max(c.Role, Investigator)
		}
	}
	if need := m.reqRoles[req.Platform]; need != "" && c.Role >= Investigator && !slices.Contains(req.PlatformRoles, need) {
		c.Role = Anyone // vetted, but without the platform role this deployment also requires
	}
	if req.ChatKind != Private && !m.isTeamChat(req.Platform+":"+req.ChatID) {
		// In an ordinary group everyone is treated alike, so nothing anyone
		// sees there tells who is an investigator, nor who chose a language
		// in a private chat with the bot (a reporter, maybe): answered in
		// their app's language, where the group sees the answer.
		c.Role = Anyone
		if !req.AnsweredAlone {
			c.Lang = m.pickLanguage("", req.Language)
		}
	}

	if limit != nil && err == nil && !prof.Allowed && m.beyondChatLimit(pre, c) {
		if prof.FirstOver {
			// Told once, with the chat's first request over the limit,
			// though this one goes through: no request refused later is.
			c.sayQuietly("rate_limited", nil)
		}
	} else if limit != nil && err == nil && !prof.Allowed {
		if req.ChatKind != Private && !m.isTeamChat(req.Platform+":"+req.ChatID) {
			m.overLimitInGroup(ctx, c, prof.FirstOver)
			return
		}
		if req.ChatKind == Private && req.FormID == reportFormID {
			// A report form past pastChatLimit: not refused in silence,
			// its text gone with the closed form (formRefusal).
			c.quietly(c.formRefusal())
			return
		}
		if prof.FirstOver {
			c.sayQuietly("rate_limited", nil)
		}
		if req.AlbumItems > 1 && !req.AlbumMore {
			// An album's last item: the items kept before it are told
			// of with the first refusal (one answer more, once), and
			// forgotten in any case.
			if prof.FirstOver {
				_ = m.albumAnswer(ctx, c)
			} else {
				m.albums.end(c.Pseudonym)
			}
		}
		return
	}
	if req.ChatKind == Private && !req.CanOpenForms && !m.wipeRequest(req) {
		// A spooled tip's receipt the platform refused comes first (not
		// before a form, which must be the request's first answer; nor
		// into a chat its reporter asked to wipe: the wipe would take it
		// away unread, and it waits for their next message).
		if m.tellOwedReceipts(ctx, c) {
			return // this very message, delivered again: answered with its receipt
		}
	}
	rctx := ctx
	if m.writesForSender(req) {
		rctx = storage.WithCallWait(ctx, senderCallWait)
	}
	err = m.route(rctx, c)
	if err == nil {
		return
	}
	if re := (*replyError)(nil); errors.As(err, &re) {
		// The answer did not go out: telling the user their message may
		// not have been saved would be false (it was dealt with first), and
		// an error message goes the way the answer went.
		m.log.Warn("reply failed", "platform", req.Platform, "command", c.commandName(), "error", err.Error())
		return
	}
	level := slog.LevelError
	msg := "error_internal"
	if StorageDown(err) {
		level, msg = slog.LevelWarn, m.storageDownReply(c.Request)
	}
	m.log.Log(ctx, level, "handler failed", "platform", req.Platform, "command", c.commandName(), "error", err.Error())
	c.sayQuietly(msg, nil)
}

// sendPress returns the draft a private chat's Send press is for, when
// nothing that runs before the Send (Handle, send) can turn the request
// away or must come before the draft is claimed: no message held by the
// spool (marked as sent before the claim). A receipt owed from an outage
// does neither: it is told first (tellOwedReceipts), and the press goes
// on to its Send, since only a spooled message is ever owed one, never a
// Send press (events are the platform's, one id each).
func (m *Mux) sendPress(c *Context) (string, bool) {
	req := c.Request
	if req.ChatKind != Private || !strings.HasPrefix(req.Callback, cbSend) {
		return "", false
	}
	if m.spool != nil && len(m.spool.HeldEvents(c.Pseudonym)) > 0 {
		return "", false
	}
	id := strings.TrimPrefix(req.Callback, cbSend)
	return id, draftIDShaped(id) // forged data claims nothing: callback answers it
}

// writesForSender reports whether req brings something to keep whose
// sender waits to hear it was kept (senderCallWait): a Send press in a
// private chat, a message (a tip's part, an answer, the report form, a
// "/report <words>"), or /reply or /warn.
func (m *Mux) writesForSender(req Request) bool {
	if req.Callback != "" {
		return req.ChatKind == Private && strings.HasPrefix(req.Callback, cbSend)
	}
	if req.Command == "" {
		return true
	}
	cmd, known := m.table[req.Command]
	return known && (cmd.Name == "reply" || cmd.Name == "warn") || m.reportWithWords(req)
}

// reportWithWords reports whether req is "/report <words>" (an alias
// alike) in a private chat without forms: its words are a tip's message,
// kept as the same words sent alone would be (report). Words it quotes
// from another chat (Quote) are words too, and a file it could not bring
// from there (FileLost) is told of as a message's.
func (m *Mux) reportWithWords(req Request) bool {
	cmd, known := m.table[req.Command]
	return known && cmd.Name == "report" && req.ChatKind == Private && !req.CanOpenForms &&
		(strings.TrimSpace(req.Args) != "" || strings.TrimSpace(req.Quote) != "" || req.FileLost)
}

// wipeRequest reports whether req asks to wipe the chat: /wipe (in any
// of its names) or a wipe button.
func (m *Mux) wipeRequest(req Request) bool {
	if strings.HasPrefix(req.Callback, cbWipe) {
		return true
	}
	cmd, known := m.table[req.Command]
	return req.Command != "" && known && cmd.Name == "wipe"
}

// storageDownReply picks the answer to a request that failed because
// storage is down, by what the request was. One that brought something to
// keep (a tip's message, the report form, an answer, a note, a warning)
// hears that it was NOT saved, so it is sent again. Any other (/status
// CODE, /forget CODE, a button) only hears to try again later: told "your
// message was NOT saved", a reporter checking a receipt would fear the tip
// lost.
func (m *Mux) storageDownReply(req Request) string {
	switch {
	case req.FormID != "":
		return "error_storage"
	case req.Callback != "":
		return "error_storage_retry"
	case req.Command == "":
		return "error_storage"
	}
	if cmd := m.table[req.Command]; cmd != nil && carriesText(cmd) || m.reportWithWords(req) {
		return "error_storage"
	}
	return "error_storage_retry"
}

// carriesText reports whether a command's arguments hold text to be kept
// (a note, a question, an answer, a warning), lost if storage is down.
func carriesText(cmd *Command) bool {
	if cmd.TipText {
		return true
	}
	return slices.ContainsFunc(cmd.Args, func(a Arg) bool { return a.Name == "text" || a.Name == "answer" })
}

func (m *Mux) route(ctx context.Context, c *Context) error {
	m.teamCommand(c) // ("/siguiente" typed by a team member: /next)
	req := c.Request
	if req.Callback != "" {
		// Buttons work in private chats; in an investigators' group only
		// the triage and publication buttons do.
		if req.ChatKind != Private && !(m.isTeamChat(req.Platform+":"+req.ChatID) && (strings.HasPrefix(req.Callback, cbTriage) || strings.HasPrefix(req.Callback, cbPublish))) {
			return nil
		}
		return m.callback(ctx, c)
	}
	if req.Edited && req.ChatKind != Private {
		if m.isTeamChat(req.Platform + ":" + req.ChatID) {
			// An investigator's command edited (a typo fixed): not run
			// again (a second question to the reporter, a second claim).
			return nil
		}
		// A group message edited to name the bot or into one of its
		// commands: what it shows is in view as a new message's would be,
		// and goes the same way (removed, refused).
	}
	if req.Edited && req.ChatKind == Private {
		if req.MessageID != "" {
			if told, err := m.store.EditTold(ctx, c.Pseudonym, req.MessageID); err == nil && told {
				return nil // told at its first edit
			}
		}
		// A team member is told what an edit means to them (a command is
		// not run again), not a reporter's advice about their tip.
		msg := "edit_not_applied"
		if c.Role >= Investigator {
			msg = "edit_not_applied_team"
		}
		if err := c.Say(ctx, msg, nil); err != nil || req.MessageID == "" {
			return err
		}
		_ = m.store.TellEdit(ctx, c.Pseudonym, req.MessageID)
		return nil
	}
	if req.FormID != "" {
		if req.ChatKind != Private || req.FormID != reportFormID {
			// A form not taken here (one an older version opened, or the
			// report form sent from a channel made the investigators'
			// since): its member typed into it and waits for an answer.
			return c.Reply(ctx, c.formNotTaken())
		}
		return m.submitReportForm(ctx, c)
	}
	// A command's Text does not hold what it quotes from elsewhere
	// (Request.Quote): kept as words below, it is given it.
	quoteApart := req.Command != ""
	if req.Command != "" && req.ChatKind == Private && !req.CommandAtStart && wordsBefore(req.Text, req.Command) {
		// "dijo que si no pagan /cancelar el contrato": a command after
		// words is part of what the reporter wrote, not an order to drop
		// the draft. (After an emoji or punctuation, as "🙏 /help", it
		// is still a command.)
		req.Command, req.Args, c.Request.Command, c.Request.Args = "", "", "", ""
	}
	if req.Command != "" && req.ChatKind == Private && (req.Attachment != nil || req.FileData != nil || req.Location != nil) {
		// "/foto del halcón" as a photo's caption: the photo is a tip part,
		// and its caption text, not a command that would drop it.
		req.Command, req.Args, c.Request.Command, c.Request.Args = "", "", "", ""
	}
	commandTip := m.commandWithTip(req)
	if commandTip {
		// "/report@VigiaBot <tip>", "/help <tip>" in a reply to the bot:
		// the words after it are a tip in view of the group, handled (and
		// removed) as a mention holding one, not answered as the command.
		req.Command, req.Args, c.Request.Command, c.Request.Args = "", "", "", ""
	}
	if req.Command == "" && req.ChatKind == Private && loneSlash(req) {
		// "/" alone: a command's start sent without its name (the
		// platform's list of commands opens at "/"; "//", "/@VigiaBot",
		// "／" alike), not a tip's first words: answered as an unknown
		// command, which says to send /help; no draft is begun, nor an
		// open one added to.
		if c.roleUnread {
			return c.Say(ctx, "error_storage_retry", nil)
		}
		return c.Say(ctx, "unknown_command", nil)
	}
	if req.Command != "" {
		cmd, known := m.table[req.Command]
		switch {
		case known && req.ChatKind != Private && c.Role < cmd.Role && slices.Contains(secretArgs, cmd.Name) && (req.CommandAtStart || req.Addressed):
			// "/unlock 123456" in a group: in view, whoever typed it (and
			// in an ordinary group everyone is treated alike), so removed
			// as any secret typed there is.
			return m.refusePrivateOnly(ctx, c, cmd)
		case known && (cmd.Role == Anyone || c.Role >= cmd.Role) && (req.ChatKind == Private || req.CommandAtStart || req.Addressed):
			// (In a group, "use /report to…" in a member's message is
			// theirs to write: not ours to answer, nor to delete.)
			c.cmd = cmd
			if !m.allowedIn(c, cmd) {
				return m.refusePrivateOnly(ctx, c, cmd)
			}
			if req.ChatKind != Private && (cmd.Name != "warn" || req.Edited) {
				// "/help CODE", "/start CODE", sent or edited: a code in
				// view is removed (an invitation's voided) whatever the
				// command, and the command is not answered then. (/warn
				// voids and removes on its own.)
				if acted, err := m.codesSeen(ctx, c, true); acted || err != nil {
					return err
				}
			}
			if req.Edited {
				// A group's command edited (a typo fixed) was run when
				// sent: not again (a second warning stored, counted).
				return nil
			}
			if cmd.Role >= Investigator {
				e := auditEntry(cmd, req.Args)
				if cmd.AuditLate {
					c.pendingAudit = &e
				}
				if ok, err := m.teamAction(ctx, c, e, cmd.BeforeUnlock); err != nil || !ok {
					return err
				}
			}
			err := cmd.Handler(ctx, c)
			if aerr := c.auditPending(ctx, nil); aerr != nil && err == nil {
				err = aerr
			}
			return err
		case !req.CommandAtStart:
			// "/word" inside a message that is not ours: it is just text.
		case req.ChatKind == Private || req.Addressed:
			if req.ChatKind != Private {
				if acted, err := m.codesSeen(ctx, c, true); acted || err != nil {
					return err
				}
			}
			if c.roleUnread {
				// The role given by an invitation could not be read (Redis
				// failing): an invited member's own command, maybe. Told
				// to try again, whatever the command: which answer depends
				// on Redis, never on the command or who sent it.
				return c.Say(ctx, "error_storage_retry", nil)
			}
			// Unknown, or not for this user's role: the same answer, so the
			// investigator commands cannot be discovered.
			return c.Say(ctx, "unknown_command", nil)
		default:
			// Another bot's command, maybe: not ours to answer, but a
			// code it puts in view is (as in any message of the group).
			return m.codesInView(ctx, c)
		}
	}
	if req.ChatKind != Private {
		if !req.Addressed || (req.Edited && answersBot(req) && !commandTip) {
			// A group conversation that is not for us: never stored, nor
			// answered, unless it puts a code in view. So is a reply that
			// only answers one of the bot's messages, edited (the adapter
			// hands it on when it holds code-like words): told where tips
			// go when it was sent, not again at each edit, and not
			// removed for an account number Redis cannot tell apart now.
			return m.codesInView(ctx, c)
		}
		// A mention of the bot in a group may be a tip that everyone there
		// can read: removed where the bot may, to protect its sender (as
		// on Discord). Not in the investigators' chats, nor a reply to one
		// of the bot's messages (a community answering a warning) unless
		// it names the bot in its words (then it is written to the bot, as
		// a mention is) or holds a code (a receipt code, "I sent it, my
		// code is …", or an invitation code, which is void once seen there).
		if inv := m.isTeamChat(req.Platform + ":" + req.ChatID); !inv {
			codes := codesIn(req)
			voided := m.voidInvitations(ctx, c, codes)
			if !answersBot(req) || commandTip || voided || m.anyReceipt(ctx, codes) {
				note := ""
				if voided {
					note = "\n\n" + c.voidedInView()
				}
				if ok, err := c.removeRequest(ctx); ok || note != "" {
					return c.Reply(ctx, Reply{Text: c.privateOnly(removalTold(ok, err)) + note})
				}
			}
		}
		return c.Reply(ctx, Reply{Text: c.privateOnly("group_private_only")})
	}
	if quoteApart {
		// A command kept as words (after words, a file's caption, one not
		// ours mid-message): the words it quotes from elsewhere go first,
		// as in a message that is no command.
		c.Request.Text = WithQuote(c.Request.Quote, c.Request.Text)
	}
	return m.addToDraft(ctx, c)
}

// codesInView removes a group message not written to the bot that holds
// a receipt code of a tip (stored or spooled) or a live invitation code,
// and tells the group. The bot reads a group's whole conversation where it
// is an administrator, as it must be to remove anything; such a code in
// view there ("ya lo denuncié, mi código es …") tells the group who
// reported, and lets anyone answer or silence the investigators with it
// (/reply, /forget); an invitation code lets anyone join the team, and is
// void once seen. Any other message, code-like words included (an account
// number, a code of no tip), is the group's: left alone, unanswered, also
// while Redis cannot say what a code is (unlike a message to the bot,
// removed then to be safe: a conversation's account numbers are not
// removed for an outage; the receipt of a tip spooled meanwhile is still
// known, and removed). Not in the investigators' chats. The group is told
// of a removal once a minute at most (noticeDue), of a voided invitation
// every time.
func (m *Mux) codesInView(ctx context.Context, c *Context) error {
	_, err := m.codesSeen(ctx, c, false)
	return err
}

// codesSeen is codesInView, and reports whether it removed the message or
// voided an invitation (the request is then dealt with). toBot says the
// message is a command to the bot ("/help CODE"): while Redis cannot say
// what its code-like words are, it is removed to be safe, as a mention
// of the bot is (removing needs no Redis), its voiding held.
func (m *Mux) codesSeen(ctx context.Context, c *Context, toBot bool) (bool, error) {
	req := c.Request
	if m.isTeamChat(req.Platform + ":" + req.ChatID) {
		return false, nil
	}
	codes := codesIn(req)
	if len(codes) == 0 {
		return false, nil
	}
	note := ""
	voided, err := m.store.VoidInvites(ctx, codes)
	down := err != nil
	switch {
	case err != nil:
		// Redis cannot say (no second call to wait on): only a spooled
		// tip's receipt, which this process holds, is known to be one.
		m.log.Info("code-like words in a group's conversation not checked (storage down)", "platform", req.Platform, "error", err.Error())
		m.holdVoids(req.Platform, codes)
		// Words shaped like a code of letters alone are one only when a
		// tip has it (tips.OldReceipt): not removed for them.
		drawn := slices.ContainsFunc(codes, func(code string) bool { return !tips.OldReceipt(code) })
		if !(toBot && drawn) && (m.spool == nil || !slices.ContainsFunc(codes, m.spool.HoldsReceipt)) {
			return false, nil
		}
	case slices.Contains(voided, true):
		note = "\n\n" + c.voidedInView()
	default:
		if known, err := m.receiptsKnown(ctx, codes); err != nil || !slices.Contains(known, true) {
			return false, nil
		}
	}
	ok, err := c.removeRequest(ctx)
	if !ok && note == "" {
		return false, nil // (nothing the bot could remove, nothing to tell)
	}
	kind := noticeRemoved
	if ok && err != nil {
		kind = noticeKept // (it asks its sender to delete it: counted apart, more let through)
	}
	if note == "" && !m.noticeDue(ctx, c, down, kind) {
		// Removed (or not) all the same, silently: the group was told
		// within the minute. (A voided invitation is always told
		// of: only the team can make one, and its admins must learn it
		// is void.)
		return true, nil
	}
	return true, c.Reply(ctx, Reply{Text: c.privateOnly(removalTold(ok, err)) + note})
}

// removalTold is the group_private_only message that tells what became of
// a group's message the bot tried to remove (removeRequest's ok, err):
// removed, not removed (its sender asked to delete it), or nothing the
// bot could remove.
func removalTold(ok bool, err error) string {
	switch {
	case ok && err != nil:
		return "group_private_only_not_removed"
	case ok:
		return "group_private_only_removed"
	}
	return "group_private_only"
}

// privateOnly is message id, one of group_private_only's (tips are
// taken only in private: a message to the bot in a group was not kept,
// and was or was not removed), in the words of the place. On Discord,
// where the adapter answers a server channel's message by direct message
// (Request.AnsweredAlone), its "_server" variant: a direct message like
// the one it is read in, or /report's form, never a server's channel
// (not "a private chat", not "this group"), with /report under the name
// the member's client shows (T does so on Discord).
func (c *Context) privateOnly(id string) string {
	if c.Request.Platform != "discord" || !c.Request.AnsweredAlone {
		return c.T(id, nil)
	}
	return c.T(strings.Replace(id, "group_private_only", "group_private_only_server", 1), nil)
}

// voidedInView is redeem_void_in_group (an invitation code seen in a
// group, void since), in the words of the place, as privateOnly's text
// it follows: on Discord, where the member reads it by direct message
// (Request.AnsweredAlone), its "_server" variant, the code seen in the
// server's channel, not "in this group", which is no place on Discord.
//
// A Discord slash command in a server's channel (the investigators',
// where /warn is taken as a group's) was not shown to the channel: its
// code is void all the same, and said to have been in a command sent in
// a server's channel (redeem_void_in_server_command), not seen there.
func (c *Context) voidedInView() string {
	switch {
	case c.Request.Platform == "discord" && c.Request.AnsweredAlone:
		return c.T("redeem_void_in_group_server", nil)
	case c.Request.Platform == "discord" && !c.posted():
		return c.T("redeem_void_in_server_command", nil)
	}
	return c.T("redeem_void_in_group", nil)
}

// posted reports whether the request is a message posted where it was
// written, which the bot may try to remove (MessageDeleter): not a
// Discord slash command.
func (c *Context) posted() bool {
	_, ok := c.w.(MessageDeleter)
	return ok
}

// inServer is message id (private_only_command's, redeem_maybe_void_in_group,
// a group's /warn answer, group_busy's), in the words of the place: on Discord, where
// no place is "a private chat" nor "this group", its "_server" variant
// (private_only_command_removed: private_only_command_server_removed),
// which speaks of a direct message and a server's channel.
func (c *Context) inServer(id string) string {
	if c.Request.Platform != "discord" {
		return id
	}
	for _, base := range []string{"private_only_command", "redeem_maybe_void_in_group", "warn_group_received", "warn_group_refused", "group_busy"} {
		if rest, ok := strings.CutPrefix(id, base); ok {
			return base + "_server" + rest
		}
	}
	return id
}

// codesIn returns the code-like words a group message puts in view: in
// its text and in the links it shows as words ("mira aquí", pointing to
// …?c=CODE), which a tap opens.
func codesIn(req Request) []string {
	if len(req.HiddenLinks) == 0 {
		return tips.ReceiptCodesIn(req.Text)
	}
	// (Each read on its own too: tips.MessageCodesIn.)
	return tips.MessageCodesIn(append([]string{req.Text}, req.HiddenLinks...))
}

// answersBot reports whether a group message only answers one of the
// bot's messages: a reply to it that does not name it in its words (a
// community answering a warning: "gracias, lo compartimos"). A reply
// that names it ("@VigiaBot el Chapo cobra piso…") is written to the
// bot, as a mention is, and may be a tip in view of the group.
func answersBot(req Request) bool {
	return req.ReplyToBot && !req.NamedInText
}

// exposedInGroup reports whether a request is a message in a group,
// other than the investigators', that may hold a tip in view of everyone
// there: a /warn, or a message to the bot that is not a command (nor a
// reply that only answers one of its messages, see answersBot).
func (m *Mux) exposedInGroup(req Request) bool {
	if req.ChatKind == Private || req.Callback != "" || req.FormID != "" || m.isTeamChat(req.Platform+":"+req.ChatID) {
		return false
	}
	cmd, known := m.table[req.Command]
	// A /warn route runs (at the start, or written for this bot: "Atención
	// vecinos @VigiaBot /warn …", in a reply to the bot too) is removed.
	warning := known && cmd.Name == "warn" && (req.CommandAtStart || req.Addressed)
	tip := req.Addressed && !answersBot(req) && (req.Command == "" || !req.CommandAtStart)
	return warning || tip || m.commandWithTip(req)
}

// commandWithTip reports whether a group request, other than in the
// investigators' chats, is a command written for this bot (NamesBot; of
// the bare ones, only /report, our tip command) with words after it
// that are no argument the command takes there: words after /report,
// /help, /start, an unknown command, a team command outside the team's
// chats. Those words are a tip in view of the group. The private-only
// commands whose arguments are secrets (a code) are removed on their own
// path (refusePrivateOnly); /warn and /subscribe take their words.
//
// Words before a command the message itself writes for this bot ("el
// Chapo cobra piso @VigiaBot /help") are a tip in view too, whatever the
// command but /warn: no other command takes them, and the message is
// removed (exposedInGroup), so it is answered as the tip it is, not as
// /help. /warn takes them as the start of its warning ("Atención vecinos
// @VigiaBot /warn …" is how a community writes one).
func (m *Mux) commandWithTip(req Request) bool {
	if req.ChatKind == Private || req.Command == "" ||
		req.Callback != "" || req.FormID != "" || m.isTeamChat(req.Platform+":"+req.ChatID) {
		return false
	}
	cmd, known := m.table[req.Command]
	args := strings.TrimSpace(req.Args) != ""
	if req.NamedInText && req.WordsBefore && !(known && cmd.Name == "warn") && !(known && slices.Contains(secretArgs, cmd.Name) && args) {
		return true
	}
	if !args {
		return false
	}
	if !req.NamesBot {
		// A bare "/report <words>" (or its aliases) opening a message is
		// ours to protect too: a moderation bot's "/report spammer" is
		// removed with it, a small cost against a tip left in view with
		// its sender's name. (Other bare commands may be another bot's.)
		return known && cmd.Name == "report" && req.CommandAtStart
	}
	if !known {
		// Not ours but written for us (/x@VigiaBot, "@VigiaBot /x …"),
		// even in a reply to one of our messages; in such a reply without
		// naming us, likely another bot's (a moderator's "/pin loud" on a
		// warning): left.
		return !req.ReplyToBot || req.NamedInText
	}
	if slices.Contains(secretArgs, cmd.Name) {
		return false
	}
	return cmd.PrivateOnly || len(cmd.Args) == 0 || cmd.Role > Anyone
}

// overLimitInGroup answers a group over its hourly limit: nothing is
// kept or answered, but a /warn, or a message to the bot that route would
// remove (a tip in view of the group), is still removed where the bot may:
// left up, it would show its sender to everyone, and anyone in the group
// can use up its limit on purpose. The group is told once, the first time
// over, neutrally (never "you are sending a lot", which would point at the
// member). An invitation code written there is void all the same (anyone
// in the group could redeem it first) and its message removed, whatever
// the command, as is one holding a tip's receipt code; a private-only
// command with a secret argument ("/status CODE") is removed too. The
// group is told of a voided code whenever one is.
func (m *Mux) overLimitInGroup(ctx context.Context, c *Context, tell bool) {
	req := c.Request
	note := ""
	codes := tips.MessageCodesIn(append([]string{req.TextBefore, req.Text, req.Args}, req.HiddenLinks...))
	voided := m.voidInvitations(ctx, c, codes)
	if voided {
		note, tell = "\n\n"+c.voidedInView(), true
	}
	cmd, known := m.table[req.Command]
	secret := known && slices.Contains(secretArgs, cmd.Name) && strings.TrimSpace(req.Args) != ""
	id := "group_busy"
	// (A code in view goes, whatever the command: an invitation's, or a
	// tip's receipt code, as in the group's conversation.)
	if m.exposedInGroup(req) || secret || voided || (!m.isTeamChat(req.Platform+":"+req.ChatID) && m.anyReceipt(ctx, codes)) {
		id = "group_busy_not_removed"
		if ok, err := c.removeRequest(ctx); ok && err == nil {
			id = "group_busy_removed"
		}
	}
	if tell {
		// On Discord the "group" is the member's own messages to the bot
		// in servers' channels, told by direct message (inServer).
		c.quietly(Reply{Text: c.T(c.inServer(id), nil) + note})
	}
}

// wordsBefore reports whether text holds a letter or a digit before
// "/"+command.
func wordsBefore(text, command string) bool {
	lower := strings.ToLower(text) // (lower-casing may change byte offsets: the index is into lower)
	i := strings.Index(lower, "/"+command)
	if i < 0 {
		return false
	}
	return strings.IndexFunc(lower[:i], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// voidInvitations voids each of codes that is an invitation code, seen
// where others could redeem it first (one round trip), and reports whether
// one was.
func (m *Mux) voidInvitations(ctx context.Context, c *Context, codes []string) bool {
	if len(codes) == 0 {
		return false
	}
	voided, err := m.store.VoidInvites(ctx, codes)
	if err != nil {
		m.log.Warn("invitation codes seen in a group not voided", "platform", c.Request.Platform, "error", err.Error())
		m.holdVoids(c.Request.Platform, codes)
	}
	return slices.Contains(voided, true)
}

// holdVoids has the spool void, once Redis is back, those of codes that
// are invitation codes, seen where others could redeem them while Redis
// could not void them.
func (m *Mux) holdVoids(platform string, codes []string) {
	if m.spool == nil || len(codes) == 0 {
		return
	}
	if err := m.spool.HoldVoids(codes); err != nil {
		// Kept in memory (Spool.HoldVoids): refused here, written at the
		// next hold if the disk takes it, voided at the replay.
		m.log.Error("invitation codes seen in a group while storage was down: their voiding could not be written to the spool; refused here and voided once storage is back, but lost if this process stops before", "platform", platform, "error", err.Error())
	}
}

// anyReceipt reports whether one of codes is a tip's receipt code (stored,
// or spooled); true when Redis cannot say, to be safe, if one holds a
// digit (words shaped like a code of letters alone are one only when a
// tip has it: tips.OldReceipt).
func (m *Mux) anyReceipt(ctx context.Context, codes []string) bool {
	if len(codes) == 0 {
		return false
	}
	known, err := m.receiptsKnown(ctx, codes)
	if err != nil {
		return slices.ContainsFunc(codes, func(code string) bool { return !tips.OldReceipt(code) })
	}
	return slices.Contains(known, true)
}

// secretArgs are the private-only commands whose arguments are for no
// one else's eyes: a receipt or invitation code, an answer to the
// investigators, a one-time code.
var secretArgs = []string{"redeem", "status", "forget", "reply", "unlock", "enroll"}

// refusePrivateOnly answers a command typed where it does not work. A
// private-only command typed in a group with arguments put them in view of
// everyone there (a receipt or invitation code, an answer to investigators,
// a one-time code): the message is removed where the bot may, and an
// invitation code seen there is void, since anyone in the group could
// redeem it first. So is one that holds a tip's receipt code, whatever
// the command.
func (m *Mux) refusePrivateOnly(ctx context.Context, c *Context, cmd *Command) error {
	req := c.Request
	// Only a message posted in the group can be deleted (a Discord slash
	// command's options are not shown to the channel).
	_, posted := c.w.(MessageDeleter)
	if req.ChatKind == Private || !cmd.PrivateOnly || strings.TrimSpace(req.Args) == "" || !posted {
		return c.Say(ctx, c.inServer("private_only_command"), nil)
	}
	// Any invitation code in view is void, whatever the command ("/status
	// CODE" with an invitation's code): /redeem's argument read whole, in
	// any form it takes, and every code-like word of the message.
	codes := tips.MessageCodesIn(append([]string{req.Text, req.Args}, req.HiddenLinks...))
	if code, ok := tips.NormalizeReceipt(req.Args); ok && cmd.Name == "redeem" && !slices.Contains(codes, code) {
		codes = append(codes, code)
	}
	note := ""
	if len(codes) > 0 {
		switch voided, err := m.store.VoidInvites(ctx, codes); {
		case err != nil:
			m.log.Warn("invitation codes seen in a group not voided", "platform", req.Platform, "error", err.Error())
			m.holdVoids(req.Platform, codes)
		case cmd.Name == "redeem":
			// The same words whether or not it was an invitation: "no
			// such invitation" in view of the group would let anyone
			// there try codes until one is told apart.
			note = "\n\n" + c.T(c.inServer("redeem_maybe_void_in_group"), nil)
		case slices.Contains(voided, true):
			note = "\n\n" + c.voidedInView()
		}
	}
	if !slices.Contains(secretArgs, cmd.Name) && note == "" &&
		(m.isTeamChat(req.Platform+":"+req.ChatID) || !m.anyReceipt(ctx, codes)) {
		// ("/wipe CODE" with a tip's receipt code goes as the code would
		// in the group's conversation: removed.)
		return c.Say(ctx, c.inServer("private_only_command"), nil)
	}
	if _, err := c.removeRequest(ctx); err != nil {
		m.log.Info("group message to the bot not deleted (no right?)", "platform", req.Platform)
		return c.Reply(ctx, Reply{Text: c.T(c.inServer("private_only_command_not_removed"), nil) + note})
	}
	return c.Reply(ctx, Reply{Text: c.T(c.inServer("private_only_command_removed"), nil) + note})
}

// allowedIn reports whether cmd may run in the request's chat. A
// PrivateOnly command is refused in every group, the investigators' too:
// what it answers (an invitation code, a second-factor secret, the team's
// list) is for its user alone, not for whoever else is in the chat.
func (m *Mux) allowedIn(c *Context, cmd *Command) bool {
	if c.Request.ChatKind == Private {
		return true
	}
	if cmd.PrivateOnly {
		return false
	}
	if cmd.Role >= Investigator {
		return m.isTeamChat(c.Request.Platform + ":" + c.Request.ChatID)
	}
	return true
}

// pickLanguage picks the reply language: the reporter's choice, else
// their client's language if supported, else the configured default.
func (m *Mux) pickLanguage(chosen, client string) string {
	if chosen != "" {
		return chosen
	}
	if l := m.msg.Match(client); l != "" {
		return l
	}
	return m.lang
}

// Language is the language the engine answers a user of platform in, when
// their client asks for client ("" if it does not say): for an adapter
// with lines of its own (the console demo) to speak as the engine does.
// With Redis unreachable, the client's language or the default.
func (m *Mux) Language(ctx context.Context, platform, userID, client string) string {
	prof, _ := m.store.Profile(ctx, m.store.Pseudonym(platform, userID), nil, client == "")
	return m.pickLanguage(prof.Language, cmp.Or(client, prof.ClientLanguage))
}

// keepClientLanguage remembers the language of a request that says to
// keep it (KeepLanguage), for the sender's requests that carry none,
// where it is not the one remembered already (stored: read with the
// profile): one write, and only when their client's language changed.
// Kept as the supported language it matches ("" forgets it: the client's
// is none Vigía speaks).
func (m *Mux) keepClientLanguage(ctx context.Context, pseudonym string, req Request, stored string) {
	lang := m.msg.Match(req.Language)
	if lang == stored {
		return
	}
	if err := m.store.SetClientLanguage(ctx, pseudonym, lang); err != nil {
		m.log.Warn("client language not remembered", "platform", req.Platform, "error", err.Error())
	}
}

// StorageDown reports whether err means Redis could not be reached: no
// connection to it, none that answered, or none free (every one of the
// pool busy, Redis slow or hung: storage.ErrPoolTimeout); or that it
// refused the call for a while, before running it (loading its data
// after a restart, a failover: storage.Refused); or, in sentinel mode,
// that the sentinels no longer know the primary (storage.ErrUnknownPrimary:
// no connection can be made); or that Redis, or in sentinel mode a
// sentinel, refuses the connection's settings (storage.ErrRedisSettings:
// a password set or changed while serve runs), which refuses every new
// connection until the operator fixes it: at start-up a configuration
// error, while serving an outage, and a reporter's message is spooled.
func StorageDown(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || storage.Refused(err) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, storage.ErrPoolTimeout) || errors.Is(err, storage.ErrUnknownPrimary) ||
		errors.Is(storage.RefusedSettings(err), storage.ErrRedisSettings) ||
		strings.Contains(err.Error(), "redis: client is closed") || strings.Contains(err.Error(), "connection refused")
}

// Stack renders the calling goroutine's stack as function and file:line
// only. debug.Stack would also print argument values, and those can be a
// user or chat id.
func Stack(skip int) string {
	pc := make([]uintptr, 32)
	n := runtime.Callers(skip, pc)
	frames := runtime.CallersFrames(pc[:n])
	var b strings.Builder
	for {
		f, more := frames.Next()
		fmt.Fprintf(&b, "%s %s:%d; ", f.Function, f.File, f.Line)
		if !more {
			break
		}
	}
	return b.String()
}

// firstWord splits arguments at the first space or line break: "1\ntext"
// is tip 1 and its text, as "1 text" is.
func firstWord(args string) (word, rest string) {
	args = strings.TrimSpace(args)
	i := strings.IndexFunc(args, unicode.IsSpace)
	if i < 0 {
		return args, ""
	}
	_, size := utf8.DecodeRuneInString(args[i:])
	return args[:i], strings.TrimSpace(args[i+size:])
}

// auditEntry is what the audit log keeps of team command cmd given args:
// the arguments, but neither a code nor a note's or question's text.
func auditEntry(cmd *Command, args string) storage.AuditEntry {
	e := storage.AuditEntry{Action: cmd.Name, Args: args}
	switch {
	case cmd.BeforeUnlock && args != "":
		e.Args, e.Code = "", true
	case cmd.TipText:
		number, text := firstWord(args)
		e.Args, e.TextLength = number, utf8.RuneCountInString(strings.TrimSpace(text))
	}
	return e
}

// eventFlag names the platform event of the request as a tip's flag: a
// team member's action on a tip (a question, a note) that the platform
// delivers again is not done twice. "" when the platform gives no id.
func (c *Context) eventFlag() string {
	if c.Request.EventID == 0 {
		return ""
	}
	return "ev:" + c.Request.Platform + ":" + strconv.FormatInt(c.Request.EventID, 10)
}

// replayed reports whether this request's action on tip id was done
// before (see eventFlag).
func (c *Context) replayed(ctx context.Context, id string) (bool, error) {
	f := c.eventFlag()
	if f == "" {
		return false, nil
	}
	return c.mux.store.Marked(ctx, id, f)
}

// done records that this request's action on tip id is done.
func (c *Context) done(ctx context.Context, id string) {
	if f := c.eventFlag(); f != "" {
		_, _ = c.mux.store.MarkOnce(ctx, id, f)
	}
}

// auditWho names the sender in the audit log.
func (c *Context) auditWho() string {
	if c.Request.Name != "" {
		return c.Request.Platform + ":" + c.Request.UserID + " " + c.Request.Name
	}
	return c.Request.Platform + ":" + c.Request.UserID
}

const maxAuditArgs = 1000

// audit records a team member's action e, and when they were last active.
// Callers refuse the action when it fails.
func (m *Mux) audit(ctx context.Context, c *Context, e storage.AuditEntry) error {
	e.Who = c.auditWho()
	// A code (an invitation's for /revoke, a receipt code pasted in any
	// command by mistake) would stay readable there for a year: each is
	// kept as its tag only.
	if code, ok := tips.NormalizeReceipt(e.Args); ok && e.Action == "revoke" {
		// /revoke reads its argument whole, in forms no code-like word
		// has ("K7QD9 XMAR2 …", a space between every character).
		e.Args = m.store.CodeTag(code)
	}
	e.Args = tips.ReplaceReceipts(e.Args, m.store.CodeTag)
	// A code of letters alone (OldReceipt) is one only if a tip has it:
	// looked up (audited commands are rare). Should that fail, the
	// action is refused rather than the code kept.
	args, err := tips.ReplaceKnownReceipts(e.Args, func(codes []string) ([]bool, error) { return m.receiptsKnown(ctx, codes) }, m.store.CodeTag)
	if err != nil {
		return fmt.Errorf("audit %s: receipt lookup: %w", e.Action, err)
	}
	e.Args = args
	if r := []rune(e.Args); len(r) > maxAuditArgs {
		e.Args = string(r[:maxAuditArgs]) + "…" // recorded before the command checks its own limits
	}
	if err := m.store.Audit(ctx, e, m.triage.AuditRetention); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	if c.Role >= Investigator {
		_ = m.store.Touch(ctx, c.Pseudonym)
	}
	return nil
}

// Metrics receives the engine's counters. Labels are platform, category
// and command names only: never anything about a user.
type Metrics interface {
	TipReceived(platform string, category tips.Category)
	Handled(platform, command string, took time.Duration)
	SendFailed(platform string)
}

type noMetrics struct{}

func (noMetrics) TipReceived(string, tips.Category)     {}
func (noMetrics) Handled(string, string, time.Duration) {}
func (noMetrics) SendFailed(string)                     {}

// Spooler keeps a tip on local disk, sealed and fsynced, and returns the
// receipt code the reporter is given.
type Spooler interface {
	Append(e storage.SpoolEntry) (string, error)
	// Spooled returns the receipt of a reporter's event still spooled.
	Spooled(pseudonym string, eventID int64) (string, bool)
	// HoldsReceipt reports whether a tip with this receipt is spooled.
	HoldsReceipt(code string) bool
	// ReceiptOf is the receipt a reporter's event gets if spooled.
	ReceiptOf(pseudonym string, eventID int64) (string, error)
	// HeldEvents returns a reporter's events still spooled.
	HeldEvents(pseudonym string) []int64
	// HoldVoids keeps, until Redis is back, the voiding of those of codes
	// that are invitation codes (as keyed hashes, never in clear).
	HoldVoids(codes []string) error
	// VoidHeld reports whether an invitation code waits to be voided.
	VoidHeld(code string) bool
	// OweReceipt keeps a spooled tip's receipt the platform refused, for
	// its reporter's next message; it returns how many of the oldest
	// owed receipts it dropped to make room.
	OweReceipt(o storage.OwedReceipt) (dropped int, err error)
	// OwedReceipts returns the receipts owed to a reporter.
	OwedReceipts(pseudonym string) []storage.OwedReceipt
	// ReceiptsTold forgets the reporter's owed receipts of events.
	ReceiptsTold(pseudonym string, events []int64) error
	// OweDiscard keeps the discard a chat wipe owes, where Redis takes
	// neither it nor its record; it returns how many of the oldest kept
	// it dropped to make room.
	OweDiscard(pseudonym string, d storage.OwedDiscard) (dropped int, err error)
	// DiscardsOwed returns the discards kept (OweDiscard) by pseudonym.
	DiscardsOwed() map[string]storage.OwedDiscard
	// DiscardSettled forgets a discard kept, done or recorded in Redis,
	// unless a later wipe owes it.
	DiscardSettled(pseudonym string, wiped time.Time) error
}

// teamAction is what a team action passes first, typed as a command or
// pressed as a button (triage, publication): the member's hourly limit,
// the audit entry (no audit, no action: a team action must never go
// unrecorded), and the second-factor lock, unless beforeUnlock. Refused,
// the member is told why (as allow says, once) and false is returned.
func (m *Mux) teamAction(ctx context.Context, c *Context, e storage.AuditEntry, beforeUnlock bool) (bool, error) {
	if ok, err := m.allow(ctx, c, "query", m.limits.QueriesPerHour); err != nil || !ok {
		return false, err
	}
	if c.pendingAudit == nil {
		if err := m.audit(ctx, c, e); err != nil {
			return false, err
		}
	}
	if locked, err := m.locked(ctx, c); err != nil || (locked && !beforeUnlock) {
		if err == nil {
			err = c.auditPending(ctx, nil)
		}
		if err != nil {
			return false, err
		}
		return false, c.Say(ctx, "locked", nil)
	}
	return true, nil
}

// auditPending writes an AuditLate command's entry, or instead of it e
// when not nil (what the command turned out to do), once: a command must
// call it before it acts. Nothing pending, it does nothing.
func (c *Context) auditPending(ctx context.Context, e *storage.AuditEntry) error {
	pending := c.pendingAudit
	if pending == nil {
		return nil
	}
	c.pendingAudit = nil
	if e == nil {
		e = pending
	}
	return c.mux.audit(ctx, c, *e)
}

// allow applies a per-pseudonym hourly limit; when it is reached the user
// is told, kindly, and false is returned.
func (m *Mux) allow(ctx context.Context, c *Context, kind string, limit int) (bool, error) {
	if limit <= 0 {
		return true, nil
	}
	ok, firstOver, err := m.store.Allow(ctx, c.Pseudonym, kind, limit, time.Hour)
	if err != nil {
		return false, err
	}
	if firstOver {
		return false, c.Say(ctx, "rate_limited", nil)
	}
	if !ok && c.fileFateOwed {
		return false, c.Say(ctx, "file_not_kept_limited", nil) // (told it is said next)
	}
	return ok, nil // past the first refusal, silence: a flood gets nothing to flood with
}

// partLimit and tipLimit are the reporter's limits on draft parts and on
// tips sent, or nil if none.
func (m *Mux) partLimit() *storage.Limit { return hourly("part", m.limits.PartsPerHour) }
func (m *Mux) tipLimit() *storage.Limit  { return hourly("tip", m.limits.TipsPerHour) }

func hourly(kind string, max int) *storage.Limit {
	if max <= 0 {
		return nil
	}
	return &storage.Limit{Kind: kind, Max: max, Window: time.Hour}
}

// limited handles a rate limit that refused a write (a *storage.LimitError
// in err): the user is told the first time, then nothing, as allow does.
func (c *Context) limited(ctx context.Context, err error) (bool, error) {
	var le *storage.LimitError
	if !errors.As(err, &le) {
		return false, nil
	}
	if c.Request.FormID == reportFormID {
		return true, c.Reply(ctx, c.formRefusal()) // every time: its text is gone with the form
	}
	if le.FirstOver {
		return true, c.Say(ctx, "rate_limited", nil)
	}
	if c.fileFateOwed {
		return true, c.Say(ctx, "file_not_kept_limited", nil) // (told it is said next)
	}
	return true, nil
}

// beyondChatLimit reports whether c's request goes through even past its
// chat's limit: in a private chat, a Send press, a wipe and the report
// form, up to pastChatLimit of them an hour. A reporter who ran past it
// (forwarding a long conversation, say) can still send the draft, which
// would otherwise wait unsendable until dropped as idle, and still wipe
// the chat; a form's text, gone from the closed form, is not dropped
// unread. Sends and parts keep their own limits (VIGIA_LIMIT_TIPS,
// VIGIA_LIMIT_MESSAGES), but a Send already answered (pressed again) and a
// wipe count against none: past pastChatLimit, a chat pressing them over
// and over is refused like any other request, but for a report form,
// told it was NOT received and given its text back (formRefusal). Not
// counted (Redis failing), it goes through.
func (m *Mux) beyondChatLimit(ctx context.Context, c *Context) bool {
	req := c.Request
	if req.ChatKind != Private || !(strings.HasPrefix(req.Callback, cbSend) || req.FormID == reportFormID || m.wipeRequest(req)) {
		return false
	}
	ok, _, err := m.store.Allow(ctx, c.Pseudonym, "chatpast", pastChatLimit, time.Hour)
	return ok || err != nil
}

// pastChatLimit is how many Send presses, wipes and report forms a
// private chat past its limit still has answered an hour.
const pastChatLimit = 20

// chatLimit is the per-chat limit on whatever the bot would answer in a
// chat, or nil where none applies; the chat is counted under a MAC, never
// its id.
func (m *Mux) chatLimit(c *Context) *storage.Limit {
	req := c.Request
	if m.limits.ChatPerHour <= 0 || (req.ChatKind != Private && !req.Addressed && req.Callback == "") {
		return nil
	}
	// A private chat is its user's: counted with their other limits, in
	// one key. Any other chat is counted under a pseudonym of its own.
	subject := c.Pseudonym
	if req.ChatKind != Private {
		subject = m.store.Pseudonym(req.Platform, "chat:"+req.ChatID)
	}
	return &storage.Limit{Subject: subject, Kind: "chat", Max: m.limits.ChatPerHour, Window: time.Hour}
}
