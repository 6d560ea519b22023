package commands

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// cbWipe is the wipe buttons' prefix; the rest is the delay in minutes.
const cbWipe = "wipe:"

// maxWipeDelay keeps a delayed wipe inside the window in which platforms
// let a bot delete messages (Telegram: 48 hours).
const maxWipeDelay = 24 * time.Hour

// WipeResult says what a chat wipe did.
type WipeResult struct {
	// TheirsKept is true where the platform does not let a bot delete the
	// user's own messages (Discord direct messages).
	TheirsKept bool
}

// ChatWiper is an optional Sender capability: it deletes what the bot may
// delete of a private chat, from message upTo (and a little after it) back.
type ChatWiper interface {
	WipeChat(ctx context.Context, chatID, upTo string) (WipeResult, error)
}

// wiper returns the platform's ChatWiper, if the request comes from a
// private conversation that can be wiped.
func (c *Context) wiper() (ChatWiper, bool) {
	if c.Request.ChatKind != Private || c.Request.UserChat == "" {
		return nil, false
	}
	w, ok := c.mux.senders[c.Request.Platform].(ChatWiper)
	return w, ok
}

// wipeButtons offers to wipe the chat now or later: on Discord, labelled
// as what they do there, delete the bot's messages (wipeWords).
func (c *Context) wipeButtons() [][]Button {
	if _, ok := c.wiper(); !ok {
		return nil
	}
	return [][]Button{{
		{Label: c.T(wipeWords(c.Request.Platform, "button_wipe_now"), nil), Data: cbWipe + "0"},
		{Label: c.T(wipeWords(c.Request.Platform, "button_wipe_1h"), nil), Data: cbWipe + "60"},
		{Label: c.T(wipeWords(c.Request.Platform, "button_wipe_24h"), nil), Data: cbWipe + "1440"},
	}}
}

// wipeWords is message id, which speaks of a chat wipe as deleting the
// whole conversation, or on Discord its "_discord" variant: there a bot
// may delete only its own messages in a direct message, never the
// member's (Discord answers 50003, "Cannot execute action on a DM
// channel"), and closing the conversation in the app does not delete it.
// The member is told so before a wipe, not only after one: theirs are
// the messages they must delete themselves.
func wipeWords(platform, id string) string {
	if platform == "discord" {
		return id + "_discord"
	}
	return id
}

// wipe is the /wipe command: "/wipe", "/wipe now", "/wipe 30m", "/wipe 2h".
// "now" is also taken in the reporter's language ("/wipe ahora"), as its
// usage and Discord's field describe it.
func wipe(ctx context.Context, c *Context) error {
	arg := strings.ToLower(strings.TrimSpace(asciiNumerals(c.Request.Args)))
	if arg == "1d" {
		arg = "24h" // days, as /signals reads them: one is the longest delay
	}
	now := arg == "" || arg == "0" || arg == "now" || arg == strings.ToLower(c.T("wipe_now_word", nil))
	var delay time.Duration
	if !now {
		d, err := time.ParseDuration(arg)
		if err != nil || d < 0 || d > maxWipeDelay || d%time.Minute != 0 || strings.ContainsAny(arg, ".µun") {
			return c.Say(ctx, wipeWords(c.Request.Platform, "wipe_usage"), nil)
		}
		delay = d
	}
	return c.wipeChat(ctx, delay)
}

// wipeButton handles a wipe button press.
func (m *Mux) wipeButton(ctx context.Context, c *Context, data string) error {
	minutes, err := strconv.Atoi(strings.TrimPrefix(data, cbWipe))
	if err != nil || minutes < 0 || time.Duration(minutes)*time.Minute > maxWipeDelay {
		return c.forgedButton(ctx)
	}
	return c.wipeChat(ctx, time.Duration(minutes)*time.Minute)
}

// wipeChat wipes the conversation now, or schedules it. A wipe also
// discards what the reporter was writing when it runs (see discardUnsent).
func (c *Context) wipeChat(ctx context.Context, delay time.Duration) error {
	w, ok := c.wiper()
	if !ok {
		return c.Say(ctx, "wipe_unavailable", nil)
	}
	if delay > 0 {
		job := storage.Wipe{Route: c.Request.Platform + ":" + c.Request.UserChat, MessageID: c.Request.MessageID, Chat: true, Language: c.Lang, Pseudonym: c.Pseudonym, Event: c.Request.EventID}
		if err := c.mux.store.ScheduleWipe(ctx, job, c.mux.now().Add(delay)); err != nil {
			return err
		}
		text := c.T(wipeWords(c.Request.Platform, "wipe_scheduled"), map[string]any{"Delay": c.mux.spanIn(c.Lang, delay)})
		d, err := c.mux.store.Draft(ctx, c.Pseudonym)
		if err == nil {
			text += "\n\n" + c.T("wipe_draft_pending", nil)
		}
		if err := c.Reply(ctx, Reply{Text: text}); err != nil || d.ID == "" {
			return err
		}
		c.draftWipeTold(ctx, d.ID) // (its next part is not told again)
		return nil
	}
	c.mux.markWiped(ctx, c.Request.Platform, c.Pseudonym, c.Request.EventID)
	discarded := c.mux.discardUnsent(ctx, c.Request.Platform, c.Pseudonym, c.Request.EventID)
	note := ""
	if discarded {
		note = "\n\n" + c.T("wipe_draft_discarded", nil)
	}
	res, err := w.WipeChat(ctx, c.Request.UserChat, c.Request.MessageID)
	if err != nil {
		c.mux.log.Warn("chat wipe failed", "platform", c.Request.Platform, "error", err.Error())
		return c.Reply(ctx, Reply{Text: c.T(wipeWords(c.Request.Platform, "wipe_failed"), nil) + note + paragraph(c.laterWipe(ctx))})
	}
	if res.TheirsKept {
		// Nothing else is said after a wipe: an empty chat says less than
		// a "chat wiped" notice. Here the reporter must act, so we say so,
		// and, as we speak, that a wipe they set for later still comes.
		return c.Reply(ctx, Reply{Text: c.T("wipe_done_theirs_kept", nil) + note + paragraph(c.laterWipe(ctx))})
	}
	// Not even that a wipe set for later still comes: whoever holds the
	// phone next would learn from it that the reporter used the bot, and
	// set wipes. They are told where it matters, when they begin a tip
	// that wipe would discard (draftWipe).
	return nil
}

// markWiped records, before a chat wipe runs, that the reporter's chat
// is wiped up to their platform event event (the /wipe message, the
// button pressed, or the message a delayed wipe was set from): a copy of
// an earlier message the platform delivers again afterwards, to any
// replica or after a restart, is answered with nothing (wipedBefore),
// not with its receipt in the wiped chat. It is kept in Redis, sealed
// (MarkWiped), and in this process's memory, which answers where Redis
// cannot be written or read. A failure does not hold up the wipe.
func (m *Mux) markWiped(ctx context.Context, platform, pseudonym string, event int64) {
	if pseudonym == "" || event == 0 {
		return // a job set before wipes named the reporter, or the event
	}
	m.wipedUpTo.add(pseudonym, event, m.now().Add(redeliveredWiped))
	if err := m.store.MarkWiped(ctx, pseudonym, event); err != nil {
		m.log.Warn("chat wipe's mark not recorded", "platform", platform, "error", err.Error())
	}
}

// redeliveredWiped is how long a wipe's mark is kept in memory: as long
// as storage keeps it, past the platforms' redelivery window.
const redeliveredWiped = 48 * time.Hour

// wipedBefore reports whether the request is a copy, delivered again or
// late, of a message its reporter's chat was wiped after (markWiped):
// answered, it would put its receipt, or "delivered", back in the wiped
// chat. What it stored stays stored (once); only the answer goes. Where
// neither Redis nor this process's memory can say, it is not (answered,
// as before: the reporter may never have had the first answer).
func (c *Context) wipedBefore(ctx context.Context) bool {
	event := c.Request.EventID
	if event == 0 || c.Pseudonym == "" || c.Request.ChatKind != Private {
		return false
	}
	if upTo, ok := c.mux.wipedUpTo.get(c.Pseudonym, c.mux.now()); ok && event <= upTo {
		return true
	}
	upTo, err := c.mux.store.WipedUpTo(ctx, c.Pseudonym)
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			c.mux.log.Warn("chat wipe's mark not read", "platform", c.Request.Platform, "error", err.Error())
		}
		return false
	}
	return event <= upTo
}

// wipedMarks are the wipes' marks this process made (markWiped), by
// pseudonym: the newest event wiped, and until when it is kept.
type wipedMarks struct {
	mu sync.Mutex
	by map[string]wipedMark
}

type wipedMark struct {
	event int64
	until time.Time
}

func (w *wipedMarks) add(pseudonym string, event int64, until time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.by == nil {
		w.by = map[string]wipedMark{}
	}
	for p, m := range w.by { // (few: wipes are rare) the expired go
		if !m.until.After(until.Add(-redeliveredWiped)) {
			delete(w.by, p)
		}
	}
	if old, ok := w.by[pseudonym]; ok && old.event > event {
		event = old.event
	}
	w.by[pseudonym] = wipedMark{event, until}
}

func (w *wipedMarks) get(pseudonym string, now time.Time) (int64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := w.by[pseudonym]
	if !ok || !m.until.After(now) {
		return 0, false
	}
	return m.event, true
}

// paragraph is text as a paragraph after others ("" for none).
func paragraph(text string) string {
	if text == "" {
		return ""
	}
	return "\n\n" + text
}

// laterWipe tells a reporter whose chat was wiped now, where the bot
// speaks after it (the wipe failed, or their own messages are left), of a
// wipe they set for later that is still to come, and when, coarsely (""
// if none, or if Redis cannot say: the wipe now matters more). It stays
// set: deleting again only protects them. It cannot be cancelled: a
// scheduled wipe is a safety instruction, and whoever holds the
// reporter's unlocked phone could cancel it as easily as they set it,
// unseen.
func (c *Context) laterWipe(ctx context.Context) string {
	due, ok, _ := c.chatWipeDue(ctx)
	if !ok {
		return ""
	}
	return c.T("wipe_later_still_set", map[string]any{"Delay": c.mux.spanAbout(c.Lang, due.Sub(c.mux.now()))})
}

// chatWipeDue is when the soonest of the chat wipes the reporter set for
// later is due, if one is still to come; err (logged) if Redis cannot
// say.
func (c *Context) chatWipeDue(ctx context.Context) (due time.Time, ok bool, err error) {
	if c.Pseudonym == "" {
		return time.Time{}, false, nil
	}
	due, err = c.mux.store.ChatWipeDue(ctx, c.Pseudonym)
	if errors.Is(err, storage.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		c.mux.log.Warn("scheduled wipe not looked up", "platform", c.Request.Platform, "error", err.Error())
		return time.Time{}, false, err
	}
	return due, true, nil
}

// draftWipe warns a reporter writing draft d that a chat wipe they set
// for later will discard it unless they send it before then, and when,
// coarsely, where the draft script found such a wipe noted and this
// draft not told of it (WipeUntold: a part costs no read more). It is
// said once a draft: the answer that carries it records it
// (draftWipeTold), as it records that there was none to tell (the wipe
// ran since). Where Redis cannot say, nothing is said (the draft matters
// more) and settled is false: a later part's answer asks again.
func (c *Context) draftWipe(ctx context.Context, d storage.Draft) (text string, settled bool) {
	if !d.WipeUntold {
		return "", false
	}
	due, ok, err := c.chatWipeDue(ctx)
	if !ok {
		return "", err == nil
	}
	return c.T("wipe_draft_due", map[string]any{"Delay": c.mux.spanAbout(c.Lang, due.Sub(c.mux.now()))}), true
}

// draftWipeTold records that the reporter was told that a wipe they set
// will discard draft draftID unless it is sent. Failing, it is logged:
// the next part's answer tells them again.
func (c *Context) draftWipeTold(ctx context.Context, draftID string) {
	if err := c.mux.store.DraftWipeTold(ctx, c.Pseudonym, draftID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		c.mux.log.Warn("draft's wipe warning not recorded", "platform", c.Request.Platform, "error", err.Error())
	}
}

// spanAbout is d coarsely, as a wipe's delay is said (spanIn): in hours
// (the nearest) from an hour on, else in minutes (one at least).
func (m *Mux) spanAbout(lang string, d time.Duration) string {
	if d >= time.Hour {
		return m.spanIn(lang, d.Round(time.Hour))
	}
	return m.spanIn(lang, max(d.Round(time.Minute), time.Minute))
}

// discardUnsent drops what a reporter was writing when their chat is
// wiped: the unsent draft (it was never received) and an answer armed by
// the Answer button. Kept, either would speak up in the wiped chat to
// whoever holds the phone next ("your unsent tip was deleted", "your tip
// now has 2 parts", "your answer was delivered"), and a Send pressed later
// would send the draft. It reports whether a draft was discarded. A
// failure (Redis unreachable) does not hold up the wipe, which matters
// more: the discard is owed, and done before anything else touches the
// reporter's draft (settleDiscard), or speaks to them on its own
// (settleDiscards). It is owed in this process's memory and, where Redis
// takes it, in Redis (OweDiscard), for every process sharing it and for
// this one restarted; where Redis does not, in the spool (Spooler's
// OweDiscard), for this one restarted. Where upTo is not 0 (a wipe now,
// from platform event upTo, marked already: markWiped), the draft's parts
// of later events stay, as a new draft: they are the reporter's next
// messages, which another replica added before this discard
// (storage.DropDraft). A wipe set for later (upTo 0) discards the whole
// draft: the reporter was told it would (draftWipe). The discard owed
// keeps upTo: done later, it spares those parts still (discardOwed).
func (m *Mux) discardUnsent(ctx context.Context, platform, pseudonym string, upTo int64) bool {
	if pseudonym == "" {
		return false // a job scheduled before wipes named the reporter
	}
	discarded, err := m.discard(ctx, pseudonym, upTo)
	if err != nil {
		d := storage.OwedDiscard{Wiped: m.now(), UpTo: upTo}
		m.owed.add(pseudonym, d)
		m.log.Warn("unsent draft not discarded by a wipe yet; will retry", "platform", platform, "error", err.Error())
		m.keepOwed(ctx, pseudonym, d)
	}
	return discarded
}

// keepOwed records in Redis the discard d a wipe owes pseudonym
// (OweDiscard). Where Redis does not take it, it stays owed in this
// process's memory, and in the spool, sealed, where there is one (a
// restart before Redis answers again reads it back, Options.Spool), and
// recording it is tried again at each sweep that cannot do it
// (settleDiscards). Once Redis has it, the spool forgets it.
func (m *Mux) keepOwed(ctx context.Context, pseudonym string, d storage.OwedDiscard) {
	if err := m.store.OweDiscard(ctx, pseudonym, d); err != nil {
		if m.spool == nil {
			m.log.Warn("discard owed by a wipe not recorded in Redis; owed in this process's memory alone", "error", err.Error())
			return
		}
		dropped, serr := m.spool.OweDiscard(pseudonym, d)
		if serr != nil {
			m.log.Warn("discard owed by a wipe recorded neither in Redis nor in the spool; owed in this process's memory alone", "error", errors.Join(err, serr).Error())
			return
		}
		m.log.Warn("discard owed by a wipe not recorded in Redis; kept in the spool until it is", "error", err.Error())
		if dropped > 0 {
			// A count only. Their reporters' wipes may be followed by a
			// notice in the wiped chat once Redis is back.
			m.log.Error("discards owed by wipes dropped from the spool: over its limit, the oldest go", "dropped", dropped)
		}
		return
	}
	m.owed.kept(pseudonym, d.Wiped)
	m.discardSettled(pseudonym, d.Wiped)
}

// discardSettled has the spool forget pseudonym's discard owed by the
// wipe at wiped, done or recorded in Redis. Where it cannot (the disk),
// it is logged: a restart owes it again, and does it once more (a
// draft begun since the wipe stays).
func (m *Mux) discardSettled(pseudonym string, wiped time.Time) {
	if m.spool == nil {
		return
	}
	if err := m.spool.DiscardSettled(pseudonym, wiped); err != nil {
		m.log.Warn("discard owed by a wipe done, but not forgotten in the spool", "error", err.Error())
	}
}

// discard drops the reporter's draft (its parts up to event upTo, if
// not 0: discardUnsent) and armed answer, and the client language kept
// for them (see forgetClientLanguage).
func (m *Mux) discard(ctx context.Context, pseudonym string, upTo int64) (bool, error) {
	discarded, err := m.store.DropDraft(ctx, pseudonym, upTo)
	if err != nil {
		return false, err
	}
	if err := m.store.ClearAnswering(ctx, pseudonym); err != nil {
		return discarded, err
	}
	return discarded, m.forgetClientLanguage(ctx, pseudonym)
}

// forgetClientLanguage drops the client language kept for a reporter
// (KeepLanguage), as a chat wipe or /forget does: one trace less that
// they used the bot. Their next interaction gives it again; a language
// chosen with /language stays.
func (m *Mux) forgetClientLanguage(ctx context.Context, pseudonym string) error {
	if err := m.store.SetClientLanguage(ctx, pseudonym, ""); err != nil {
		return fmt.Errorf("forget client language: %w", err)
	}
	return nil
}

// owedDiscards are the reporters whose wipe could not discard what they
// were writing, as this process knows them: each with the time of the
// wipe that owes it (a discard done for an earlier wipe does not settle
// a later one) and the event it wiped up to (what of the draft goes:
// discardOwed), and whether Redis has it too (keepOwed).
type owedDiscards struct {
	mu sync.Mutex
	n  atomic.Int64           // len(by), read without the lock
	by map[string]owedDiscard // by pseudonym
}

type owedDiscard struct {
	storage.OwedDiscard
	kept bool // recorded in Redis (OweDiscard)
}

func (o *owedDiscards) add(pseudonym string, d storage.OwedDiscard) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.by == nil {
		o.by = map[string]owedDiscard{}
	}
	o.by[pseudonym] = owedDiscard{OwedDiscard: d}
	o.n.Store(int64(len(o.by)))
}

// kept notes that Redis has pseudonym's discard owed by the wipe at wiped.
func (o *owedDiscards) kept(pseudonym string, wiped time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d, ok := o.by[pseudonym]; ok && d.Wiped.Equal(wiped) {
		d.kept = true
		o.by[pseudonym] = d
	}
}

// owes returns the discard a wipe owes pseudonym.
func (o *owedDiscards) owes(pseudonym string) (storage.OwedDiscard, bool) {
	if o.n.Load() == 0 {
		return storage.OwedDiscard{}, false // what nearly every request sees
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.by[pseudonym]
	return d.OwedDiscard, ok
}

// done settles pseudonym's discard, unless a later wipe owes it again.
func (o *owedDiscards) done(pseudonym string, wiped time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.by[pseudonym].Wiped.Equal(wiped) {
		delete(o.by, pseudonym)
		o.n.Store(int64(len(o.by)))
	}
}

func (o *owedDiscards) list() map[string]owedDiscard {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.by)
}

// settleDiscard does the discard a wipe owes for pseudonym, if this
// process knows of one; it stays owed while Redis fails.
func (m *Mux) settleDiscard(ctx context.Context, pseudonym string) error {
	d, ok := m.owed.owes(pseudonym)
	if !ok {
		return nil
	}
	_, err := m.discardOwed(ctx, pseudonym, d)
	return err
}

// discardOwed does the discard d a wipe owes pseudonym: the draft's parts
// of events up to the wipe's (d.UpTo, as discard: a later part is the
// reporter's next message, sent after the wipe, kept as a new draft),
// or, of a wipe set for later (d.UpTo 0), a draft begun by the wipe, not
// one begun since; the armed answer and held message (not an answer
// armed since: the reporter pressed Answer after wiping, and their next
// message is that answer), and the client language kept for them (as
// discard); then it is owed no more, here or in Redis. It reports
// whether a draft was discarded.
func (m *Mux) discardOwed(ctx context.Context, pseudonym string, d storage.OwedDiscard) (bool, error) {
	wiped := d.Wiped
	var dropped bool
	var err error
	if d.UpTo != 0 {
		dropped, err = m.store.DropDraft(ctx, pseudonym, d.UpTo)
	} else {
		dropped, err = m.store.DropDraftBefore(ctx, pseudonym, wiped)
	}
	if err != nil {
		return false, fmt.Errorf("discard owed by a wipe: %w", err)
	}
	if err := m.updateAnswering(ctx, pseudonym, func(a *answering) {
		next := a.Next
		*a = answering{}
		if next != nil && next.Armed > wiped.UnixMilli() {
			a.Next = next
		}
	}); err != nil {
		return dropped, fmt.Errorf("discard owed by a wipe: %w", err)
	}
	if err := m.forgetClientLanguage(ctx, pseudonym); err != nil {
		return dropped, fmt.Errorf("discard owed by a wipe: %w", err)
	}
	if err := m.store.DiscardDone(ctx, pseudonym, wiped); err != nil {
		return dropped, fmt.Errorf("discard owed by a wipe: %w", err)
	}
	m.owed.done(pseudonym, wiped)
	m.discardSettled(pseudonym, wiped)
	return dropped, nil
}

// settleDiscards does every discard wipes owe, those this process knows
// of and those Redis keeps (OweDiscard: another process's, or this one's
// before a restart). It returns the reporters still owed one, to whom a
// sweep says nothing on its own (their chat was wiped), and fails if one
// is left; left is nil where Redis could not say which are owed (no
// reporter may be spoken to then). One owed in memory alone, not done,
// is recorded in Redis where it takes it now.
func (m *Mux) settleDiscards(ctx context.Context) (left map[string]bool, err error) {
	kept, err := m.store.DiscardsOwed(ctx)
	if err != nil {
		return nil, err
	}
	left = map[string]bool{}
	var errs error
	for p, d := range kept {
		if mine, ok := m.owed.owes(p); ok && mine.Wiped.After(d.Wiped) {
			continue // a later wipe's, this process's: done below
		}
		if _, err := m.discardOwed(ctx, p, d); err != nil {
			left[p], errs = true, errors.Join(errs, err)
		}
	}
	for p, d := range m.owed.list() {
		if left[p] {
			continue
		}
		if _, err := m.discardOwed(ctx, p, d.OwedDiscard); err != nil {
			left[p], errs = true, errors.Join(errs, err)
			if !d.kept {
				m.keepOwed(ctx, p, d.OwedDiscard)
			}
		}
	}
	return left, errs
}

// wipeLease is how long a process has to run a scheduled deletion it
// took before another may take it (its process died: taken again, not
// lost); wipeBudget bounds a deletion's run well within it.
// wipeSettle bounds settling it (WipeDone, RetryWipe), which is done
// even when the run was cut short by a shutdown.
const (
	wipeLease  = 10 * time.Minute
	wipeBudget = 5 * time.Minute
)

// wipeSettle is a var for tests (ShortWipeSettle).
var wipeSettle = 5 * time.Second

// wipeNotice bounds the notice of a deletion given up, which has its own
// budget: the job is dropped before it is sent, so neither a shutdown
// nor a settle that used up its own budget may cut it short (it would be
// lost for ever).
const wipeNotice = 30 * time.Second

// wipeBatch is how many scheduled deletions one sweep runs at most.
const wipeBatch = 50

// RunWipes carries out the scheduled deletions that are due: enrolment
// secrets and delayed chat wipes. A failed one is tried again a few times.
// Only those of the platforms this process runs are taken, one at a time,
// for wipeLease: a process of another platform leaves them (a Telegram
// and a Discord process: each wipes its own reporters' chats), and one
// that dies before its deletion settles it leaves it to be taken again,
// a few times (storage gives it up then: it may be what kills them).
func (m *Mux) RunWipes(ctx context.Context) error {
	platforms := slices.Sorted(maps.Keys(m.senders))
	for range wipeBatch {
		j, err := m.store.TakeWipe(ctx, m.now(), platforms, wipeLease)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if j.GivenUp {
			// Its process died every time it ran it: it may be what
			// kills it. The log says nothing of it but the count.
			m.log.Error("a scheduled deletion was given up: every process that took it died before it was done", "kind", wipeKind(j), "times_taken", j.Taken)
			m.tellWipeGivenUp(ctx, j)
			// Dropped once told: till then (a take whose answer was lost,
			// a process that died before the notice) it is given up again
			// past its lease, its notice owed, not lost.
			settleCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wipeSettle)
			err := m.store.WipeDone(settleCtx, j)
			cancel()
			if err != nil {
				return err
			}
			continue
		}
		if err := m.runWipe(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// wipeKind names what j deletes, for the log (nothing that names its
// chat).
func wipeKind(j storage.Wipe) string {
	if j.Chat {
		return "chat_wipe"
	}
	return "enrolment_key"
}

// tellWipeGivenUp tells the reporter of j, a chat wipe given up, that
// their chat was not deleted: told it would be, they would believe their
// messages gone while anyone holding their phone can still read them (or,
// where it was wiped and only the notice after it was not sent, that
// notice: their own messages are theirs to delete). Of a message deletion
// given up (an enrolment key, told to delete itself), the team member
// who enrolled is told to delete it themselves: on their screen, anyone
// who reads it can make their codes. It
// is said once (a send that fails is not tried again), the job dropped
// after it (by RunWipes, of a job given up by its takes: one given up
// whose take's answer was lost, or whose process died before the
// notice, is given up again past its lease). So it is sent on its own
// budget (wipeNotice), whatever is left of ctx's: a shutdown just after
// the job was given up does not lose it.
func (m *Mux) tellWipeGivenUp(ctx context.Context, j storage.Wipe) {
	platform, chat, _ := strings.Cut(j.Route, ":")
	s, ok := m.senders[platform]
	if chat == "" || !ok {
		return
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wipeNotice)
	defer cancel()
	var text string
	switch {
	case !j.Chat:
		text = m.msg.Localize(m.readerLanguage(sendCtx, j.Pseudonym, j.Language), "enroll_secret_not_deleted", nil)
	case j.Wiped:
		// The chat was wiped; only the notice after it was not sent (the
		// reporter's own messages are theirs to delete): said now, since
		// "not deleted" would be untrue.
		text = m.wipeDoneTheirsKept(sendCtx, j)
	default:
		text = m.notice(j.Route, m.readerLanguage(sendCtx, j.Pseudonym, j.Language), wipeWords(platform, "wipe_given_up"), nil)
	}
	if _, err := s.Send(sendCtx, chat, Reply{Text: text}); err != nil {
		m.log.Warn("could not tell its requester a scheduled deletion was given up", "platform", platform, "kind", wipeKind(j), "error", err.Error())
	}
}

// wipeDoneTheirsKept is the notice after j's chat was wiped where the
// platform keeps the reporter's own messages: theirs to delete.
func (m *Mux) wipeDoneTheirsKept(ctx context.Context, j storage.Wipe) string {
	lang := m.readerLanguage(ctx, j.Pseudonym, j.Language)
	text := m.msg.Localize(lang, "wipe_done_theirs_kept", nil)
	if j.Discarded {
		text += "\n\n" + m.msg.Localize(lang, "wipe_draft_discarded", nil)
	}
	return text
}

// settleJobDiscard does the discard j's wipe could not do (DiscardOwed),
// whichever process runs it: a draft begun by the wipe, not one begun
// since, and the client language kept for the reporter (as discard).
func (m *Mux) settleJobDiscard(ctx context.Context, j *storage.Wipe) error {
	if j.DiscardOwed == 0 || j.Pseudonym == "" {
		return nil
	}
	dropped, err := m.discardOwed(ctx, j.Pseudonym, storage.OwedDiscard{Wiped: time.UnixMilli(j.DiscardOwed)})
	if err != nil {
		return err
	}
	j.DiscardOwed, j.Discarded = 0, j.Discarded || dropped
	return nil
}

// runWipe runs j, a scheduled deletion taken, and settles it: done, or
// kept to be tried again.
func (m *Mux) runWipe(ctx context.Context, j storage.Wipe) error {
	runCtx, cancel := context.WithTimeout(ctx, wipeBudget)
	defer cancel()
	platform, chat, _ := strings.Cut(j.Route, ":")
	s := m.senders[platform]
	var werr error
	switch w, canWipe := s.(ChatWiper); {
	case j.Chat && j.Wiped:
		// Wiped by an earlier try, whose notice was not sent: only the
		// notice is owed (a draft begun since is the reporter's new tip),
		// and the discard of a draft begun before it, where that try
		// could not do it (DiscardOwed).
		if werr = m.settleJobDiscard(runCtx, &j); werr == nil {
			_, werr = s.Send(runCtx, chat, Reply{Text: m.wipeDoneTheirsKept(runCtx, j)})
		}
	case j.Chat && canWipe:
		m.markWiped(runCtx, platform, j.Pseudonym, j.Event)
		discarded := m.discardUnsent(runCtx, platform, j.Pseudonym, 0)
		var res WipeResult
		res, werr = w.WipeChat(runCtx, chat, j.MessageID)
		if werr == nil && res.TheirsKept {
			j.Wiped, j.Discarded = true, discarded
			if d, owed := m.owed.owes(j.Pseudonym); owed {
				j.DiscardOwed = d.Wiped.UnixMilli()
			}
			_, werr = s.Send(runCtx, chat, Reply{Text: m.wipeDoneTheirsKept(runCtx, j)})
		}
	case !j.Chat:
		if r, ok := s.(MessageRemover); ok {
			werr = r.DeleteMessage(runCtx, chat, j.MessageID)
			if errors.Is(werr, ErrMessageGone) {
				werr = nil // deleted already (by the member): done
			}
		}
	}
	// Settled even when ctx ends (a shutdown): left unsettled, the take
	// would count as a process that died running it (wipeTakesMax).
	settleCtx, cancelSettle := context.WithTimeout(context.WithoutCancel(ctx), wipeSettle)
	defer cancelSettle()
	if werr == nil {
		return m.store.WipeDone(settleCtx, j)
	}
	if ctx.Err() != nil {
		// Cut short by a shutdown: not a failed try. Due again at once,
		// for the next process.
		m.log.Info("scheduled deletion interrupted by shutdown; kept", "platform", platform)
		return m.store.RetryWipe(settleCtx, j, m.now())
	}
	m.log.Warn("scheduled deletion failed", "platform", platform, "attempt", j.Attempts+1, "error", werr.Error())
	if j.Attempts >= 3 {
		// Given up after four failed tries: the reporter, told it would be
		// done, is told it was not. Told even where the drop failed: its
		// answer may be what was lost, the job dropped, and nothing would
		// tell them again. (Where it was not dropped, it is tried again
		// past its lease, and told again if that fails: twice, not lost.)
		m.log.Error("a scheduled deletion was given up after four failed tries", "platform", platform, "kind", wipeKind(j))
		err := m.store.WipeDone(settleCtx, j)
		m.tellWipeGivenUp(ctx, j) // (on its own budget, not the settle's)
		return err
	}
	j.Attempts++
	return m.store.RetryWipe(settleCtx, j, m.now().Add(time.Minute))
}
