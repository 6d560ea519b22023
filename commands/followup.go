package commands

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// Callback prefixes of the follow-up flow: the reporter's opt-in toggle on
// a draft ("fu:<draft>:1") and the Answer button under a question
// ("ans:<tip>:<question>"; "ans:<tip>" under one asked before questions
// were numbered).
const (
	cbFollowUp = "fu:"
	cbAnswer   = "ans:"
	// cbHeld is under the question asked about a held message
	// ("ansh:1": it answers the question; "ansh:0": it is a new tip).
	cbHeld = "ansh:"
)

// errNotOpen is an answer to a question that is no longer open.
var errNotOpen = errors.New("question not open")

// answering is what the engine remembers (sealed, per reporter) about the
// questions they were asked: which delivered question message is which
// question, so that a reply to that message answers it; and the question
// whose Answer button was pressed last, so that the next message answers
// it. A reply answers a question for the answer window from when it was
// asked.
type answering struct {
	Next    *question           `json:"x,omitempty"`
	Replies map[string]question `json:"q,omitempty"` // question message id -> its question
	// Answered are the messages of questions answered since, until their
	// window would have ended (Unix ms): a reply to one is not taken for
	// the answer an Answer button armed.
	Answered map[string]int64 `json:"a,omitempty"`
	// Unlinked are the questions recorded as asked whose message is not
	// known (the platform's answer lost, a timeout): a reply to them
	// cannot be linked.
	Unlinked []question `json:"u,omitempty"`
	// Held is a reply to a message of the bot's that could not be linked,
	// sent while one unlinked question was open: kept, neither an answer
	// nor a tip, until the reporter says which it is (heldButton).
	Held *held `json:"h,omitempty"`
	// What versions before numbered questions kept, read as question 0:
	// the tip whose Answer was pressed, and question message id -> tip.
	OldNext    string            `json:"n,omitempty"`
	OldReplies map[string]string `json:"r,omitempty"`
	// Events are the questions the reporter's messages (by platform
	// event) went to as answers, each written before its answer is
	// delivered and kept for redelivered (Until): the platform
	// delivering one again (a restart before it heard it was handled)
	// sends it to that question, not to the one an Answer pressed since
	// armed, nor cancels that press. /forget keeps its tip's entries
	// naming no tip (Tip ""): such a message delivered again goes
	// nowhere.
	Events map[string]question `json:"e,omitempty"`
	// Declined are the reporter's messages (by platform event) that,
	// replies to a question answered already, cancelled the Answer
	// pressed before them, each until the platform may no longer
	// deliver it again (Unix ms): delivered again, such a message
	// cancels nothing (an Answer pressed since stays armed).
	Declined map[string]int64 `json:"d,omitempty"`
}

// redelivered is how long the platform may deliver a message again:
// Telegram keeps an update a day, the inbox remembers one as long.
const redelivered = 24 * time.Hour

// held is a reporter's message held until they say whether it answers
// question Q: its text and hidden links, and its platform event (0 if
// none). It is kept for an answer window from when it was held (Until,
// Unix ms), or Q's if that ends later: a reply sent as Q's window ends
// is not let go minutes after the reporter was told it is kept.
type held struct {
	Q     question `json:"q"`
	Text  string   `json:"t"`
	Links []string `json:"l,omitempty"`
	Event int64    `json:"e,omitempty"`
	Until int64    `json:"u,omitempty"` // (0, held before it was kept so: Q's window)
	// Taken is until when (Unix ms) a press of a choice handles it
	// (heldButton), or the sweep reminds or tells its reporter
	// (sweepHeld): another press or sweep meanwhile does not handle it
	// too. A press or sweep that never finished (a crash) lets it go at
	// the lease's end: held again, not lost.
	Taken int64 `json:"k,omitempty"`
	// ID names it in the sweep's schedule (storage.HeldRef): random, and
	// new each time a message is held (delivered again too).
	ID string `json:"i,omitempty"`
	// Route is where its reporter is reminded and, at its end, told
	// (platform:chat), sealed as the rest of the marks; Lang is the
	// language they wrote it in, Msg its id (told as a reply to it), At
	// when it was held (Unix ms). Remind is when they are reminded to
	// choose (Unix ms; 0 once reminded). None of them in marks written
	// before the sweep: a look gives such a message them, and an entry
	// (scheduleOldHeld), from its tip's route.
	Route  string `json:"r,omitempty"`
	Lang   string `json:"g,omitempty"`
	Msg    string `json:"m,omitempty"`
	At     int64  `json:"a,omitempty"`
	Remind int64  `json:"rm,omitempty"`
}

// heldLease is how long a press of a choice has a held message to handle
// it before another press may take it (heldButton).
const heldLease = 2 * time.Minute

// until is when h's window ends (Unix ms): the sweep then tells its
// reporter it was deleted, unsent, and deletes it (sweepHeld).
func (h *held) until() int64 { return max(h.Q.Until, h.Until) }

// kept is until when (Unix ms) h stays in its reporter's marks: past its
// window, for the sweep to tell them first (a press meanwhile still
// handles it), heldSafety at most. One held before the sweep, not
// scheduled yet (scheduleOldHeld), goes with its window, as it did then.
func (h *held) kept() int64 {
	if h.Route == "" {
		return h.until()
	}
	return h.until() + heldSafety.Milliseconds()
}

// question is one question asked of a reporter: its tip, its number among
// the tip's questions, and until when (Unix ms) it is answered this way.
type question struct {
	Tip   string `json:"t"`
	N     int    `json:"n"`
	Until int64  `json:"u"`
	// Armed is when the Answer button armed it (Unix ms), for the
	// question it arms (answering.Next): a discard a wipe owes keeps one
	// armed after that wipe (discardOwed). 0 in one armed by a version
	// before it: as armed before any wipe.
	Armed int64 `json:"a,omitempty"`
}

func (m *Mux) loadAnswering(ctx context.Context, pseudonym string) (answering, error) {
	v, err := m.store.Answering(ctx, pseudonym)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return answering{}, err
	}
	return m.parseAnswering(v), nil
}

// updateAnswering changes a reporter's marks as one step: a mark another
// request saves meanwhile (an /ask, an Answer button) is kept. change may
// run more than once.
func (m *Mux) updateAnswering(ctx context.Context, pseudonym string, change func(*answering)) error {
	return m.store.UpdateAnswering(ctx, pseudonym, func(v string) (string, time.Duration) {
		a := m.parseAnswering(v)
		change(&a)
		return m.encodeAnswering(a)
	})
}

// parseAnswering reads a reporter's marks ("" for none), those of versions
// before numbered questions too, without the expired ones.
func (m *Mux) parseAnswering(v string) answering {
	var a answering
	_ = json.Unmarshal([]byte(v), &a)
	now := m.now().UnixMilli()
	until := m.now().Add(m.triage.AnswerWindow).UnixMilli()
	if a.OldNext != "" && a.Next == nil {
		a.Next = &question{Tip: a.OldNext, Until: until}
	}
	for msg, tip := range a.OldReplies {
		a.mark(msg, question{Tip: tip, Until: until})
	}
	a.OldNext, a.OldReplies = "", nil
	a.drop(func(q question) bool { return q.Until <= now })
	if a.Held != nil && a.Held.kept() <= now {
		a.Held = nil
	}
	maps.DeleteFunc(a.Answered, func(_ string, until int64) bool { return until <= now })
	maps.DeleteFunc(a.Events, func(_ string, q question) bool { return q.Until <= now })
	maps.DeleteFunc(a.Declined, func(_ string, until int64) bool { return until <= now })
	return a
}

// encodeAnswering returns a reporter's marks as stored, and for how long:
// until the last one's window ends (none left: nothing to store).
func (m *Mux) encodeAnswering(a answering) (string, time.Duration) {
	var last int64
	if a.Next != nil {
		last = a.Next.Until
	}
	for _, q := range a.Replies {
		last = max(last, q.Until)
	}
	for _, until := range a.Answered {
		last = max(last, until)
	}
	for _, q := range a.Unlinked {
		last = max(last, q.Until)
	}
	for _, q := range a.Events {
		last = max(last, q.Until)
	}
	for _, until := range a.Declined {
		last = max(last, until)
	}
	if a.Held != nil {
		last = max(last, a.Held.kept())
	}
	ttl := time.Duration(last-m.now().UnixMilli()) * time.Millisecond
	if ttl <= 0 {
		return "", 0
	}
	b, _ := json.Marshal(a)
	return string(b), ttl
}

// mark remembers that message msg is question q; "" (its message not
// known) among the unlinked ones.
func (a *answering) mark(msg string, q question) {
	if msg == "" {
		a.Unlinked = append(slices.DeleteFunc(a.Unlinked, func(r question) bool { return r == q }), q)
		return
	}
	if a.Replies == nil {
		a.Replies = map[string]question{}
	}
	a.Replies[msg] = q
}

// answer forgets the questions that match, as answered: their messages
// are kept among Answered.
func (a *answering) answer(match func(question) bool) {
	for msg, q := range a.Replies {
		if match(q) {
			if a.Answered == nil {
				a.Answered = map[string]int64{}
			}
			a.Answered[msg] = q.Until
		}
	}
	a.drop(match)
}

// drop forgets the questions that match (not a message held for one:
// that goes on as a tip if its question is closed).
func (a *answering) drop(match func(question) bool) {
	if a.Next != nil && match(*a.Next) {
		a.Next = nil
	}
	a.Unlinked = slices.DeleteFunc(a.Unlinked, match)
	for msg, q := range a.Replies {
		if match(q) {
			delete(a.Replies, msg)
		}
	}
}

// ask delivers an investigator's question to a tip's reporter, in the
// reporter's language, through the bot: the investigator never learns
// where it went, the reporter never learns who asked. Earlier questions
// stay open: each can be answered.
func ask(ctx context.Context, c *Context) error {
	// An /ask that ends before its question is sent has its audit entry
	// written before it answers, as every other team command's is: the
	// log's order is what happened (an answer read before the entry was
	// written could be followed by none, Redis failing between).
	say := func(id string, data map[string]any) error {
		if err := c.auditPending(ctx, nil); err != nil {
			return err
		}
		return c.Say(ctx, id, data)
	}
	idArg, text := firstWord(c.Request.Args)
	id, msg, data := c.readTipNumber(ctx, idArg, "ask_usage", nil) // as every command taking a tip number
	if msg != "" {
		return say(msg, data)
	}
	text = strings.TrimSpace(text)
	if blank(text) {
		return say("ask_usage", nil)
	}
	if len([]rune(text)) > maxNote {
		return say("text_too_long", map[string]any{"Max": maxNote})
	}
	if c.holdsReceipt(ctx, text) {
		// Sent, another tip's code would tie that tip to this reporter.
		return say("text_holds_code", nil)
	}
	t, err := c.mux.store.Tip(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return say("tip_not_found", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	if t.Warning {
		// Its sender gave no way to be asked (warnings take no
		// questions): said as such, not as a reporter who refused.
		return say("ask_warning", map[string]any{"ID": id})
	}
	if again, err := c.replayed(ctx, id); err != nil {
		return err
	} else if again {
		return say("ask_sent", nil) // delivered again by the platform: asked once
	}
	route, lang, err := c.mux.store.ReporterRoute(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return say("ask_not_allowed", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	platform, chat, _ := strings.Cut(route, ":")
	sender, ok := c.mux.senders[platform]
	if !ok {
		return say("ask_not_allowed", map[string]any{"ID": id})
	}
	// The route was read before: the reporter may have withdrawn since.
	n, err := c.mux.store.QuestionNumber(ctx, id, c.mux.triage.AnswerWindow)
	if errors.Is(err, storage.ErrNoRoute) {
		return say("ask_not_allowed", map[string]any{"ID": id})
	}
	if errors.Is(err, storage.ErrNotFound) {
		return say("tip_not_found", map[string]any{"ID": id})
	}
	if errors.Is(err, storage.ErrOpenQuestions) {
		return c.refuseAsk(ctx, id, "ask_open_limit", storage.MaxOpenQuestions, storage.NoteAskOpen)
	}
	if errors.Is(err, storage.ErrQuestionsToday) {
		return c.refuseAsk(ctx, id, "ask_day_limit", storage.MaxQuestionsPerDay, storage.NoteAskDay)
	}
	if err != nil {
		return err
	}
	// Recorded before it is sent (no audit, no action).
	if err := c.auditPending(ctx, nil); err != nil {
		if err := c.mux.store.UnnumberQuestion(ctx, id, n); err != nil {
			c.mux.log.Warn("question not given back", "error", err.Error())
		}
		return err
	}
	// Defanged: a link in a question could reveal the reporter's address
	// to whoever runs the linked site.
	text = safe(text)
	// In the language the reporter chose since, if they did (/language),
	// else the one they sent the tip in.
	if reporter, err := c.mux.store.Reporter(ctx, id); err == nil {
		if p, err := c.mux.store.Profile(ctx, reporter, nil, false); err == nil && p.Language != "" {
			lang = p.Language
		}
	}
	if lang == "" {
		lang = c.mux.lang
	}
	body := c.mux.msg.Localize(lang, "question_to_reporter", map[string]any{"Date": t.Created.UTC().Format("2006-01-02"), "Question": text})
	button := Button{Label: c.mux.msg.Localize(lang, "button_answer", nil), Data: cbAnswer + id + ":" + strconv.Itoa(n)}
	ids, err := sender.Send(ctx, chat, Reply{Text: body, Buttons: [][]Button{{button}}, Language: lang})
	msgID := lastID(ids)
	if err != nil && len(ids) == 0 && (errors.Is(err, ErrRefused) || errors.Is(err, ErrDestinationGone)) {
		// Not delivered: its place among the open questions is given back
		// (kept for a while if that fails too). One whose outcome is
		// unknown (a timeout) may be in the reporter's chat: it keeps its
		// place, recorded as asked below.
		if err := c.mux.store.UnnumberQuestion(ctx, id, n); err != nil {
			c.mux.log.Warn("question not given back", "error", err.Error())
		}
	}
	switch {
	case errors.Is(err, ErrDestinationGone) && len(ids) == 0:
		// They blocked the bot or deleted the chat: said plainly, not as
		// a failure of ours.
		return c.Say(ctx, "ask_gone", map[string]any{"ID": id})
	case errors.Is(err, ErrRefused) && len(ids) == 0:
		return c.Say(ctx, "ask_refused", map[string]any{"ID": id})
	}
	// Any other error leaves the outcome unknown (a timeout, a 5xx): the
	// question may well be in the reporter's chat, under an Answer button
	// that names it. It is recorded as asked all the same, so that their
	// answer reaches the asker (not kept as a new tip) and /status lists
	// it; it keeps its place among the unanswered questions as one
	// delivered does. Its message id may be unknown: a reply to that
	// message is then not taken for the answer, the Answer button is.
	unknown := err != nil
	if unknown {
		c.mux.log.Warn("question delivery unknown, recorded as asked", "platform", platform, "error", err.Error())
	}
	err = c.mux.store.Ask(ctx, id, n, c.claimer(), text)
	if errors.Is(err, storage.ErrNoRoute) {
		// They withdrew while it was on its way: it is not recorded, and
		// taken back where the platform allows.
		if r, ok := sender.(MessageRemover); ok && msgID != "" {
			if err := r.DeleteMessage(ctx, chat, msgID); err != nil {
				c.mux.log.Warn("question not taken back", "platform", platform, "error", err.Error())
			}
		}
		return c.Say(ctx, "ask_not_allowed", map[string]any{"ID": id})
	}
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	c.done(ctx, id)
	_ = c.mux.store.TouchClaim(ctx, id, c.Pseudonym) // waiting for the answer is work too
	if reporter, err := c.mux.store.Reporter(ctx, id); err == nil {
		c.mux.markQuestion(ctx, reporter, msgID, question{Tip: id, N: n, Until: c.mux.now().Add(c.mux.triage.AnswerWindow).UnixMilli()})
	}
	if unknown {
		return c.Say(ctx, "ask_unknown", map[string]any{"ID": id})
	}
	return c.Say(ctx, "ask_sent", nil)
}

// refuseAsk tells the investigator that a question to tip id's reporter
// was not sent, past a limit (msg, of limit questions, which the audit log
// names as limit and what), and records the refusal in the audit log, as
// the /ask's only entry (AuditLate): no question went into the tip's history.
func (c *Context) refuseAsk(ctx context.Context, id, msg string, limit int, note string) error {
	if err := c.auditPending(ctx, &storage.AuditEntry{Action: "ask", Args: id, Note: note, Max: limit}); err != nil {
		return err
	}
	return c.Say(ctx, msg, map[string]any{"ID": id, "Max": limit})
}

// markQuestion remembers that the reporter's message msg is question q,
// so that a reply to it answers it ("": its message is not known, see
// holdReply); unless the question was closed
// meanwhile (/forget drops its questions, then their marks: checked after
// marking, one of the two sees the other).
func (m *Mux) markQuestion(ctx context.Context, reporter, msg string, q question) {
	if m.updateAnswering(ctx, reporter, func(a *answering) { a.mark(msg, q) }) != nil {
		return
	}
	open, err := m.store.OpenQuestions(ctx, q.Tip)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return // kept: a reply to a closed question is kept as a new tip
	}
	if slices.ContainsFunc(open, func(o storage.Question) bool { return o.N == q.N }) {
		return
	}
	_ = m.updateAnswering(ctx, reporter, func(a *answering) { a.drop(func(r question) bool { return r == q }) })
}

// answerButton arms the reporter's next message as the answer to the
// question under which Answer was pressed, after checking that the tip is
// theirs (button data can be forged) and the question still open. A
// button without a number is under the question asked before questions
// were numbered: question 0, and no other.
func (m *Mux) answerButton(ctx context.Context, c *Context, data string) error {
	id, num, numbered := strings.Cut(data, ":")
	n := 0
	if numbered {
		var err error
		if n, err = strconv.Atoi(num); err != nil || n < 1 {
			return c.forgedButton(ctx)
		}
	}
	if _, ok := buttonTipID(id); !ok {
		return c.forgedButton(ctx)
	}
	if reporter, err := m.store.Reporter(ctx, id); StorageDown(err) {
		return c.Say(ctx, "error_storage_retry", nil) // not "no question": Redis cannot say
	} else if err != nil || reporter != c.Pseudonym {
		return c.Say(ctx, "answer_none", nil)
	}
	n, msg, err := m.openQuestion(ctx, id, n, true)
	if err != nil {
		return err
	}
	if msg != "" {
		return c.Say(ctx, msg, c.answerData())
	}
	// Armed for the next message: an hour at most, not the question's
	// days, or a tip written days later would go as the answer.
	next := question{Tip: id, N: n, Until: m.now().Add(min(m.triage.AnswerWindow, armedAnswer)).UnixMilli(), Armed: m.now().UnixMilli()}
	if err := m.updateAnswering(ctx, c.Pseudonym, func(a *answering) { a.Next = &next }); err != nil {
		return err
	}
	m.armed.arm(c.Pseudonym, time.UnixMilli(next.Until), m.now())
	return c.Say(ctx, "answer_prompt", nil)
}

// armedAnswer is how long the Answer button makes the next message the
// answer.
const armedAnswer = time.Hour

// openQuestion finds question n among a tip's open questions or, when the
// reporter did not say which (/reply), the one open question, among those
// whose reply window has not ended (answerable). Else it returns what to
// tell the reporter: its time has ended, none is open, or which one?
func (m *Mux) openQuestion(ctx context.Context, id string, n int, numbered bool) (int, string, error) {
	all, err := m.store.OpenQuestions(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return 0, "", err
	}
	var open []storage.Question
	expired := false
	for _, q := range all {
		switch {
		case m.answerable(q):
			open = append(open, q)
		case !numbered || q.N == n:
			expired = true
		}
	}
	switch {
	case numbered && slices.ContainsFunc(open, func(q storage.Question) bool { return q.N == n }):
		return n, "", nil
	case len(open) == 1 && !numbered:
		return open[0].N, "", nil
	case len(open) > 1 && !numbered:
		return 0, "answer_which", nil
	case expired:
		return 0, "answer_expired", nil
	}
	// Question n taken out of the tip as expired (at its next question,
	// long after its window ended): its time has ended, as when it was
	// still kept, not "no open question" (its Answer pressed late).
	// Redis failing here leaves the plainer answer. (/reply names no
	// question: the one taken out is never the tip's newest, which the
	// reporter would mean.)
	if numbered {
		if gone, err := m.store.QuestionExpired(ctx, id, n); err == nil && gone {
			return 0, "answer_expired", nil
		}
	}
	return 0, "answer_none", nil
}

// answerable reports whether a question's reply window (from when it was
// asked) has not ended: past it, the reporter can no longer answer it,
// and /status does not show it. One whose time is not recorded is.
func (m *Mux) answerable(q storage.Question) bool {
	return q.Asked.IsZero() || m.now().Before(q.Asked.Add(m.triage.AnswerWindow))
}

// answerData fills the reporter's messages about answering (answer_expired
// names the reply window).
func (c *Context) answerData() map[string]any {
	return map[string]any{"Period": c.mux.spanIn(c.Lang, c.mux.triage.AnswerWindow)}
}

// takeAnswer handles a private message that answers a question: after
// Answer was pressed, or as a reply to the question. It reports whether the
// message was an answer.
func (m *Mux) takeAnswer(ctx context.Context, c *Context) (bool, error) {
	if !c.answering {
		return false, nil
	}
	a, err := m.loadAnswering(ctx, c.Pseudonym)
	if err != nil {
		return false, err
	}
	if a.Next == nil {
		m.armed.disarm(c.Pseudonym)
	} else {
		m.armed.arm(c.Pseudonym, time.UnixMilli(a.Next.Until), m.now()) // (pressed, maybe, where another process answered)
	}
	var q question
	hold := false
	_, answeredBefore := a.Answered[c.Request.ReplyToID]
	event := strconv.FormatInt(c.Request.EventID, 10)
	sentAs, redelivery := a.Events[event]
	redelivery = redelivery && c.Request.EventID != 0
	switch r, ok := a.Replies[c.Request.ReplyToID]; {
	case c.heldFor != nil:
		q = *c.heldFor // a held message, which the reporter says answers q
	case redelivery:
		// Delivered again by the platform, having gone (or been on its
		// way) as the answer to sentAs: to that question still, not to
		// one an Answer pressed since armed (checked below: handled, it
		// goes no further).
		q = sentAs
	case c.Request.ReplyToBot && ok:
		q = r // a reply to the question
	case c.Request.ReplyToBot && answeredBefore:
		// A reply to a question answered already is not the answer an
		// Answer button armed for another (it went, as "delivered", as
		// that one's answer, maybe another tip's): it goes on as a tip.
		// The Answer pressed is cancelled, and the reporter told:
		// otherwise the next message, meant for that tip, would go as the
		// answer.
		if a.Next != nil {
			return false, m.declineReply(ctx, c, a, event)
		}
		return false, nil
	case a.Next != nil:
		// The message after pressing Answer, a reply to the bot's "write
		// your answer now" too.
		q = *a.Next
	case c.Request.ReplyToBot && len(a.Unlinked) == 1 && (a.Held == nil || heldAgain(a.Held, c.Request)) && holdable(c.Request) &&
		len([]rune(c.Request.Text)) <= m.limits.MaxMessageRunes: // (longer, it is refused as it would be)
		// A reply to a message of the bot's we cannot link, while the
		// one question whose message is not known is open: it may be
		// that question (a swipe-reply to it), or any other message of
		// the bot's. Neither taken as the answer (it could be another's
		// words) nor kept as a tip (it could be the answer): held, and
		// the reporter asked which it is.
		q, hold = a.Unlinked[0], true
	default:
		return false, nil // (a reply to some other message of the bot's)
	}
	// stored is whether the message's answer is in its tip already
	// (AnswerOnce's mark): delivered again, its first handling stored it.
	stored := false
	if c.Request.EventID != 0 {
		// Delivered again by the platform (a restart before it heard the
		// message was handled): handled as it was then, a tip's part, a
		// spooled tip or an answer, not taken as the answer pressed for
		// since.
		if m.spool != nil {
			if _, spooled := m.spool.Spooled(c.Pseudonym, c.Request.EventID); spooled {
				return false, nil
			}
		}
		if seen, err := m.store.EventHandled(ctx, c.Pseudonym, c.Request.EventID); err != nil {
			return false, err
		} else if seen {
			if !redelivery || !m.answeredWith(ctx, c, sentAs) {
				return false, nil
			}
			stored = true
		}
	}
	if redelivery && sentAs.Tip == "" {
		// The answer to a question of a tip withdrawn since (/forget
		// keeps its event, not naming the tip): it goes nowhere, neither
		// as the answer to a question pressed for since nor as a tip. A
		// file goes on to a draft, as it did then.
		return !carriesFile(c.Request), nil
	}
	if hold {
		return m.holdReply(ctx, c, q)
	}
	// Answers are text. A file (or place) sent as one is not dropped: it
	// is kept as part of a tip, with its caption, which also answers.
	withFile := carriesFile(c.Request)
	// The asker would read a receipt code written in the answer (see
	// cutMessageReceipts): it goes, the rest answers.
	var codeCut bool
	var lookupErr error
	c.Request.Text, c.Request.HiddenLinks, codeCut, lookupErr = m.cutMessageReceipts(ctx, c.Request.Text, c.Request.HiddenLinks)
	if codeCut && c.Request.Quote != "" {
		c.Request.Text = tips.WithoutEmptiedQuoteLines(c.Request.Text)
	}
	if lookupErr != nil && redelivery && !stored {
		// Delivered again, having gone (or been on its way) as q's
		// answer: its first handling may have stored it (cut short
		// before its event was remembered). "NOT saved, send it again"
		// would be false then, and invite the same answer twice; so is
		// "delivered" while Redis cannot say. Not stored, it is told as
		// the first time it would have been (below).
		n, err := m.store.AnsweredBy(ctx, q.Tip, c.Pseudonym, c.Request.EventID)
		switch {
		case err == nil && n == q.N:
			stored = true
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			m.log.Warn("answer delivered again, not known to be stored", "platform", c.Request.Platform, "error", err.Error())
			if withFile {
				// Its file or place is not lost with the words: it goes
				// to a draft, as its first handling would have put it
				// (which did not: its event is not handled), its words
				// with it, their codes cut there (or the message spooled
				// or refused, keepPart says which). Whether the words
				// went as the answer is said not to be known, and how
				// to find out: they answer again in words, not with
				// the file, which is kept.
				// Not sent (the platform failing), it goes first in
				// the next reply, which says what became of the file
				// (a limit's refusal too, fileFateOwed).
				if err := c.Reply(ctx, Reply{Text: c.T("answer_file_unknown", nil)}); err != nil {
					c.unsaid = c.T("answer_file_unknown", nil)
				}
				c.fileNotAnswer, c.fileFateOwed = true, true
				return false, nil
			}
			c.heldKept = c.heldFor != nil
			return true, c.Say(ctx, "answer_unknown", nil)
		}
	}
	if lookupErr != nil && !stored && (withFile || c.Request.ReplyToBot) && StorageDown(lookupErr) && m.spool != nil &&
		c.heldFor == nil && !redelivery && c.Request.EventID != 0 {
		// A file or a place with words, or a reply's text, Redis gone (or
		// slow) as its code-like words were looked up: it goes as in an
		// outage, which keepPart spools (its lookup's failure given, not
		// asked again: answered, the file would go on as a tip's part,
		// its words answering nothing). The replay cuts its codes and
		// delivers its words to q (answerSpooled: the reply or the press
		// it came after), a file kept as the tip of its receipt. Where
		// keepPart cannot spool it (a file stored already, codes alone),
		// it is refused there. (Text after an Answer pressed, not a
		// reply, keepPart refuses: see its armed check.)
		c.codesUnknown = lookupErr
		return false, nil
	}
	if lookupErr != nil && !stored {
		// Redis could not say which code-like words are receipt codes:
		// delivered uncut, a code would reach the asker. Not taken, and
		// said so: the question stays open, the reporter sends it again.
		// With a file too, whose caption would answer uncut (nor is the
		// file kept: it is sent again with it), where the spool cannot
		// take it (above). A held message stays held.
		c.heldKept = c.heldFor != nil
		return true, c.Say(ctx, "error_storage", nil)
	}
	text := strings.TrimSpace(withLinks(c.Request.Text, c.Request.HiddenLinks))
	if blank(text) {
		text = "" // zero-width spaces alone answer nothing
	}
	switch {
	case stored && lookupErr != nil:
		// Stored when it passed these checks, cut then; uncut now, it
		// goes nowhere again (AnswerOnce stores and tells nothing twice):
		// told "delivered", as the first time.
	case typedRunes(c.Request.Text, c.Request.Quote) > m.limits.MaxMessageRunes:
		// Refused before the question is used up: the reporter can send
		// it again in parts. (What it quotes from another chat is not
		// counted: typedRunes.)
		return true, c.Say(ctx, "message_too_long", map[string]any{"Max": m.limits.MaxMessageRunes})
	case text == "" && withFile:
		c.fileNotAnswer = true
		return false, nil
	case text == "" && c.Request.FileLost:
		// A file alone, not received: no answer went, nor a tip's part
		// (answerFileAloneLost); the question stays as it was.
		return true, c.Say(ctx, c.answerFileAloneLost(), fileNoteData)
	case text == "" && codeCut:
		// Said plainly: nothing went, the question stays open (not "I
		// left out the code", which reads as if an empty answer went);
		// unless it is not (its time ended, answered, its tip gone): then
		// that, as words would have been told, not "still open".
		if _, msg, err := m.openQuestion(ctx, q.Tip, q.N, true); err == nil && msg != "" {
			if msg == "answer_expired" {
				return true, c.Say(ctx, "receipt_only_closed", c.answerData())
			}
			return true, c.Say(ctx, "receipt_only_not_open", nil)
		}
		return true, c.Say(ctx, "receipt_only_answer", nil)
	case text == "":
		return true, c.Say(ctx, "unsupported_message", nil)
	}
	if c.Request.EventID != 0 && !redelivery {
		// Which question it goes to is written first: delivered again,
		// it goes there, whatever was pressed since (not written, it is
		// not delivered; the question stays open).
		sent := question{Tip: q.Tip, N: q.N, Until: m.now().Add(redelivered).UnixMilli()}
		if err := m.updateAnswering(ctx, c.Pseudonym, func(a *answering) {
			if a.Events == nil {
				a.Events = map[string]question{}
			}
			a.Events[event] = sent
		}); err != nil {
			return true, err
		}
	}
	err = m.deliverAnswer(ctx, q.Tip, q.N, strings.TrimSpace(c.Request.Text), c.Request.HiddenLinks, c.Pseudonym, c.Request.EventID)
	if err != nil && !errors.Is(err, errNotOpen) {
		return true, err // the question stays open: the reporter can send it again
	}
	// What records the answer as delivered is written even where telling
	// the investigators used up the event's time (a slow platform): a
	// short grace of its own (ReplyContext), or the Answer pressed would
	// stay armed and the message not be known as the answer it was.
	ctx, cancel := ReplyContext(ctx)
	defer cancel()
	marked := true
	if err == nil && !withFile && c.Request.EventID != 0 {
		// Its mark first. Delivered again by the platform, the answer
		// (its question now closed) must not become a new tip's text:
		// remembered as a sent tip's message is; and as an answer, for
		// the spool's replay, should a restart forget the Answer pressed
		// and an outage spool it. (With a file, the file is a draft's
		// part, which a redelivery overwrites.) Not written, the marks
		// that led here are kept: delivered again, the message finds its
		// question through them, and the answer stored (AnswerOnce).
		if err := m.store.RememberAnswer(ctx, c.Pseudonym, c.Request.EventID); err != nil {
			m.log.Warn("answer's event not remembered", "platform", c.Request.Platform, "error", err.Error())
			marked = false
		}
	}
	// Answered now or before (or its tip is gone): that question's marks
	// are used up, and the Answer pressed before this message; the others
	// stay, with any saved while the answer was delivered (a question
	// asked, an Answer pressed meanwhile).
	same := func(r question) bool { return r.Tip == q.Tip && r.N == q.N }
	pressed := a.Next
	if c.heldFor != nil || redelivery {
		pressed = nil // (an Answer pressed since stays armed)
	}
	var stillArmed *question
	if marked && m.updateAnswering(ctx, c.Pseudonym, func(a *answering) {
		if a.Next != nil && pressed != nil && a.Next.Tip == pressed.Tip && a.Next.N == pressed.N {
			a.Next = nil
		}
		a.answer(same)
		if errors.Is(err, errNotOpen) {
			delete(a.Events, event) // (it answered nothing: it goes on as a tip)
		}
		stillArmed = a.Next
	}) == nil {
		if stillArmed == nil {
			m.armed.disarm(c.Pseudonym)
		} else {
			m.armed.arm(c.Pseudonym, time.UnixMilli(stillArmed.Until), m.now()) // pressed meanwhile
		}
	}
	if errors.Is(err, errNotOpen) {
		// Not lost: the message goes on as a new tip, which the reporter
		// may send or cancel.
		c.sayQuietly("answer_not_open", nil)
		return false, nil
	}
	if codeCut && !withFile { // (with a file, the draft's answer says it)
		c.sayQuietly("receipt_text_dropped", nil)
	}
	// Replying to a message in another chat quoting none of its words:
	// they did not come with the answer, said so (with a file, the
	// draft's answer says it).
	lost := ""
	if !withFile {
		lost = c.quoteLostNote("quote_not_received_answer")
	}
	sayErr := c.Reply(ctx, Reply{Text: c.T("answer_done", nil) + lost + c.ownNameSent(c.Request.Text)})
	if withFile {
		// The file still goes to a draft, told or not.
		c.fileNotAnswer = true
		return false, nil
	}
	if sayErr != nil {
		return true, sayErr
	}
	if c.Request.FileLost {
		return true, c.Say(ctx, c.answerFileLost(), fileNoteData)
	}
	return true, nil
}

// declineReply cancels the Answer pressed (a.Next) before the reporter's
// message, a reply to a question answered already, which goes on as a
// tip, and tells them so; unless that message is one the platform
// delivered again (a restart before it heard it was handled): one that
// cancelled a press already (Declined), or was handled already (a part
// of their draft or of a tip sent, spooled). Its Answer pressed since
// stays armed, and it is told as what it was then (keepPart), not that
// a press was cancelled. The cancellation and its event are written as
// one step: delivered again after a crash that cut the handling short,
// the message still cancels nothing more.
func (m *Mux) declineReply(ctx context.Context, c *Context, a answering, event string) error {
	if c.Request.EventID != 0 {
		if _, declined := a.Declined[event]; declined {
			return nil
		}
		if m.spool != nil {
			if _, spooled := m.spool.Spooled(c.Pseudonym, c.Request.EventID); spooled {
				return nil
			}
		}
		if seen, err := m.store.EventHandled(ctx, c.Pseudonym, c.Request.EventID); err != nil || seen {
			return err
		}
	}
	cancelled := false
	if err := m.updateAnswering(ctx, c.Pseudonym, func(a *answering) {
		cancelled = false
		if _, declined := a.Declined[event]; declined && c.Request.EventID != 0 {
			return // (the same message, handled meanwhile elsewhere)
		}
		a.Next, cancelled = nil, true
		if c.Request.EventID != 0 {
			if a.Declined == nil {
				a.Declined = map[string]int64{}
			}
			a.Declined[event] = m.now().Add(redelivered).UnixMilli()
		}
	}); err != nil {
		return err
	}
	if cancelled {
		m.armed.disarm(c.Pseudonym)
		c.sayQuietly("answer_reply_not_taken", nil)
	}
	return nil
}

// carriesFile reports whether a message carries a file or a place, which an
// answer does not: kept as part of a tip, its caption answering.
func carriesFile(r Request) bool {
	return r.Attachment != nil || r.FileData != nil || r.Location != nil
}

// answeredWith reports whether the reporter's message, a text delivered
// again by the platform whose first handling went all the way (its event
// remembered as handled), is the stored answer to sentAs (the tip's mark
// of it, AnswerOnce): told as the first time ("answer_done"), which the
// reporter may never have seen (a restart before the platform heard it
// was handled), not left without a word. Not if Redis cannot say.
func (m *Mux) answeredWith(ctx context.Context, c *Context, sentAs question) bool {
	if sentAs.Tip == "" || carriesFile(c.Request) {
		return false
	}
	n, err := m.store.AnsweredBy(ctx, sentAs.Tip, c.Pseudonym, c.Request.EventID)
	return err == nil && n == sentAs.N
}

// holdable reports whether a message can be held (holdReply): text
// alone, which answers go as; a message with a file, a place or a form
// goes on as a tip's part, as it would as an answer.
func holdable(r Request) bool {
	return !blank(r.Text) && r.Attachment == nil && r.FileData == nil && r.Location == nil && !r.FileLost &&
		!r.Unsupported && r.Forward == nil && !r.ForwardedFromPerson && r.FormID == "" && r.AlbumItems == 0
}

// heldAgain reports whether r is the message h holds, delivered again by
// the platform: asked about again, not kept as a tip besides.
func heldAgain(h *held, r Request) bool {
	return r.EventID != 0 && h.Event == r.EventID
}

// holdReply holds the reporter's message, a reply to a message of the
// bot's that could not be linked, and asks them whether it answers
// question q (the one open whose message is not known) or is a new tip,
// with a button for each (heldButton). It is kept, sealed with their
// marks, for an answer window (held.until), at whose end, unchosen, it
// is deleted and the reporter told (SweepHeld, which also reminds them
// a day before). It reports false where q is no longer open: the
// message goes on as it would have.
func (m *Mux) holdReply(ctx context.Context, c *Context, q question) (bool, error) {
	open, err := m.store.OpenQuestions(ctx, q.Tip)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	i := slices.IndexFunc(open, func(o storage.Question) bool { return o.N == q.N })
	if i < 0 {
		return false, nil
	}
	t, err := m.store.Tip(ctx, q.Tip)
	if err != nil {
		return false, nil // (gone meanwhile: it goes on as a tip)
	}
	h := held{Q: q, Text: c.Request.Text, Links: c.Request.HiddenLinks, Event: c.Request.EventID, Until: m.now().Add(m.triage.AnswerWindow).UnixMilli(),
		ID: heldID(), Route: c.Request.Platform + ":" + c.Request.ChatID, Lang: c.Lang, Msg: c.Request.MessageID, At: m.now().UnixMilli()}
	h.Remind = remindAt(h.At, h.until())
	// Its entry in the sweep's schedule goes first: a held message is
	// never without one, or its window would end without a word to the
	// reporter. (Not written after all, the sweep finds no such message
	// and drops the entry.)
	ref := storage.HeldRef{Pseudonym: c.Pseudonym, ID: h.ID}
	if err := m.store.ScheduleHeld(ctx, ref, time.UnixMilli(h.Remind)); err != nil {
		return false, err
	}
	kept := false
	if err := m.updateAnswering(ctx, c.Pseudonym, func(a *answering) {
		kept = a.Held == nil || heldAgain(a.Held, c.Request) // (another held meanwhile: this one goes on)
		if kept {
			h.Taken = 0
			if a.Held != nil {
				h.Taken = a.Held.Taken // (delivered again while a press handles it: still taken)
			}
			a.Held = &h
		}
	}); err != nil {
		return false, err
	}
	if !kept {
		if err := m.store.UnscheduleHeld(ctx, ref); err != nil { // (else the sweep drops it)
			m.log.Warn("held message's schedule not tidied", "error", err.Error())
		}
		return false, nil
	}
	text := c.T("held_answer_or_tip", map[string]any{"Date": t.Created.UTC().Format("2006-01-02"), "Question": open[i].Text})
	return true, c.Reply(ctx, Reply{Text: text, Buttons: [][]Button{
		{{Label: c.T("button_held_answer", nil), Data: cbHeld + "1"}},
		{{Label: c.T("button_held_tip", nil), Data: cbHeld + "0"}},
	}})
}

// heldButton handles the reporter's choice for the message held by
// holdReply: "1", it answers the question, "0", it is a new tip (other
// data, not ours, is ignored). The message then goes as if it had been
// sent so: an answer (as after Answer, with every check an answer has; to
// a question closed meanwhile it goes on as a tip, as then), or a tip's
// part. It is taken first, in one step (a lease, held.Taken): two presses
// at once (a double tap, two replicas) handle it once, the other told it
// is being handled. It stays held until that is done: let go once
// handled, given back where it is to stay held (heldKept, an error), held
// again at the lease's end if the handler never finished.
func (m *Mux) heldButton(ctx context.Context, c *Context, data string) error {
	if data != "0" && data != "1" {
		return c.forgedButton(ctx) // neither choice
	}
	now := m.now().UnixMilli()
	lease := m.now().Add(heldLease).UnixMilli()
	var h *held
	busy := false
	if err := m.updateAnswering(ctx, c.Pseudonym, func(a *answering) {
		h, busy = nil, false
		switch {
		case a.Held == nil:
		case a.Held.Taken > now:
			busy = true
		default:
			a.Held.Taken = lease
			taken := *a.Held
			h = &taken
		}
	}); err != nil {
		return err
	}
	if busy {
		return c.Say(ctx, "held_busy", nil)
	}
	if h == nil {
		return c.Say(ctx, "held_none", nil) // (chosen already, or kept too long)
	}
	if h.ID != "" {
		// The sweep looks at it as the lease ends: let go by then, its
		// entry goes; still there, it was used unless its event is not
		// handled (a release not written, sweepHeld). Looked at then, not
		// only at its reminder days later: by then the marks that say it
		// was used (the draft it went to, an answer's event) may be gone.
		if err := m.store.RescheduleHeld(ctx, storage.HeldRef{Pseudonym: c.Pseudonym, ID: h.ID}, time.UnixMilli(lease)); err != nil {
			m.log.Warn("held message's schedule not moved to its press's lease", "error", err.Error())
		}
	}
	mine := func(a *answering) bool {
		return a.Held != nil && a.Held.Event == h.Event && a.Held.Text == h.Text && a.Held.Taken == lease
	}
	req := c.Request
	c.Request.Callback, c.Request.ReplyToBot, c.Request.ReplyToID = "", false, ""
	c.Request.Text, c.Request.HiddenLinks, c.Request.EventID = h.Text, h.Links, h.Event
	if data == "1" {
		q := h.Q
		c.heldFor, c.answering = &q, true
	} else {
		c.answering = false // a tip's part: not an Answer pressed meanwhile either
	}
	wasAnswering := c.answering
	c.partFound, c.heldPress = nil, true
	err := m.keepPart(ctx, c)
	found := c.partFound
	c.Request, c.heldFor, c.answering, c.partFound, c.heldPress = req, nil, wasAnswering, nil, false
	var replyErr *replyError
	if err != nil && !errors.As(err, &replyErr) || c.heldKept {
		// Still held: given back, the reporter can choose again (if
		// this fails too, it is held again at the lease's end).
		if uerr := m.updateAnswering(context.WithoutCancel(ctx), c.Pseudonym, func(a *answering) {
			if mine(a) {
				a.Held.Taken = 0
			}
		}); uerr != nil {
			m.log.Warn("held message not given back", "error", uerr.Error())
			if found != nil {
				return m.partUnsure(ctx, c, h.Event, err, found, func() error { return err })
			}
		}
		return err
	}
	// (Its entry in the sweep's schedule is dropped by the sweep, which
	// finds no such message. A release not written leaves the message
	// held, taken until the lease's end, and its entry with it: the sweep
	// then finds it used, and lets it go untold.)
	if uerr := m.updateAnswering(ctx, c.Pseudonym, func(a *answering) {
		if mine(a) {
			a.Held = nil
		}
	}); uerr != nil {
		m.log.Warn("held message not released", "error", uerr.Error())
	}
	return err
}

// deliverAnswer adds the reporter's answer to question n of the tip and
// tells the investigators (see tellAnswer); errNotOpen if that question is
// no longer open. Links hidden behind its words (links) go with it; the
// caller checked the length of what the reporter typed. Given the
// message's platform event (not 0), it answers once (Store.AnswerOnce):
// that message delivered again after its answer was stored, before it
// was marked as the answer (RememberAnswer; a redelivery by the platform,
// a replay tried again), finds the question closed by it, and goes on as
// if it had just delivered it: the investigators are not told twice, and
// it does not become a tip (errNotOpen) though they have it.
func (m *Mux) deliverAnswer(ctx context.Context, id string, n int, text string, links []string, pseudonym string, eventID int64) error {
	text = tips.Neutralize(strings.TrimSpace(withLinks(text, links)))
	var q storage.Question
	var again bool
	var err error
	if eventID != 0 {
		q, again, err = m.store.AnswerOnce(ctx, id, n, text, pseudonym, eventID)
	} else {
		q, err = m.store.Answer(ctx, id, n, text)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return errNotOpen
	}
	if err != nil {
		return err
	}
	if !again {
		// Told (a send went out, or no one to tell), it is finished: the
		// sweep does not tell it again. Every send failing (the asker's
		// platform down) leaves it due: the sweep tells it after its
		// grace (its hold, toTell's, ended by then).
		tctx, cancel := context.WithTimeout(ctx, untoldTellWithin)
		told := m.tellAnswer(tctx, id, q, text)
		cancel()
		if told {
			// Finished even when the event's context ended as it was
			// told (a shutdown's deadline, a handler's timeout): left
			// due, the sweep would tell it again after its grace.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), untoldFinishWithin)
			err := m.store.FinishUntold(fctx, storage.UntoldAnswer{TipID: id, Question: q})
			cancel()
			if err != nil {
				m.log.Warn("told answer not finished: the sweep tells it again", "error", err.Error())
			}
		}
	}
	return nil
}

// tellAnswer sends an answer to the investigator who asked the question,
// if they are still on the team, and to whoever claims the tip now; to the
// investigator chats if it reached neither. It reports whether it is
// told: sent to one of them at least, or there was no one to send it to.
func (m *Mux) tellAnswer(ctx context.Context, id string, q storage.Question, text string) bool {
	// Each in the language they read (a chat in the bot's default). The
	// question and the answer are quoted blocks: an answer over several
	// lines must not add lines that read as the bot's ("Answer: …", another
	// tip's notice), forged by the reporter.
	notice := func(lang string) Reply {
		return Reply{Text: m.msg.Localize(cmp.Or(lang, m.lang), "answer_notify", map[string]any{"ID": id, "Question": quoted(safe(q.Text)), "Answer": quoted(safe(text))}), Protected: true}
	}
	// Only to members still on the team; to one whose second factor has
	// locked their team commands (a phone left unlocked, or stolen) without
	// the words: they read them in /tip once unlocked.
	// unsure: a check of who to tell failed (Redis): no one found is
	// then not "no one to tell".
	var to []storage.Claimer
	unsure := false
	onTeam := func(key string) bool {
		on, err := m.stillOnTeam(ctx, key)
		unsure = unsure || err != nil
		return on && err == nil
	}
	if q.By.Route != "" && onTeam(q.By.Key) {
		to = append(to, q.By)
	}
	cl, err := m.store.ClaimerOf(ctx, id)
	unsure = unsure || err != nil && !errors.Is(err, storage.ErrNotFound)
	if err == nil && !slices.ContainsFunc(to, func(o storage.Claimer) bool { return o.Route == cl.Route }) && onTeam(cl.Key) {
		to = append(to, cl)
	}
	told := false
	for _, r := range to {
		n := notice(r.Language)
		if m.twoFactor.Required {
			if ok, err := m.store.Unlocked(ctx, r.Key); err != nil || !ok {
				n = Reply{Text: m.msg.Localize(cmp.Or(r.Language, m.lang), "answer_notify_locked", map[string]any{"ID": id})}
			}
		}
		told = m.notify(ctx, r.Route, n) || told
	}
	if told {
		return true
	}
	chats := m.teamChatRoutes()
	for _, chat := range chats {
		told = m.notify(ctx, chat, notice("")) || told
	}
	// No one to tell at all (no asker or claimer on the team, as Redis
	// said, no team chat): nothing a later try would change.
	return told || !unsure && len(to) == 0 && len(chats) == 0
}

// notify sends to a "platform:chat" route, logging (without the route)
// when it cannot; it reports whether the message went out.
func (m *Mux) notify(ctx context.Context, route string, r Reply) bool {
	_, ok := m.notifyMessage(ctx, route, r)
	return ok
}

// notifyMessage is notify, also answering a reference to the message sent
// (its first, if it went in parts; messageRef): "" if the platform gave
// no id.
func (m *Mux) notifyMessage(ctx context.Context, route string, r Reply) (string, bool) {
	msg, err := m.send(ctx, route, r)
	if err != nil && !errors.Is(err, errNoSender) {
		platform, _, _ := strings.Cut(route, ":")
		m.log.Warn("notification not delivered", "platform", platform, "error", err.Error())
	}
	return msg, err == nil
}

// notifyQuietly is notify without a log line: for a send tried again and
// again (a kept alert), whose failures are told of otherwise.
func (m *Mux) notifyQuietly(ctx context.Context, route string, r Reply) bool {
	_, err := m.send(ctx, route, r)
	return err == nil
}

// errNoSender: no adapter of the route's platform runs in this process.
var errNoSender = errors.New("no sender for the platform")

// send sends r to route, following an investigators' chat that moved,
// and answers a reference to the message sent (its first; messageRef): ""
// if no id is known.
func (m *Mux) send(ctx context.Context, route string, r Reply) (string, error) {
	platform, chat, _ := strings.Cut(route, ":")
	s, ok := m.senders[platform]
	if !ok {
		return "", errNoSender
	}
	ids, err := s.Send(ctx, chat, r)
	if next, moved := m.followMovedTeamChat(ctx, route, err); moved {
		_, chat, _ = strings.Cut(next, ":")
		r.ReplyTo = "" // the message replied to is in the old chat
		ids, err = s.Send(ctx, chat, r)
	}
	if err != nil {
		m.metrics.SendFailed(platform)
		return "", err
	}
	if len(ids) == 0 {
		return "", nil
	}
	return messageRef(platform+":"+chat, ids[0]), nil
}

// messageRef names message id in the chat of route, for a reply to it
// later: a message id means nothing in another chat (the one an
// investigators' chat moved to since). "" if id is.
func messageRef(route, id string) string {
	if id == "" {
		return ""
	}
	return route + " " + id
}

// replyTo answers the id of the message ref names (messageRef) if it is in
// the chat of route, else "".
func replyTo(route, ref string) string {
	i := strings.LastIndexByte(ref, ' ')
	if i < 0 || ref[:i] != route {
		return ""
	}
	return ref[i+1:]
}

// afterFields returns what follows the first n words of s (as
// strings.Fields splits it), as written.
func afterFields(s string, n int) string {
	for ; n > 0; n-- {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			return ""
		}
		s = s[i:]
	}
	return s
}

// replyCommand is /reply CODE answer, for clients where replying to the
// question is awkward.
func replyCommand(ctx context.Context, c *Context) error {
	if code, rest, ok := replyCode(c.Request.Args); ok {
		t, err := c.mux.store.TipByReceipt(ctx, code)
		if errors.Is(err, storage.ErrNotFound) {
			return c.Say(ctx, "status_unknown", map[string]any{"Period": c.mux.spanIn(c.Lang, c.mux.retention)})
		}
		if err != nil {
			return err
		}
		if t.Warning {
			// Warnings take no questions (/forget and /status say so
			// too): not "no open question for that tip".
			return c.Say(ctx, "reply_warning", nil)
		}
		// The answer as written, its line breaks kept (a list, an address),
		// after the words it quotes from another chat (Request.Quote: "this
		// is what he wrote me"), as a message's answer keeps them.
		var answer string
		var codeCut bool
		var lookupErr error
		answer, c.Request.HiddenLinks, codeCut, lookupErr = c.mux.cutMessageReceipts(ctx, WithQuote(c.Request.Quote, strings.TrimSpace(rest)), c.Request.HiddenLinks)
		if codeCut && c.Request.Quote != "" {
			answer = tips.WithoutEmptiedQuoteLines(answer)
		}
		// The code names the tip, not the question: with several open,
		// the reporter is told how to answer each. The same /reply
		// delivered again by the platform (a restart before it heard it
		// was handled) is the answer it was, to the question it closed
		// (its mark, Store.AnsweredBy): told as the first time, the
		// investigators not told twice; not "no open question", nor the
		// answer to another asked since. Redis not able to say whether
		// it is, the reporter is told so: neither "NOT saved, send it
		// again" (it may be stored, and would go twice) nor "delivered".
		q, answeredBefore := 0, false
		if c.Request.EventID != 0 {
			n, err := c.mux.store.AnsweredBy(ctx, t.ID, c.Pseudonym, c.Request.EventID)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				c.mux.log.Warn("answer not known to be stored", "platform", c.Request.Platform, "error", err.Error())
				return c.Say(ctx, "answer_unknown", nil)
			}
			q, answeredBefore = n, err == nil
		}
		switch {
		case lookupErr != nil && answeredBefore:
			// Stored already, its code-like words cut then; uncut now, it
			// goes nowhere again (AnswerOnce): told "delivered", as then.
		case lookupErr != nil:
			// Not known which code-like words are receipt codes: not
			// delivered uncut; the question stays open.
			return c.Say(ctx, "error_storage", nil)
		case codeCut && (blank(answer) || partingOnly(answer)):
			// An answer of a code alone: nothing goes, said so (not "I
			// left out the code" and then how to use /reply).
			return c.Say(ctx, "receipt_only_reply", nil)
		case codeCut:
			c.sayQuietly("receipt_text_dropped", nil)
		}
		if (blank(answer) || partingOnly(answer)) && lookupErr == nil {
			// zero-width spaces alone answer nothing: the question stays
			// open; nor do marks that part a code from an answer alone
			// ("CODE - -", "CODE : -"), as "CODE -" does not: "-"
			// delivered would close it. With a file not received, the
			// code alone its caption: that file is told of, as one sent
			// alone after Answer is (takeAnswer), not how to use /reply.
			if c.Request.FileLost {
				return c.Say(ctx, c.replyFileAloneLost(ctx, t.ID, answeredBefore), fileNoteData)
			}
			return c.Say(ctx, "reply_usage", nil)
		}
		if typedRunes(answer, c.Request.Quote) > c.mux.limits.MaxMessageRunes && lookupErr == nil {
			return c.Say(ctx, "message_too_long", map[string]any{"Max": c.mux.limits.MaxMessageRunes})
		}
		if !answeredBefore {
			var msg string
			q, msg, err = c.mux.openQuestion(ctx, t.ID, 0, false)
			if err != nil {
				return err
			}
			if msg == "answer_none" || msg == "answer_expired" {
				// No question can take it: these words sent again (the
				// first /reply's outcome not known, "answer_unknown",
				// so the reporter tried again) are the answer already
				// recorded (its words' mark, Store.AnsweredWith), told
				// "delivered", and told to the investigators if the
				// first write was not (AnswerOnce, once). Not with a
				// question open: the same words ("sí") may answer it;
				// nor with one asked since, expired or answered
				// (AnsweredWith: the newest's answer, or one untold).
				n, werr := c.mux.answeredWithWords(ctx, c, t.ID, answer)
				switch {
				case werr == nil:
					q, msg = n, ""
				case !errors.Is(werr, storage.ErrNotFound):
					c.mux.log.Warn("answer not known to be stored", "platform", c.Request.Platform, "error", werr.Error())
					return c.Say(ctx, "answer_unknown", nil)
				}
			}
			if msg != "" {
				return c.Say(ctx, msg, c.answerData())
			}
		}
		err = c.mux.deliverAnswer(ctx, t.ID, q, answer, c.Request.HiddenLinks, c.Pseudonym, c.Request.EventID)
		if errors.Is(err, errNotOpen) {
			return c.Say(ctx, "answer_none", nil)
		}
		if err != nil {
			return err
		}
		if c.answering {
			_ = c.mux.updateAnswering(ctx, c.Pseudonym, func(a *answering) {
				a.answer(func(r question) bool { return r.Tip == t.ID && r.N == q })
			})
		}
		err = c.Reply(ctx, Reply{Text: c.T("answer_done", nil) + c.quoteLostNote("quote_not_received_answer") + c.ownNameSent(answer)})
		if err != nil || !c.Request.FileLost {
			return err
		}
		// A file it came with that could not be received (too large, or
		// the file of the message it replied to in another chat): told,
		// as an answer after Answer is (takeAnswer).
		return c.Say(ctx, c.answerFileLost(), fileNoteData)
	}
	return c.Say(ctx, "reply_usage", nil)
}

// answeredWithWords returns the number of the tip's question the reporter
// answered with these words (as deliverAnswer stores them, links hidden
// behind them included), or ErrNotFound; ErrNotFound too for a request
// with no platform event, whose answer keeps no mark of its words.
func (m *Mux) answeredWithWords(ctx context.Context, c *Context, id, answer string) (int, error) {
	if c.Request.EventID == 0 {
		return 0, storage.ErrNotFound
	}
	text := tips.Neutralize(strings.TrimSpace(withLinks(answer, c.Request.HiddenLinks)))
	return m.store.AnsweredWith(ctx, id, text, c.Pseudonym)
}

// replyCode splits the arguments of /reply into the receipt code and the
// answer that follows it, as written. The code is its first one to four
// words (typed in 1 to 4 groups); else a code with a digit (as every code
// drawn now has) touching an emoji or a flag, with nothing but emoji,
// symbols or spaces before it ("CODE🇲🇽 sí", "🙏CODE🙏 sí", as a
// reporter on a phone types): what follows the code, the emoji that
// touched it included, is the answer (the reporter's own, maybe meant:
// "CODE👍"); what came before it is dropped, as the code is. Words before
// a code ("mi código es CODE …") are not read as one: the answer would
// start nowhere certain. What only wraps the code or parts it from the
// answer ("_CODE_ sí", "**CODE**", "CODE_sí") is no part of the answer
// (unwrappedRest), nor is punctuation that ends the code's word ("CODE.",
// "CODE?!", "¿CODE?."): delivered, "." would close the question. Nor is
// punctuation that parts the code from the answer, against both
// ("CODE.El lunes", partingMark) or a word of its own ("CODE — El
// lunes", dropPartingWord).
func replyCode(args string) (code, rest string, ok bool) {
	if code, n, ok := leadingCode(args); ok {
		return code, dropPartingWord(afterFields(args, n)), true
	}
	spans := tips.ReceiptSpans(args)
	if len(spans) == 0 || strings.IndexFunc(args[:spans[0][0]], isWordChar) >= 0 {
		return "", "", false
	}
	if end := spans[0][1]; end < len(args) && asciiAlnum(args[end]) {
		// Letters or digits typed against its end ("CODEx",
		// "tkCODE", read from its first letter as TKK7-…-TP4W and
		// "ZN"): the word may be misread, and the answer would start
		// within it. The usage, as for words before a code.
		return "", "", false
	}
	code, ok = tips.NormalizeReceipt(args[spans[0][0]:spans[0][1]])
	if !ok {
		return "", "", false
	}
	rest = unwrappedRest(args[:spans[0][0]], args[spans[0][1]:])
	if j := strings.IndexFunc(rest, func(r rune) bool { return !wrapMark(r) && !lineDash(r) }); j < 0 {
		rest = "" // "CODE.", "CODE?!", "CODE─": the code's word ends a sentence, no answer
	} else if r, _ := utf8.DecodeRuneInString(rest[j:]); unicode.IsSpace(r) {
		rest = rest[j:] // "CODE. sí" (as leadingCode reads "CODE." as the code)
	} else {
		// "CODE.El lunes", "CODE:sí", "CODE—el lunes": the punctuation
		// parts the code from the answer, as a space would; delivered,
		// the answer would start with it. What may open the answer
		// ("CODE¿Dónde?", "CODE(foto)") stays.
		t := trimParting(rest)
		parted := rest[:len(rest)-len(t)]
		if r, size := utf8.DecodeLastRuneInString(parted); size > 0 && opensNumber(r, t) {
			t, parted = rest[len(parted)-size:], parted[:len(parted)-size] // "CODE:-5 grados", "CODE:.5", "CODE:$500": the number's own
			if r, size := utf8.DecodeLastRuneInString(parted); lineDash(r) && opensNumber(r, t) {
				t = rest[len(parted)-size:] // "CODE—$500", "CODE-.5": the sign before the amount's own mark
			}
		}
		rest = t
	}
	return code, dropPartingWord(rest), true
}

// partingOnly reports whether s, what follows the code in /reply's
// arguments, is nothing once the words that only part a code from an
// answer go (dropPartingWord, word by word, on any line): "- -", "-- —",
// ": -", "-\n-". A word dropPartingWord keeps, as one that mixes its
// marks (":-|", ";-;", emoticons) or a dash before a number, is an
// answer.
func partingOnly(s string) bool {
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			return true
		}
		next := dropPartingWord(s)
		if len(next) == len(s) {
			return false
		}
		s = next
	}
}

// opensNumber reports whether the mark r, right before next, is the
// number's own that next starts with: its sign (a dash of any length:
// "—5" may be "-5"), point or decimal comma, currency (any: "$500",
// "€5", "£20") or "#" ("-5 grados", ".5 litros", ",5 litros", "+52
// 55…", "#3"), or a handle's "@" ("@alias"); or a dash before an
// amount's currency, point or decimal comma ("—€5", "-$500", "—.5"), as
// a dash a word of its own before one is kept ("CODE - €5",
// dropPartingWord). Trimmed as parting the code from the answer, "-5"
// would be delivered as "5", "—€5" as "€5".
func opensNumber(r rune, next string) bool {
	n, size := utf8.DecodeRuneInString(next)
	if r == '@' {
		return isWordChar(n) || n == '_'
	}
	if lineDash(r) && (unicode.Is(unicode.Sc, n) || n == '.' || n == ',') {
		n, _ = utf8.DecodeRuneInString(next[size:]) // (the sign before the amount's own mark)
	}
	return (strings.ContainsRune("+.,#", r) || lineDash(r) || unicode.Is(unicode.Sc, r)) && unicode.IsNumber(n)
}

// lineDash reports whether r is a dash (unicode.Pd), or a character
// drawn as a line that is written for one ("─", "━", "˜": what some
// keyboards' symbol pages give, and tips reads between a code's groups
// as a dash, tips.LineLike): /reply reads it as a dash, parting the code
// from words ("CODE─El lunes"), kept before a number ("CODE─5").
func lineDash(r rune) bool {
	return unicode.Is(unicode.Pd, r) || tips.LineLike(r)
}

// startsNumber reports whether s starts with a number, or with a mark
// that may be its own (opensNumber): "5", "½", "-5", "+52", ".5", "$500".
func startsNumber(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	return unicode.IsNumber(r) || r != '@' && opensNumber(r, s[size:])
}

// partingMark reports whether r, punctuation written between a code and
// the answer after it in /reply's arguments, only parts them (".", ":",
// "—", "-", "|", a dash drawn as a line: "─", lineDash): a wrapMark or
// lineDash that opens nothing (no opening bracket or
// quote, no "¿" or "¡", no markdown or quote that may start the answer's
// own: "*", "_", "~", "`", "\"", "'") and compares nothing ("<", ">",
// "=": "CODE>5 hombres" says more than five; "->" and "=>" are arrows,
// trimParting).
func partingMark(r rune) bool {
	return (wrapMark(r) || lineDash(r)) && !unicode.In(r, unicode.Ps, unicode.Pi) && !strings.ContainsRune("¿¡*_~`\"'<>=", r)
}

// arrowLen returns the length of the arrow s starts with ("->", "-->",
// "=>", "—>", "→", "⇒"), 0 for none: it parts a code from the answer,
// as ":" does, whatever follows it. A ">" alone is no arrow: it compares.
func arrowLen(s string) int {
	r, size := utf8.DecodeRuneInString(s)
	if strings.ContainsRune("→⇒⟶⟹➔➜", r) {
		return size
	}
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != '=' && !lineDash(r) {
			break
		}
		i += size
	}
	if i == 0 || i == len(s) || s[i] != '>' {
		return 0
	}
	return i + 1
}

// trimParting returns s less the parting marks and arrows it starts with
// (partingMark, arrowLen): "CODE:sí", "CODE->sí", "CODE=>sí" answer "sí";
// "CODE>5" and "CODE=5" keep their comparison.
func trimParting(s string) string {
	for {
		if n := arrowLen(s); n > 0 {
			s = s[n:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 || !partingMark(r) {
			return s
		}
		s = s[size:]
	}
}

// dropPartingWord returns rest, what follows a receipt code in /reply's
// arguments, less a first word alone on the code's line that can only
// part the code from the answer, never carry meaning of the answer's
// own: one made of colons, semicolons, commas or bars ("CODE : sí",
// "CODE | 5"), an arrow ("CODE -> sí", "CODE => 5", "CODE → sí"), or
// dashes before anything but a number ("CODE — el lunes", "CODE - sí").
// Delivered, the answer would start with it. Kept, as the answer's: a
// dash before a number ("CODE - 5" may be "-5", "CODE — 5 hombres"),
// comparison marks ("CODE > 5 hombres" is "more than 5", "CODE < 10",
// "CODE = 3", "CODE ~ 20"), a word on a line of its own ("CODE\n- 3
// hombres\n- 2 autos", a list), and other punctuation ("CODE ... no sé",
// "CODE ¿y?"). When a mark may say something, it is kept: kept, it costs
// a character; dropped, it may turn the answer's meaning.
func dropPartingWord(rest string) string {
	t := strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsSpace(r) && !lineBreak(r) })
	end := strings.IndexFunc(t, unicode.IsSpace)
	if end < 0 {
		end = len(t)
	}
	if end == 0 {
		return rest
	}
	word := t[:end]
	switch {
	case strings.IndexFunc(word, func(r rune) bool { return !strings.ContainsRune(":;,|：；，", r) }) < 0:
	case arrowLen(word) == len(word):
	case strings.IndexFunc(word, func(r rune) bool { return !lineDash(r) }) < 0:
		next := strings.TrimLeftFunc(t[end:], func(r rune) bool { return unicode.IsSpace(r) && !lineBreak(r) })
		if startsNumber(next) {
			return rest // "CODE - 5": maybe "-5"
		}
	default:
		return rest
	}
	return t[end:]
}

// unwrappedRest returns rest, what follows a code in /reply's arguments,
// less what only wraps the code or parts it from the answer: the closer
// of the punctuation written right before it ("_CODE_", "**CODE**",
// "(CODE) sí"), then the underscores against it ("CODE_sí": "_" parts
// words as a space does, tips.ReceiptSpans). Kept, "/reply _CODE_" would
// deliver "_" as the answer and close the question.
func unwrappedRest(before, rest string) string {
	n := 0 // (punctuation right before the code)
	for before != "" {
		r, size := utf8.DecodeLastRuneInString(before)
		if !wrapMark(r) {
			break
		}
		before, n = before[:len(before)-size], n+1
	}
	for ; n > 0 && rest != ""; n-- {
		r, size := utf8.DecodeRuneInString(rest)
		if !wrapMark(r) {
			break
		}
		rest = rest[size:]
	}
	return strings.TrimLeft(rest, "_")
}

// wrapMark reports whether r is punctuation or an ASCII symbol (markdown's
// "|", "~", "`"), as wraps a code: not an emoji, which may be the
// reporter's answer ("🙏CODE🙏").
func wrapMark(r rune) bool {
	return unicode.IsPunct(r) || r < utf8.RuneSelf && unicode.IsSymbol(r)
}

// leadingCode returns the receipt code made of the first n (1 to 4)
// words of args, a code typed in 1 to 4 groups, when more words follow:
// the code /reply answers under and /status and /forget read.
func leadingCode(args string) (code string, n int, ok bool) {
	words := strings.Fields(args)
	for n := 1; n <= 4 && n < len(words); n++ {
		if code, ok := tips.NormalizeReceipt(strings.Join(words[:n], "")); ok {
			return code, n, true
		}
	}
	return "", 0, false
}

// asciiAlnum reports whether c is an ASCII letter or digit.
func asciiAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z'
}

// isWordChar reports whether r is a letter or a digit: of a word, not an
// emoji, a flag or a symbol.
func isWordChar(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// forget erases the route to the reporter of the tip with this receipt.
func forget(ctx context.Context, c *Context) error {
	code, ok := c.mux.receiptFirst(ctx, c.Request.Args)
	if !ok {
		return c.Say(ctx, "forget_usage", nil)
	}
	t, err := c.mux.store.TipByReceipt(ctx, code)
	if errors.Is(err, storage.ErrNotFound) && c.mux.spool != nil && c.mux.spool.HoldsReceipt(code) {
		// Not in Redis yet: nothing to forget until the replay, after
		// which questions could be sent. Said plainly, not "no tip".
		return c.Say(ctx, "forget_spooled", nil)
	}
	if errors.Is(err, storage.ErrNotFound) {
		// A receipt given in an outage for a message the replay kept as
		// no tip of its own: said so, not "no tip matches" (the reporter
		// told "send /forget again in a few minutes" before the replay
		// would think their tip lost).
		switch c.mux.receiptNoTip(ctx, code) {
		case storage.NoTipSent:
			return c.Say(ctx, "forget_no_tip_sent", nil) // kept once, in a tip sent already, forgotten by its own receipt
		case storage.NoTipAnswer:
			return c.Say(ctx, "forget_no_tip_answer", nil) // an answer delivered already: no tip of its own to forget
		case storage.NoTipTeam:
			return c.Say(ctx, "forget_no_tip_team", nil) // a team member's message, in their draft: no tip to forget
		case storage.NoTipCodes, storage.NoTipBlank:
			return c.Say(ctx, "forget_no_tip", nil)
		}
		return c.Say(ctx, "status_unknown", map[string]any{"Period": c.mux.spanIn(c.Lang, c.mux.retention)})
	}
	if err != nil {
		return err
	}
	if t.Warning {
		return c.Say(ctx, "forget_warning", nil)
	}
	if err := c.mux.unreadableAlerts(c.mux.store.Forget(ctx, t.ID)); err != nil {
		return err
	}
	if err := c.mux.forgetClientLanguage(ctx, c.Pseudonym); err != nil {
		c.mux.log.Warn("client language not forgotten", "platform", c.Request.Platform, "error", err.Error())
	}
	// A message held for the reporter's choice between an answer to one
	// of those questions and a new tip (holdReply) goes with them: the
	// reminder would ask again about the tip they cut themselves off
	// from, and "it is my answer" could no longer be. Deleted, it is not
	// sent; they are told so, and may send it again as a new tip.
	var dropped *held
	read := false
	if err := c.mux.updateAnswering(ctx, c.Pseudonym, func(a *answering) {
		read = true
		a.drop(func(q question) bool { return q.Tip == t.ID })
		for e, q := range a.Events {
			if q.Tip == t.ID {
				// Kept without naming the tip: the message delivered again
				// goes nowhere, not to a question pressed for since.
				a.Events[e] = question{Until: q.Until}
			}
		}
		dropped = nil
		if a.Held != nil && a.Held.Q.Tip == t.ID {
			dropped, a.Held = a.Held, nil
		}
	}); err != nil {
		// The tip is forgotten, its marks are not changed: a message held
		// for one of its questions may still be there (found, and its
		// deletion not written; or the marks not read). It is not said to
		// be deleted: the reporter is told it may not be, and to send
		// /forget again, which deletes it. Meanwhile it goes nowhere, and
		// keeps its entry in the sweep's schedule (told of at its end).
		c.mux.log.Warn("held message of a forgotten tip not deleted", "error", err.Error())
		if read && dropped == nil {
			return c.Say(ctx, "forget_done", nil) // (none was held for it)
		}
		return c.Reply(ctx, Reply{Text: c.T("forget_done", nil) + "\n\n" + c.T("forget_held_unknown", nil)})
	}
	if dropped == nil {
		return c.Say(ctx, "forget_done", nil)
	}
	if dropped.ID != "" {
		// (Else the sweep finds no such message and drops the entry.)
		if err := c.mux.store.UnscheduleHeld(ctx, storage.HeldRef{Pseudonym: c.Pseudonym, ID: dropped.ID}); err != nil {
			c.mux.log.Warn("held message's schedule not tidied", "error", err.Error())
		}
	}
	return c.Reply(ctx, Reply{Text: c.T("forget_done", nil) + "\n\n" + c.T("forget_held_dropped", nil)})
}

// followUpButton toggles whether the reporter allows questions. Data no
// such button carries (a value but 0 or 1, a draft id no draft has the
// shape of) is forged: answered so, and nothing changes.
func (m *Mux) followUpButton(ctx context.Context, c *Context, data string) error {
	draftID, v, _ := strings.Cut(strings.TrimPrefix(data, cbFollowUp), ":")
	if (v != "0" && v != "1") || !draftIDShaped(draftID) {
		return c.forgedButton(ctx)
	}
	allow := v == "1"
	err := m.store.SetDraftFollowUp(ctx, c.Pseudonym, draftID, allow)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, c.whereToWrite("draft_stale"), nil)
	}
	if err != nil {
		return err
	}
	msg := "followup_off"
	if allow {
		msg = "followup_on"
	}
	return c.Reply(ctx, Reply{Text: c.T(msg, nil), Buttons: c.categoryButtons(storage.Draft{ID: draftID, FollowUp: allow})})
}

// draftIDShaped reports whether s has the shape of a draft's id as the
// store makes them: 16 lowercase hexadecimal digits.
func draftIDShaped(s string) bool {
	return len(s) == 16 && strings.Trim(s, "0123456789abcdef") == ""
}

// openQuestions is the text of every open question of tip id, oldest
// first; an error if they cannot be read (storage.ErrNotFound: the tip is
// gone). Given answerable, only those whose reply window has not ended
// (none, maybe): what its reporter can still answer.
func (c *Context) openQuestions(ctx context.Context, id string, answerable bool) ([]string, error) {
	open, err := c.mux.store.OpenQuestions(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, q := range open {
		if !answerable || c.mux.answerable(q) {
			out = append(out, q.Text)
		}
	}
	return out, nil
}
