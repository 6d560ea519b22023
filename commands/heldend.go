package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// A message held for its reporter's choice (holdReply) does not end
// without a word: a day before its window ends the reporter is reminded,
// with the two buttons again; at its end, if they still have not chosen,
// they are told it was deleted without going to the investigators, and
// that they may send it again, and it is deleted. It is not kept as a tip
// in their stead: no message becomes a tip unless its reporter sends it
// (a draft ends unsent, told so, the same way), and this one may have
// been meant as an answer only.
const (
	// heldRemindBefore is how long before its window ends a held
	// message's reporter is reminded (half its window, if that is
	// shorter).
	heldRemindBefore = 24 * time.Hour
	// heldSafety is how long a held message stays in its reporter's
	// marks past its window, for the sweep to tell them first (as a
	// draft's draftSafety); past it, it goes untold.
	heldSafety = 24 * time.Hour
	// heldSweepBudget is what the sweep's sends may take in all: a
	// platform that hangs does not hold up the sweep's other work, and a
	// send is settled well within heldLease, after which another process
	// may take the same message.
	heldSweepBudget = 20 * time.Second
	// heldSettle bounds settling a held message once its reporter was
	// told (tellHeld), which is done even when the sweep's context ended
	// meanwhile (a shutdown).
	heldSettle = 5 * time.Second
	// heldSweepBatch is how many held messages one sweep looks at.
	heldSweepBatch = 100
	// oldHeldEvery is how often a process looks for messages held by
	// versions before the sweep (scheduleOldHeld); oldHeldFor, for how
	// long after its start, or after the last such message it found;
	// oldHeldRetry, how soon a look that failed is made again.
	oldHeldEvery = 6 * time.Hour
	oldHeldFor   = 48 * time.Hour
	oldHeldRetry = 10 * time.Minute
)

// heldID is a new random id for a held message (held.ID).
func heldID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// remindAt is when (Unix ms) the reporter of a message held at at, whose
// window ends at until, is reminded to choose.
func remindAt(at, until int64) int64 {
	return until - min(heldRemindBefore.Milliseconds(), (until-at)/2)
}

// SweepHeld reminds the reporters of held messages whose window is near
// its end, and tells those whose window ended that their message was
// deleted, unsent (and deletes it). Each message is taken first, in one
// step (held.Taken, the lease a press takes): of several processes one
// handles it, and a press meanwhile is told it is being handled. A
// process that dies before its send leaves the take, which ends with the
// lease: the next sweep sends it. One that dies after the send, before
// the one Redis call that settles it, has it sent again after the lease
// (told twice rather than not at all). One a press used, its release not
// written (Redis failing as it went), is let go untold once the press's
// lease ends (heldUsed). Messages held by versions before the sweep are
// looked for and scheduled first, while such looks are due
// (scheduleOldHeld). The discards wipes owe are done first
// (settleDiscards: a wipe's discard drops the message held), and a
// reporter whose chat a wipe is still owed the discard of, by this
// process or, as Redis keeps it, by another, is left alone until it is
// done: nothing is said in a wiped chat.
func (m *Mux) SweepHeld(ctx context.Context) error {
	var errs error
	if now := m.now(); m.oldHeld.due(now) {
		found, err := m.scheduleOldHeld(ctx)
		m.oldHeld.done(now, found, err)
		errs = err
	}
	owed, err := m.settleDiscards(ctx)
	if owed == nil {
		return errors.Join(errs, err) // (which reporters were wiped is not known)
	}
	errs = errors.Join(errs, err)
	due, err := m.store.DueHeld(ctx, heldSweepBatch)
	if err != nil {
		return errors.Join(errs, err)
	}
	sendCtx, cancel := context.WithTimeout(ctx, heldSweepBudget)
	defer cancel()
	for _, ref := range due {
		if _, mine := m.owed.owes(ref.Pseudonym); mine || owed[ref.Pseudonym] {
			continue
		}
		errs = errors.Join(errs, m.sweepHeld(ctx, sendCtx, ref))
	}
	return errs
}

// heldStep is what the sweep does with a held message now.
type heldStep int

const (
	heldGone    heldStep = iota // no such message any more: its entry goes
	heldLater                   // not due (or being handled): looked at again later
	heldForeign                 // its platform does not run here: left to another process
	heldRemind                  // its reporter is reminded
	heldEnd                     // its reporter is told it was deleted, and it is
)

// heldStepOf says what the sweep does with the message ref names, in
// marks a, at now (Unix ms), and when to look at it again (heldLater).
func (m *Mux) heldStepOf(a *answering, ref storage.HeldRef, now int64) (heldStep, int64) {
	h := a.Held
	switch {
	case h == nil || h.ID != ref.ID:
		return heldGone, 0
	case h.Taken > now:
		return heldLater, h.Taken // a press or another sweep handles it
	case h.Route == "":
		return heldGone, 0 // (not written so: cannot be)
	}
	if platform, _, _ := strings.Cut(h.Route, ":"); m.senders[platform] == nil {
		return heldForeign, 0
	}
	switch {
	case h.until() <= now:
		return heldEnd, 0
	case h.Remind != 0 && h.Remind <= now:
		return heldRemind, 0
	case h.Remind != 0:
		return heldLater, h.Remind
	}
	return heldLater, h.until()
}

// sweepHeld reminds or tells the reporter of the held message ref names,
// if it is due; sends are bounded by sendCtx.
func (m *Mux) sweepHeld(ctx, sendCtx context.Context, ref storage.HeldRef) error {
	now := m.now().UnixMilli()
	a, err := m.loadAnswering(ctx, ref.Pseudonym)
	if err != nil {
		return err
	}
	if h := a.Held; h != nil && h.ID == ref.ID && h.Taken != 0 && h.Taken <= now {
		// A take that lapsed: a press (or a sweep) that never finished,
		// or a press that used it and whose release was not written.
		// Used, it is let go, and nothing is said: the reporter chose.
		used, err := m.heldUsed(ctx, ref.Pseudonym, h)
		if err != nil {
			return err
		}
		if used {
			return m.dropUsedHeld(ctx, ref, now)
		}
	}
	step, next := m.heldStepOf(&a, ref, now)
	if step == heldRemind || step == heldEnd {
		// Taken in one step; what is done is decided again on what the
		// take finds (a press may have handled it since it was read).
		lease := m.now().Add(heldLease).UnixMilli()
		var h *held
		if err := m.updateAnswering(ctx, ref.Pseudonym, func(a *answering) {
			h = nil
			if step, next = m.heldStepOf(a, ref, now); step == heldRemind || step == heldEnd {
				a.Held.Taken = lease
				taken := *a.Held
				h = &taken
			}
		}); err != nil {
			return err
		}
		if h != nil {
			return m.tellHeld(ctx, sendCtx, ref, h, step, lease)
		}
	}
	switch step {
	case heldGone:
		return m.store.UnscheduleHeld(ctx, ref)
	case heldLater:
		return m.store.RescheduleHeld(ctx, ref, time.UnixMilli(next))
	case heldForeign:
		// Still due, for the process that runs its platform, but behind
		// those due before it: a batch of messages this process cannot
		// tell does not come first at every sweep, ahead of its own.
		return m.store.RescheduleHeld(ctx, ref, time.UnixMilli(now))
	}
	return nil
}

// heldUsed reports whether held message h went already, as its
// reporter chose (heldButton): its platform event was handled, as an
// answer delivered, a draft's part, a tip sent, or a tip spooled. A
// message is held only while its event is not handled (takeAnswer).
func (m *Mux) heldUsed(ctx context.Context, pseudonym string, h *held) (bool, error) {
	if h.Event == 0 {
		return false, nil
	}
	if m.spool != nil {
		if _, spooled := m.spool.Spooled(pseudonym, h.Event); spooled {
			return true, nil
		}
	}
	return m.store.EventHandled(ctx, pseudonym, h.Event)
}

// dropUsedHeld lets go the held message ref names, used by a press whose
// release was not written, unless a press or sweep took it since; and
// drops its entry.
func (m *Mux) dropUsedHeld(ctx context.Context, ref storage.HeldRef, now int64) error {
	dropped := false
	if err := m.updateAnswering(ctx, ref.Pseudonym, func(a *answering) {
		dropped = a.Held != nil && a.Held.ID == ref.ID && a.Held.Taken <= now
		if dropped {
			a.Held = nil
		}
	}); err != nil {
		return err
	}
	if !dropped {
		return nil // (taken since: looked at again at the next sweep)
	}
	return m.store.UnscheduleHeld(ctx, ref)
}

// tellHeld sends the reminder or the end notice for h, which the sweep
// took until lease, and settles it: reminded, or deleted. Where the send
// fails the take stays, and the next sweep after the lease tries again;
// where the reporter's chat is gone (they blocked the bot, deleted the
// chat) there is no one to tell, and it is settled all the same.
func (m *Mux) tellHeld(ctx, sendCtx context.Context, ref storage.HeldRef, h *held, step heldStep, lease int64) error {
	lang := m.readerLanguage(ctx, ref.Pseudonym, h.Lang)
	sent := time.UnixMilli(h.At).UTC().Format("2006-01-02")
	rep := Reply{ReplyTo: h.Msg, Language: lang} // (under the message itself, where the platform can)
	if step == heldEnd {
		window := time.Duration(h.until()-h.At) * time.Millisecond
		rep.Text = m.msg.Localize(lang, "held_expired", map[string]any{"Date": sent, "Period": m.spanIn(lang, window)})
	} else {
		rep.Text = m.msg.Localize(lang, "held_reminder", map[string]any{"Date": sent, "Time": time.UnixMilli(h.until()).UTC().Format("2006-01-02 15:04 UTC")})
		rep.Buttons = [][]Button{
			{{Label: m.msg.Localize(lang, "button_held_answer", nil), Data: cbHeld + "1"}},
			{{Label: m.msg.Localize(lang, "button_held_tip", nil), Data: cbHeld + "0"}},
		}
	}
	platform, _, _ := strings.Cut(h.Route, ":")
	if _, err := m.send(sendCtx, h.Route, rep); err != nil && !errors.Is(err, ErrDestinationGone) {
		if m.heldLog.due(m.now(), time.Hour) {
			m.log.Warn("held message's reporter not reminded or told of its end; trying again after a lease", "platform", platform, "error", err.Error())
		}
		return nil
	}
	// Settled even when ctx ends as it is told (a shutdown): left
	// unsettled, the take's lease runs out and the process restarted
	// tells the reporter again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), heldSettle)
	defer cancel()
	mine := func(a *answering) bool { return a.Held != nil && a.Held.ID == h.ID && a.Held.Taken == lease }
	settled := false
	if err := m.updateAnswering(ctx, ref.Pseudonym, func(a *answering) {
		settled = mine(a)
		switch {
		case !settled:
		case step == heldEnd:
			a.Held = nil
		default:
			a.Held.Remind, a.Held.Taken = 0, 0
		}
	}); err != nil {
		// Told, and not settled: told again after the lease.
		return err
	}
	switch {
	case !settled:
		return nil // (held again since, delivered again: the next sweep sees to it)
	case step == heldEnd:
		return m.store.UnscheduleHeld(ctx, ref)
	}
	return m.store.RescheduleHeld(ctx, ref, time.UnixMilli(h.until()))
}

// oldHeldLooks paces scheduleOldHeld.
type oldHeldLooks struct {
	mu         sync.Mutex
	next, stop time.Time
}

// due reports whether a look is due now, and if so counts it as made.
func (l *oldHeldLooks) due(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stop.IsZero() {
		l.stop = now.Add(oldHeldFor)
	}
	if now.Before(l.next) || now.After(l.stop) {
		return false
	}
	l.next = now.Add(oldHeldEvery)
	return true
}

// done records what the look made at now found: some, the looks go on
// for oldHeldFor from now; an error, it is made again oldHeldRetry later.
func (l *oldHeldLooks) done(now time.Time, found int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if found > 0 {
		l.stop = now.Add(oldHeldFor)
	}
	if err != nil {
		l.next = now.Add(oldHeldRetry)
	}
}

// scheduleOldHeld gives each message held by a version before the sweep
// an entry in its schedule, and what it needs to tell the reporter; it
// returns how many it found. Their marks carry no ID and no route: with
// no entry, they would end untold, the reporter never reminded. A
// process looks for them in every reporter's marks (storage.Answerers:
// one SCAN) at its first sweep, then every oldHeldEvery for oldHeldFor
// from its start or from the last it found: during a rolling upgrade,
// replicas of the old version still running hold some after the new
// ones started, and each is found hours after it was held, days before
// its reminder is due. Each is given a new ID and entry, its tip's route
// (its reporter's chat; none, their route forgotten or the tip gone,
// there is no one to tell, and it ends as it did) and its language, and
// when it was held (its window's start). Its message id is not known:
// the reminder and the end notice are not replies to it. An old replica
// that writes the marks again drops what it does not know: the sweep
// then drops the entry (no such message), and the next look gives it a
// new one.
func (m *Mux) scheduleOldHeld(ctx context.Context) (int, error) {
	reporters, err := m.store.Answerers(ctx)
	if err != nil {
		return 0, err
	}
	found, unreadable := 0, 0
	var errs error
	defer func() {
		if unreadable > 0 {
			m.log.Warn("messages held by the version before the sweep whose reporter's route cannot be read (sealed under a secret no longer known) end untold, as they would have", "messages", unreadable)
		}
	}()
	for _, p := range reporters {
		ok, err := m.scheduleOldHeldOf(ctx, p)
		if ok {
			found++
		}
		if errors.Is(err, errRouteUnreadable) {
			// Final for that message: no look made again would read it.
			// Not an error, which would have the look made again in
			// oldHeldRetry, every time, for as long as looks go on.
			unreadable++
			continue
		}
		errs = errors.Join(errs, err)
		if StorageDown(err) || ctx.Err() != nil {
			// Redis unreachable, or the process ending: every other
			// reporter's would fail alike, each after its timeout, and
			// be logged in one line. The look is made again later.
			return found, errs
		}
	}
	return found, errs
}

// errRouteUnreadable is scheduleOldHeldOf's answer for a message whose
// tip's route is sealed under a secret no longer known: as one with no
// route, there is no one to tell, and no later look would find one.
var errRouteUnreadable = errors.New("held message's route cannot be read")

// scheduleOldHeldOf schedules reporter p's held message if a version
// before the sweep held it, and reports whether it did.
func (m *Mux) scheduleOldHeldOf(ctx context.Context, p string) (bool, error) {
	a, err := m.loadAnswering(ctx, p)
	if err != nil {
		return false, err
	}
	old := a.Held
	if old == nil || old.ID != "" || old.Route != "" {
		return false, nil
	}
	route, lang, err := m.store.ReporterRoute(ctx, old.Q.Tip)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil // no one to tell
	}
	if errors.Is(err, storage.ErrSealed) {
		return false, errRouteUnreadable // no one to tell, ever
	}
	if err != nil {
		return false, err
	}
	h := *old
	h.ID, h.Route, h.Lang = heldID(), route, lang
	h.At = h.until() - m.triage.AnswerWindow.Milliseconds()
	h.Remind = remindAt(h.At, h.until())
	// As holdReply: the entry first, never a message without one.
	ref := storage.HeldRef{Pseudonym: p, ID: h.ID}
	if err := m.store.ScheduleHeld(ctx, ref, time.UnixMilli(h.Remind)); err != nil {
		return false, err
	}
	same := false
	if err := m.updateAnswering(ctx, p, func(a *answering) {
		same = a.Held != nil && a.Held.ID == "" && a.Held.Route == "" && a.Held.Q == old.Q && a.Held.Event == old.Event && a.Held.Text == old.Text
		if same {
			scheduled := h
			scheduled.Taken = a.Held.Taken // (a press may handle it)
			a.Held = &scheduled
		}
	}); err != nil {
		return false, err // (the sweep drops the entry: no such message)
	}
	if !same {
		// Chosen, or scheduled by another process, meanwhile.
		return false, m.store.UnscheduleHeld(ctx, ref)
	}
	return true, nil
}
