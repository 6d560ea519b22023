package commands

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// RouteSpooled is the spool's replay's router (storage.Spool.RouteWith).
// While Redis was unreachable every message went to the spool as a tip of
// its own, since only Redis could say what else it was; at the replay
// Redis can, and the message goes where the live path would have sent
// it. A reply to a question (text, or a file or a place with words) and
// the message after an Answer pressed (a restart forgot the press, which
// the process kept in memory) answer their question; a
// team member's message goes to their draft, as every message of theirs
// does, and they are told: it never reaches the queue as an anonymous
// reporter's tip. Anything else stays a tip (""). A replay interrupted
// after this ran calls it again: the answer is then known by its mark
// (the replay skips it before asking), the draft's part is the same.
func (m *Mux) RouteSpooled(ctx context.Context, e storage.SpoolEntry) (storage.NoTip, error) {
	role, err := m.roleOf(ctx, e.Pseudonym)
	if err != nil {
		return "", err
	}
	team := role >= Investigator
	if answered, err := m.answerSpooled(ctx, e, team); err != nil || answered {
		if err != nil {
			return "", err
		}
		return storage.NoTipAnswer, nil
	}
	if !team {
		return "", nil
	}
	return m.draftSpooled(ctx, e)
}

// answerSpooled delivers a spooled message as the answer to the question
// it replied to (e.ReplyTo, open when it came), or else to the one whose
// Answer its reporter pressed before they sent it, if it was still armed
// then (takeAnswer's checks, as of when the message came). It
// reports whether the message went as the answer and makes no tip. A
// file or a place with words goes as takeAnswer takes it live: its words
// as the answer, and the file or place, with them, kept (live in a
// draft, here as the tip its receipt was given for): reported false, the
// replay stores the tip. Without words it answers nothing, and the press
// stays armed. One to a question closed since stays a tip, as it would
// have live (the Answer pressed is used up). team says the sender is on
// the team: their file or place goes to their draft (draftSpooled), and
// they are told their answer went as live (answer_done), not that it is
// a tip.
func (m *Mux) answerSpooled(ctx context.Context, e storage.SpoolEntry, team bool) (bool, error) {
	text := strings.TrimSpace(e.Part.Text)
	if e.EventID == 0 || e.At.IsZero() || blank(text) {
		return false, nil
	}
	withFile := e.Part.Attachment != nil || e.Part.Location != nil
	v, err := m.store.Answering(ctx, e.Pseudonym)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// Read as stored: the press is judged at the message's time, not the
	// replay's (parseAnswering drops what expired by now).
	var a answering
	_ = json.Unmarshal([]byte(v), &a)
	at := e.At.UnixMilli()
	pressed := a.Next
	if pressed == nil || at >= pressed.Until || at < pressed.Until-min(m.triage.AnswerWindow, armedAnswer).Milliseconds() {
		pressed = nil // none armed when it came (or pressed after it)
	}
	q := pressed
	event := strconv.FormatInt(e.EventID, 10)
	if sent, ok := a.Events[event]; ok && at < sent.Until {
		// Delivered again by the platform, having gone (or been on its
		// way) as the answer to sent, and spooled this time (Redis failing
		// as it was handled again): to that question still, as takeAnswer
		// sends it, not to one whose Answer was pressed since, nor read as
		// a reply to a question it answered (the press stays armed). Its
		// tip withdrawn since (/forget), it answers nothing: a tip, with
		// the receipt given.
		if sent.Tip == "" {
			return false, nil
		}
		q, pressed = &sent, nil
	} else if e.ReplyTo != "" {
		// A reply to one of the bot's messages, read as takeAnswer reads
		// it: to a question (open when it came), its answer, whatever
		// Answer was pressed; to one answered already, no answer, and the
		// Answer pressed cancelled; to another message, as if no reply.
		// One that cancelled a press already (Declined), delivered
		// again and spooled this time, cancels nothing more, as live
		// (declineReply): the Answer pressed since stays armed.
		if r, ok := a.Replies[e.ReplyTo]; ok && at < r.Until {
			q = &r
		} else if until, ok := a.Answered[e.ReplyTo]; ok && at < until {
			if d, declined := a.Declined[event]; declined && at < d {
				return false, nil
			}
			return false, m.replyNotTaken(ctx, e, pressed)
		}
	}
	if q == nil {
		return false, nil
	}
	// A message whose write reached the draft as Redis hung (the ghost
	// part) was no answer live either.
	if seen, err := m.store.EventHandled(ctx, e.Pseudonym, e.EventID); err != nil || seen {
		return false, err
	}
	err = m.deliverAnswer(ctx, q.Tip, q.N, text, nil, e.Pseudonym, e.EventID)
	if err != nil && !errors.Is(err, errNotOpen) {
		return false, err
	}
	if err == nil && !withFile {
		// Its mark first: should the rest fail, the replay tried again
		// knows it as the answer it was (handledAs), never a tip. (Not
		// with a file or a place, which the replay keeps as a tip: the
		// mark would have a replay tried again skip it. AnswerOnce's own
		// mark keeps that one from telling the asker twice.)
		if err := m.store.RememberAnswer(ctx, e.Pseudonym, e.EventID); err != nil {
			return false, err
		}
	}
	// That question's marks are used up, the press before the message
	// with them; a press since for another stays armed (as takeAnswer
	// leaves them).
	var stillArmed *question
	if uerr := m.updateAnswering(ctx, e.Pseudonym, func(a *answering) {
		if a.Next != nil && pressed != nil && a.Next.Tip == pressed.Tip && a.Next.N == pressed.N {
			a.Next = nil // (a reply to another question uses it up too, as live)
		}
		a.answer(func(r question) bool { return r.Tip == q.Tip && r.N == q.N })
		stillArmed = a.Next
	}); uerr != nil {
		if err == nil && withFile {
			// No mark says a file's words went (the replay stores its
			// tip): the press used up is what says so to a replay tried
			// again. Not used up, the reporter is not told yet: the
			// replay stops, and tried again finds the press armed, the
			// answer stored (the asker not told again), and tells them.
			return false, uerr
		}
		m.log.Warn("spooled answer's Answer press not used up", "error", uerr.Error())
	} else if stillArmed == nil {
		m.armed.disarm(e.Pseudonym)
	} else {
		m.armed.arm(e.Pseudonym, time.UnixMilli(stillArmed.Until), m.now())
	}
	if err != nil {
		return false, nil // (errNotOpen) not lost: a tip, with the receipt given
	}
	lang := m.readerLanguage(ctx, e.Pseudonym, e.Language)
	if withFile && team {
		m.notify(ctx, e.Route, Reply{Text: m.msg.Localize(lang, "answer_done", nil)})
		return false, nil // the file or place, with its words, to their draft
	}
	if withFile {
		m.notify(ctx, e.Route, Reply{Text: m.msg.Localize(lang, "spool_answer_file_done", map[string]any{"Receipt": e.Receipt})})
		return false, nil // the file or place, with its words, the tip of its receipt
	}
	m.notify(ctx, e.Route, Reply{Text: m.msg.Localize(lang, "spool_answer_done", map[string]any{"Receipt": e.Receipt})})
	return true, nil
}

// replyNotTaken is takeAnswer's reply to a question answered already,
// for a spooled message: not an answer (it stays a tip, or goes to a
// team member's draft), and the Answer pressed before it, if one was
// armed then (pressed), is cancelled and the reporter told, as live
// (spool_reply_not_taken, naming the message by its receipt code).
// Cancelled already (a replay tried again), they are not told twice.
func (m *Mux) replyNotTaken(ctx context.Context, e storage.SpoolEntry, pressed *question) error {
	if pressed == nil {
		return nil
	}
	cancelled := false
	if err := m.updateAnswering(ctx, e.Pseudonym, func(a *answering) {
		cancelled = false
		if a.Next != nil && a.Next.Tip == pressed.Tip && a.Next.N == pressed.N {
			a.Next, cancelled = nil, true
		}
	}); err != nil {
		return err
	}
	if !cancelled {
		return nil
	}
	m.armed.disarm(e.Pseudonym)
	// Told long after the message, on its own: by its receipt code, as
	// the replay's other notices (live's answer_reply_not_taken, "this
	// message", replies to the message itself).
	m.notify(ctx, e.Route, Reply{Text: m.msg.Localize(m.readerLanguage(ctx, e.Pseudonym, e.Language), "spool_reply_not_taken", map[string]any{"Receipt": e.Receipt})})
	return nil
}

// draftSpooled adds a team member's spooled message to their draft, as
// the live path does with any message of theirs, and tells them, with
// the draft's buttons: theirs to send as a tip, or not. No draft limit
// is counted: the message was taken when it came, and is not lost now.
func (m *Mux) draftSpooled(ctx context.Context, e storage.SpoolEntry) (storage.NoTip, error) {
	d, err := m.store.AddToDraft(ctx, e.Pseudonym, storage.DraftPart{EventID: e.EventID, Route: e.Route, Language: e.Language, Part: e.Part})
	if errors.Is(err, storage.ErrDuplicateEvent) {
		return storage.NoTipSent, nil // in a tip they sent already (a replay tried again)
	}
	if err != nil {
		return "", err
	}
	c := &Context{mux: m, Lang: m.readerLanguage(ctx, e.Pseudonym, e.Language)}
	m.notify(ctx, e.Route, Reply{Text: c.T("spool_team_draft", map[string]any{"Receipt": e.Receipt}), Buttons: c.categoryButtons(d)})
	return storage.NoTipTeam, nil
}
