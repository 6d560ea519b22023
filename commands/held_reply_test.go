package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// unlinkedQuestion is a team where Ana asked tip 1's reporter "¿Qué día?"
// and the platform's answer was lost (a timeout): the question is in the
// reporter's chat, as message m1, but the bot does not know its id.
func unlinkedQuestion(t *testing.T) *team {
	t.Helper()
	tm, _ := questioned(t)
	tm.mux.AddSender("telegram", &lostAnswerSender{recorder: tm.sent, chat: reporterID})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué día?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_unknown", map[string]any{"ID": "1"}) {
		t.Fatalf("/ask whose delivery is unknown: %q", texts(r))
	}
	tm.mux.AddSender("telegram", tm.sent)
	tm.notices(reporterID)
	tm.notices("2002")
	return tm
}

// A swipe-reply to a question whose message id the bot never learned
// (its delivery timed out) cannot be linked to it: it could be the
// answer, or a reply to any other message of the bot's. It is neither
// delivered as the answer (it might be someone else's words for another
// purpose) nor kept as a new tip (it might be the answer, which would
// then never reach the asker): it is held, and the reporter asked, with
// a button for each, whether it answers that question. "Yes" delivers it
// to the asker.
func TestSwipeReplyToUnlinkedQuestionAsksWhichItIs(t *testing.T) {
	tm := unlinkedQuestion(t)
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 9101})
	if len(r) != 1 || !strings.Contains(r[0].Text, "¿Qué día?") || press(r, "ansh:1") == "" || press(r, "ansh:0") == "" || press(r, "send:") != "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q %+v", texts(r), r)
	}
	if a := tm.notices("2002"); len(a) != 0 {
		t.Fatalf("Ana was told %q before the reporter chose", a)
	}
	if open, err := tm.store.OpenQuestions(context.Background(), "1"); err != nil || len(open) != 1 {
		t.Fatalf("open questions before the choice: %d %v", len(open), err)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); !tm.answered(r) {
		t.Fatalf("'it is my answer': %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 1 || a[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", a)
	}
	// Chosen once: a second press changes nothing.
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
		t.Fatalf("a second press: %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 0 {
		t.Fatalf("Ana was told again: %q", a)
	}
}

// "No, it is a new tip" keeps the held message as a tip's part, as it
// would have been without the question: nothing reaches the asker, the
// question stays open.
func TestHeldReplyChosenAsANewTip(t *testing.T) {
	tm := unlinkedQuestion(t)
	for range 2 { // (the second: the platform delivering it again before the choice)
		if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega", ReplyToBot: true, ReplyToID: "m1", EventID: 9201}); press(r, "ansh:0") == "" || press(r, "send:") != "" {
			t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
		}
	}
	r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"})
	draft := press(r, "send:")
	if !tm.drafted(r, "") || draft == "" {
		t.Fatalf("'it is a new tip': %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 0 {
		t.Fatalf("Ana was told %q", a)
	}
	if open, err := tm.store.OpenQuestions(context.Background(), "1"); err != nil || len(open) != 1 {
		t.Fatalf("open questions: %d %v, want the question still open", len(open), err)
	}
	r = tm.as(reporterID, "Rosa", commands.Request{Callback: draft})
	code := codeRE.FindString(r[0].Text)
	if code == "" {
		t.Fatalf("the new tip sent: %q", texts(r))
	}
	tip, err := tm.store.TipByReceipt(context.Background(), code)
	if err != nil || strings.Count(tip.Content.Text(), "hay armas en la bodega") != 1 {
		t.Fatalf("the new tip holds %q (%v)", tip.Content.Text(), err)
	}
	// The platform delivering the held message again makes no second copy.
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega", ReplyToBot: true, ReplyToID: "m1", EventID: 9201}); press(r, "send:") != "" || press(r, "ansh:") != "" {
		t.Fatalf("the held message delivered again: %q", texts(r))
	}
}

// A reply to a message of the bot's that cannot be linked, with no
// unlinked question open (every question's message known), goes on as a
// tip, as before: only a question whose message is unknown is asked about.
func TestReplyToOtherMessageWithLinkedQuestionsIsATip(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?") // m1, linked
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa", ReplyToBot: true, ReplyToID: "m77"})
	if press(r, "ansh:") != "" || press(r, "send:") == "" {
		t.Fatalf("a reply to another message: %q", texts(r))
	}
}

// A reply too long to go as an answer or as a tip's part is refused at
// once, as it would be otherwise: not held, to be refused only after the
// reporter chose.
func TestTooLongReplyIsNotHeld(t *testing.T) {
	tm := unlinkedQuestion(t)
	max := commands.DefaultLimits.MaxMessageRunes
	r := tm.as(reporterID, "Rosa", commands.Request{Text: strings.Repeat("b", max+1), ReplyToBot: true, ReplyToID: "m1"})
	if len(r) != 1 || r[0].Text != tm.text("en", "message_too_long", map[string]any{"Max": max}) {
		t.Fatalf("a reply too long: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "held_none", nil) {
		t.Fatalf("a press after it: %q", texts(r))
	}
}

// A held message chosen as the answer whose receipt-code lookup then
// fails is not delivered uncut (as any answer), and stays held: the
// reporter is told it was not saved, presses again, and it goes, the
// code cut.
func TestHeldAnswerStaysHeldWhenItsCodeLookupFails(t *testing.T) {
	tm, receipt := questioned(t)
	tm.mux.AddSender("telegram", &lostAnswerSender{recorder: tm.sent, chat: reporterID})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_unknown", map[string]any{"ID": "1"}) {
		t.Fatalf("/ask whose delivery is unknown: %q", texts(r))
	}
	failing := failingLookups(tm)
	tm.notices("2002")
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "mi código es " + receipt + ", en la esquina", ReplyToBot: true, ReplyToID: "m1"}); press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	failing.armed.Store(true)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); len(r) != 1 || r[0].Text != tm.text("en", "error_storage", nil) || failing.armed.Load() {
		t.Fatalf("'it is my answer' with the lookup failing: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told %q", n)
	}
	r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"})
	if len(r) != 2 || !tm.answered(r[1:]) {
		t.Fatalf("pressed again: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || strings.Contains(a[0], receipt) || !strings.Contains(a[0], "en la esquina") {
		t.Fatalf("answers kept: %q", a)
	}
}

// A held message chosen as a new tip whose receipt-code lookup then
// fails is not kept uncut (no spool to take it): the reporter is told it
// was NOT saved, and it stays held, as after "Yes": pressed again, it is
// kept, the code cut, not gone for them to type again.
func TestHeldTipStaysHeldWhenItsCodeLookupFails(t *testing.T) {
	tm, receipt := questioned(t)
	tm.mux.AddSender("telegram", &lostAnswerSender{recorder: tm.sent, chat: reporterID})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_unknown", map[string]any{"ID": "1"}) {
		t.Fatalf("/ask whose delivery is unknown: %q", texts(r))
	}
	failing := failingLookups(tm)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "mi código es " + receipt + ", y hay armas en la bodega", ReplyToBot: true, ReplyToID: "m1"}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	failing.armed.Store(true)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", "error_storage", nil) || failing.armed.Load() {
		t.Fatalf("'it is a new tip' with the lookup failing: %q", texts(r))
	}
	r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"})
	if press(r, "send:") == "" || !strings.Contains(texts(r)[0], tm.text("en", "receipt_text_dropped", nil)) {
		t.Fatalf("pressed again: %q", texts(r))
	}
	if got := tm.sentTip(t, r); strings.Contains(got, receipt) || !strings.Contains(got, "hay armas en la bodega") {
		t.Fatalf("the tip sent holds %q", got)
	}
}

// A held message chosen as a new tip while the open draft is full is
// not added (draft_full: send it or cancel it first), and stays held:
// once the draft is sent, pressing again starts a new one with it.
func TestHeldTipStaysHeldWhileTheDraftIsFull(t *testing.T) {
	tm := unlinkedQuestion(t)
	var r []commands.Reply
	for range 5 { // 5 × 4,000 characters: a tip's 20,000
		r = tm.as(reporterID, "Rosa", commands.Request{Text: strings.Repeat("a", 4000)})
	}
	full := press(r, "send:")
	if full == "" {
		t.Fatalf("the draft filled: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega", ReplyToBot: true, ReplyToID: "m1", EventID: 9301}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.text("en", "draft_full", map[string]any{"Parts": "30 messages", "Chars": "20000 characters"})) {
		t.Fatalf("'it is a new tip' with the draft full: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: full}); codeRE.FindString(r[0].Text) == "" {
		t.Fatalf("the full draft sent: %q", texts(r))
	}
	r = tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"})
	if !tm.drafted(r, "") {
		t.Fatalf("pressed again once the draft was sent: %q", texts(r))
	}
	if got := tm.sentTip(t, r); got != "Otra cosa: hay armas en la bodega" {
		t.Fatalf("the new tip holds %q", got)
	}
}

// A reply held as its question's reply window ends is kept for a window
// of its own, as the reporter was told ("until you choose"), not let go
// minutes later: chosen a day after, it still answers (the question is
// open: its Answer button still works too).
func TestHeldReplyOutlivesItsQuestionsWindow(t *testing.T) {
	tm := unlinkedQuestion(t)
	tm.clk.Add(7*24*time.Hour - time.Hour) // an hour before the question's window ends
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 9401}); press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	tm.clk.Add(24 * time.Hour)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:1"}); !tm.answered(r) {
		t.Fatalf("'it is my answer', a day later: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || !strings.Contains(a[0], "El lunes") {
		t.Fatalf("answers kept: %q", a)
	}
}

// sentTip sends the draft whose buttons r shows and returns the tip's text.
func (tm *team) sentTip(t *testing.T, r []commands.Reply) string {
	t.Helper()
	r = tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "send:")})
	code := codeRE.FindString(r[0].Text)
	if code == "" {
		t.Fatalf("the draft sent: %q", texts(r))
	}
	tip, err := tm.store.TipByReceipt(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return tip.Content.Text()
}
