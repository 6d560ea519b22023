package commands

import (
	"context"
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

// Answering marks: "reply:<tip>" after a question is delivered (a reply to
// the bot answers it), "next:<tip>" after the reporter pressed Answer (their
// next message answers it).
const (
	markReply = "reply:"
	markNext  = "next:"
)

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
	question = tips.Neutralize(question)
	if err := c.mux.store.Ask(ctx, id, c.claimer(), question); err != nil {
		return err
	}
	if reporter, err := c.mux.store.Reporter(ctx, id); err == nil {
		_ = c.mux.store.SetAnswering(ctx, reporter, markReply+id, c.mux.triage.AnswerWindow)
	}
	if lang == "" {
		lang = c.mux.lang
	}
	text := c.mux.msg.Localize(lang, "question_to_reporter", map[string]any{"Date": t.Created.UTC().Format("2006-01-02"), "Question": question})
	err = sender.Send(ctx, chat, Reply{Text: text, Buttons: [][]Button{{{Label: c.mux.msg.Localize(lang, "button_answer", nil), Data: cbAnswer + id}}}})
	if err != nil {
		return err
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
	if err := m.store.SetAnswering(ctx, c.Pseudonym, markNext+id, m.triage.AnswerWindow); err != nil {
		return err
	}
	return c.Say(ctx, "answer_prompt", nil)
}

// takeAnswer handles a private message that answers a question: after
// Answer was pressed, or as a reply to the question. It reports whether the
// message was an answer.
func (m *Mux) takeAnswer(ctx context.Context, c *Context) (bool, error) {
	mark, err := m.store.Answering(ctx, c.Pseudonym)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var id string
	switch {
	case strings.HasPrefix(mark, markNext):
		id = strings.TrimPrefix(mark, markNext)
	case strings.HasPrefix(mark, markReply) && c.Request.ReplyToBot:
		id = strings.TrimPrefix(mark, markReply)
	default:
		return false, nil
	}
	text := strings.TrimSpace(c.Request.Text)
	if text == "" {
		return true, c.Say(ctx, "unsupported_message", nil)
	}
	return true, m.deliverAnswer(ctx, c, id, text)
}

// deliverAnswer adds the reporter's answer to the tip and tells whoever
// works on it (the claiming investigator, else the investigator chats).
func (m *Mux) deliverAnswer(ctx context.Context, c *Context, id, text string) error {
	t, err := m.store.Tip(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && t.OpenQuestion == "") {
		_ = m.store.ClearAnswering(ctx, c.Pseudonym)
		return c.Say(ctx, "answer_none", nil)
	}
	if err != nil {
		return err
	}
	text = tips.Neutralize(text)
	if len([]rune(text)) > m.limits.MaxMessageRunes {
		return c.Say(ctx, "message_too_long", map[string]any{"Max": m.limits.MaxMessageRunes})
	}
	if err := m.store.Answer(ctx, id, text); err != nil {
		return err
	}
	_ = m.store.ClearAnswering(ctx, c.Pseudonym)
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
// when it cannot.
func (m *Mux) notify(ctx context.Context, route string, r Reply) {
	platform, chat, _ := strings.Cut(route, ":")
	s, ok := m.senders[platform]
	if !ok {
		return
	}
	if err := s.Send(ctx, chat, r); err != nil {
		m.log.Warn("notification not delivered", "platform", platform, "error", err.Error())
	}
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
		return c.mux.deliverAnswer(ctx, c, t.ID, strings.Join(words[n:], " "))
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
	_ = c.mux.store.ClearAnswering(ctx, c.Pseudonym)
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
