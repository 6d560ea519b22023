package commands

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// Callback prefixes of the follow-up flow: the reporter's opt-in toggle on
// a draft ("fu:<draft>:1") and the Answer button under a question
// ("ans:<tip>").
const (
	cbFollowUp = "fu:"
	cbAnswer   = "ans:"
)

// answering is what the engine remembers (sealed, per reporter) about
// open questions: which delivered question message belongs to which tip,
// so that a reply to that message answers that tip; and the tip whose
// Answer button was pressed last, so that the next message answers it.
type answering struct {
	Next    string            `json:"n,omitempty"`
	Replies map[string]string `json:"r,omitempty"` // question message id -> tip
}

func (m *Mux) loadAnswering(ctx context.Context, pseudonym string) (answering, error) {
	var a answering
	v, err := m.store.Answering(ctx, pseudonym)
	if errors.Is(err, storage.ErrNotFound) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	_ = json.Unmarshal([]byte(v), &a)
	return a, nil
}

func (m *Mux) saveAnswering(ctx context.Context, pseudonym string, a answering) error {
	if a.Next == "" && len(a.Replies) == 0 {
		return m.store.ClearAnswering(ctx, pseudonym)
	}
	b, _ := json.Marshal(a)
	return m.store.SetAnswering(ctx, pseudonym, string(b), m.triage.AnswerWindow)
}

// ask delivers an investigator's question to a tip's reporter, in the
// reporter's language, through the bot: the investigator never learns
// where it went, the reporter never learns who asked.
func ask(ctx context.Context, c *Context) error {
	idArg, question, _ := strings.Cut(strings.TrimSpace(c.Request.Args), " ")
	id, ok := parseTipID(idArg)
	question = strings.TrimSpace(question)
	if !ok || question == "" || len([]rune(question)) > maxNote {
		return c.Say(ctx, "ask_usage", nil)
	}
	t, err := c.mux.store.Tip(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	route, lang, err := c.mux.store.ReporterRoute(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "ask_not_allowed", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	platform, chat, _ := strings.Cut(route, ":")
	sender, ok := c.mux.senders[platform]
	if !ok {
		return c.Say(ctx, "ask_not_allowed", map[string]any{"ID": id})
	}
	// Defanged: a link in a question could reveal the reporter's address
	// to whoever runs the linked site.
	question = safe(question)
	if lang == "" {
		lang = c.mux.lang
	}
	text := c.mux.msg.Localize(lang, "question_to_reporter", map[string]any{"Date": t.Created.UTC().Format("2006-01-02"), "Question": question})
	msgID, err := sender.Send(ctx, chat, Reply{Text: text, Buttons: [][]Button{{{Label: c.mux.msg.Localize(lang, "button_answer", nil), Data: cbAnswer + id}}}})
	if err != nil {
		return err
	}
	if err := c.mux.store.Ask(ctx, id, c.claimer(), question); err != nil {
		return err
	}
	_ = c.mux.store.TouchClaim(ctx, id, c.Pseudonym) // waiting for the answer is work too
	if reporter, err := c.mux.store.Reporter(ctx, id); err == nil && msgID != "" {
		a, err := c.mux.loadAnswering(ctx, reporter)
		if err == nil {
			if a.Replies == nil {
				a.Replies = map[string]string{}
			}
			a.Replies[msgID] = id
			_ = c.mux.saveAnswering(ctx, reporter, a)
		}
	}
	return c.Say(ctx, "ask_sent", nil)
}

// answerButton arms the reporter's next message as the answer, after
// checking that the tip is theirs (button data can be forged).
func (m *Mux) answerButton(ctx context.Context, c *Context, id string) error {
	if _, ok := parseTipID(id); !ok {
		return nil
	}
	if reporter, err := m.store.Reporter(ctx, id); err != nil || reporter != c.Pseudonym {
		return c.Say(ctx, "answer_none", nil)
	}
	a, err := m.loadAnswering(ctx, c.Pseudonym)
	if err != nil {
		return err
	}
	a.Next = id
	if err := m.saveAnswering(ctx, c.Pseudonym, a); err != nil {
		return err
	}
	return c.Say(ctx, "answer_prompt", nil)
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
	var id string
	switch {
	case c.Request.ReplyToBot && a.Replies[c.Request.ReplyToID] != "":
		id = a.Replies[c.Request.ReplyToID] // a reply to that very question
	case a.Next != "" && !c.Request.ReplyToBot:
		id = a.Next // the message after pressing Answer
	default:
		return false, nil
	}
	// Answers are text. A file (or place) sent as one is not dropped: it
	// is kept as part of a tip, with its caption, which also answers.
	withFile := c.Request.Attachment != nil || c.Request.FileData != nil || c.Request.Location != nil
	text := strings.TrimSpace(withLinks(c.Request.Text, c.Request.HiddenLinks))
	switch {
	case len([]rune(c.Request.Text)) > m.limits.MaxMessageRunes:
		// Refused before the question's marks are used up: the reporter
		// can send it again in parts.
		return true, c.Say(ctx, "message_too_long", map[string]any{"Max": m.limits.MaxMessageRunes})
	case text == "" && withFile:
		c.fileNotAnswer = true
		return false, nil
	case text == "" && c.Request.FileLost:
		return true, c.Say(ctx, "file_not_received", nil)
	case text == "":
		return true, c.Say(ctx, "unsupported_message", nil)
	}
	// Whatever happens, this question's marks are used up.
	a.Next = ""
	for msg, tip := range a.Replies {
		if tip == id {
			delete(a.Replies, msg)
		}
	}
	if err := m.saveAnswering(ctx, c.Pseudonym, a); err != nil {
		return true, err
	}
	if err := m.deliverAnswer(ctx, c, id, strings.TrimSpace(c.Request.Text), c.Request.HiddenLinks); err != nil {
		return true, err
	}
	if withFile {
		c.fileNotAnswer = true
		return false, nil
	}
	if c.Request.FileLost {
		return true, c.Say(ctx, "file_not_received", nil)
	}
	return true, nil
}

// deliverAnswer adds the reporter's answer to the tip and tells whoever
// works on it (the claiming investigator, else the investigator chats).
// Links hidden behind its words (links) go with it, not counted against
// the limit on one message.
func (m *Mux) deliverAnswer(ctx context.Context, c *Context, id, text string, links []string) error {
	t, err := m.store.Tip(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && t.OpenQuestion == "") {
		return c.Say(ctx, "answer_none", nil)
	}
	if err != nil {
		return err
	}
	if len([]rune(text)) > m.limits.MaxMessageRunes {
		return c.Say(ctx, "message_too_long", map[string]any{"Max": m.limits.MaxMessageRunes})
	}
	text = tips.Neutralize(strings.TrimSpace(withLinks(text, links)))
	if err := m.store.Answer(ctx, id, text); err != nil {
		return err
	}
	notice := m.msg.Localize(m.lang, "answer_notify", map[string]any{"ID": id, "Answer": safe(text)})
	if cl, err := m.store.ClaimerOf(ctx, id); err == nil {
		m.notify(ctx, cl.Route, Reply{Text: notice, Protected: true})
	} else {
		for chat := range m.invChats {
			m.notify(ctx, chat, Reply{Text: notice, Protected: true})
		}
	}
	return c.Say(ctx, "answer_done", nil)
}

// notify sends to a "platform:chat" route, logging (without the route)
// when it cannot; it reports whether the message went out.
func (m *Mux) notify(ctx context.Context, route string, r Reply) bool {
	platform, chat, _ := strings.Cut(route, ":")
	s, ok := m.senders[platform]
	if !ok {
		return false
	}
	if _, err := s.Send(ctx, chat, r); err != nil {
		m.metrics.SendFailed(platform)
		m.log.Warn("notification not delivered", "platform", platform, "error", err.Error())
		return false
	}
	return true
}

// replyCommand is /reply CODE answer, for clients where replying to the
// question is awkward.
func replyCommand(ctx context.Context, c *Context) error {
	words := strings.Fields(c.Request.Args)
	for n := 1; n <= 4 && n < len(words); n++ { // the code may be typed in 1 to 4 groups
		code, ok := tips.NormalizeReceipt(strings.Join(words[:n], ""))
		if !ok {
			continue
		}
		t, err := c.mux.store.TipByReceipt(ctx, code)
		if errors.Is(err, storage.ErrNotFound) {
			return c.Say(ctx, "status_unknown", map[string]any{"Days": int(c.mux.retention.Hours() / 24)})
		}
		if err != nil {
			return err
		}
		return c.mux.deliverAnswer(ctx, c, t.ID, strings.Join(words[n:], " "), c.Request.HiddenLinks)
	}
	return c.Say(ctx, "reply_usage", nil)
}

// forget erases the route to the reporter of the tip with this receipt.
func forget(ctx context.Context, c *Context) error {
	code, ok := tips.NormalizeReceipt(c.Request.Args)
	if !ok {
		return c.Say(ctx, "forget_usage", nil)
	}
	t, err := c.mux.store.TipByReceipt(ctx, code)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "status_unknown", map[string]any{"Days": int(c.mux.retention.Hours() / 24)})
	}
	if err != nil {
		return err
	}
	if err := c.mux.store.Forget(ctx, t.ID); err != nil {
		return err
	}
	if a, err := c.mux.loadAnswering(ctx, c.Pseudonym); err == nil {
		if a.Next == t.ID {
			a.Next = ""
		}
		for msg, tip := range a.Replies {
			if tip == t.ID {
				delete(a.Replies, msg)
			}
		}
		_ = c.mux.saveAnswering(ctx, c.Pseudonym, a)
	}
	return c.Say(ctx, "forget_done", nil)
}

// followUpButton toggles whether the reporter allows questions.
func (m *Mux) followUpButton(ctx context.Context, c *Context, data string) error {
	draftID, v, _ := strings.Cut(strings.TrimPrefix(data, cbFollowUp), ":")
	allow := v == "1"
	err := m.store.SetDraftFollowUp(ctx, c.Pseudonym, draftID, allow)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "draft_stale", nil)
	}
	if err != nil {
		return err
	}
	msg := "followup_off"
	if allow {
		msg = "followup_on"
	}
	return c.Reply(ctx, Reply{Text: c.T(msg, nil), Buttons: c.sendCancel(storage.Draft{ID: draftID, FollowUp: allow})})
}
