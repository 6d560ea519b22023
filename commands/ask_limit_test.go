package commands_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A tip's reporter is asked at most storage.MaxOpenQuestions questions
// they have not answered, and at most storage.MaxQuestionsPerDay in 24
// hours, whoever asks: a rogue investigator, or a stolen unlocked phone,
// cannot fill with questions a chat the reporter may keep clear for
// their safety. The investigator is told why, in their language; the
// refusal is in the audit log; nothing reaches the reporter.
func TestQuestionsToOneReporterHaveALimit(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?", "¿Dónde?") // m1, m2, m3
	tm.join("2003", "Beto")
	ctx := context.Background()
	toReporter := func() int {
		tm.sent.mu.Lock()
		defer tm.sent.mu.Unlock()
		return len(tm.sent.sent[reporterID])
	}
	before := toReporter()

	// A fourth while three are unanswered, by another investigator too.
	wantOpen := tm.text("en", "ask_open_limit", map[string]any{"ID": "1", "Max": storage.MaxOpenQuestions})
	if r := tm.as("2003", "Beto", commands.Request{Command: "ask", Args: "1 ¿Cuántos?"}); len(r) != 1 || r[0].Text != wantOpen {
		t.Fatalf("a fourth unanswered question: %q, want %q", texts(r), wantOpen)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuántos?", Language: "es"}); len(r) != 1 || r[0].Text != tm.text("es", "ask_open_limit", map[string]any{"ID": "1", "Max": storage.MaxOpenQuestions}) {
		t.Fatalf("a fourth unanswered question, in Spanish: %q", texts(r))
	}
	if n := toReporter(); n != before {
		t.Fatalf("the reporter got %d questions past the limit", n-before)
	}
	entries, err := tm.store.AuditLog(ctx, 1)
	if err != nil || len(entries) != 1 || entries[0].Action != "ask" || entries[0].Args != "1" || entries[0].Note != storage.NoteAskOpen || entries[0].Max != storage.MaxOpenQuestions || !strings.Contains(entries[0].Who, "2002") {
		t.Fatalf("the refusal in the audit log: %+v %v", entries, err)
	}

	// Answered, one more can be asked; and so on, up to the day's limit.
	asked := 3
	for msg := 1; asked < storage.MaxQuestionsPerDay; msg++ {
		if r := tm.reply("m"+strconv.Itoa(msg), "Respuesta"); !tm.answered(r) {
			t.Fatalf("answer to m%d: %q", msg, texts(r))
		}
		if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Y luego?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
			t.Fatalf("question %d, one answered: %q", asked+1, texts(r))
		}
		asked++
	}
	tm.reply("m"+strconv.Itoa(asked-2), "Respuesta")
	before = toReporter()
	wantDay := tm.text("en", "ask_day_limit", map[string]any{"ID": "1", "Max": storage.MaxQuestionsPerDay})
	if r := tm.as("2003", "Beto", commands.Request{Command: "ask", Args: "1 ¿Algo más?"}); len(r) != 1 || r[0].Text != wantDay {
		t.Fatalf("question %d in a day: %q, want %q", asked+1, texts(r), wantDay)
	}
	if n := toReporter(); n != before {
		t.Fatalf("the reporter got %d questions past the day's limit", n-before)
	}
	if entries, err := tm.store.AuditLog(ctx, 1); err != nil || len(entries) != 1 || entries[0].Args != "1" || entries[0].Note != storage.NoteAskDay || entries[0].Max != storage.MaxQuestionsPerDay {
		t.Fatalf("the day's refusal in the audit log: %+v %v", entries, err)
	}

	// A day after the first, one can be asked again.
	tm.clk.Add(24 * time.Hour)
	if r := tm.as("2003", "Beto", commands.Request{Command: "ask", Args: "1 ¿Algo más?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("a day later: %q", texts(r))
	}
}

// Two investigators asking a tip's reporter at the same moment cannot
// both pass the limit of unanswered questions: a question holds its place
// among them from when it is numbered, before it is delivered. Here Beto
// asks while Ana's third question is on its way to the reporter.
func TestSimultaneousQuestionsKeepTheOpenLimit(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?") // m1, m2
	tm.join("2003", "Beto")
	hs := tm.hooked()
	var beto []commands.Reply
	hs.before[reporterID] = func() {
		beto = tm.as("2003", "Beto", commands.Request{Command: "ask", Args: "1 ¿Cuántos?"})
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("Ana's third question: %q", texts(r))
	}
	want := tm.text("en", "ask_open_limit", map[string]any{"ID": "1", "Max": storage.MaxOpenQuestions})
	if len(beto) != 1 || beto[0].Text != want {
		t.Fatalf("Beto's question, asked while Ana's third was on its way: %q, want %q", texts(beto), want)
	}
	if open, err := tm.store.OpenQuestions(context.Background(), "1"); err != nil || len(open) != storage.MaxOpenQuestions {
		t.Fatalf("open questions: %d %v, want %d", len(open), err, storage.MaxOpenQuestions)
	}
	if n := len(tm.notices(reporterID)); n != storage.MaxOpenQuestions {
		t.Fatalf("the reporter got %d questions, want %d", n, storage.MaxOpenQuestions)
	}
}

// refusingSender refuses every message to one chat.
type refusingSender struct {
	*recorder
	chat string
}

func (s *refusingSender) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if chat == s.chat {
		return nil, commands.ErrRefused
	}
	return s.recorder.Send(ctx, chat, r)
}

// A question that did not reach the reporter holds no place among their
// unanswered questions.
func TestUndeliveredQuestionIsNotOpen(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?") // m1, m2
	tm.mux.AddSender("telegram", &refusingSender{recorder: tm.sent, chat: reporterID})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_refused", map[string]any{"ID": "1"}) {
		t.Fatalf("a question the platform refused: %q", texts(r))
	}
	tm.mux.AddSender("telegram", tm.sent)
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("the third question, the refused one not counted: %q", texts(r))
	}
}

// Unanswered questions stop counting toward the limit when the
// reporter's reply window ends: a reporter who did not answer in time
// does not stop every question after it until the tip expires.
func TestUnansweredQuestionsStopCountingWhenTheReplyWindowEnds(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?", "¿Dónde?")
	want := tm.text("en", "ask_open_limit", map[string]any{"ID": "1", "Max": storage.MaxOpenQuestions})
	tm.clk.Add(7*24*time.Hour - time.Minute) // (the team's reply window: 7 days)
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuántos?"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("a fourth within the reply window: %q, want %q", texts(r), want)
	}
	tm.clk.Add(time.Minute)
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuántos?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("a fourth once the reply window of the three ended: %q", texts(r))
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Y luego?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("a fifth: %q", texts(r))
	}
}

// lostAnswerSender delivers every message but, for one chat, loses the
// platform's answer: the outcome looks unknown (a timeout), as the
// adapters report one.
type lostAnswerSender struct {
	*recorder
	chat string
}

func (s *lostAnswerSender) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if _, err := s.recorder.Send(ctx, chat, r); err != nil || chat != s.chat {
		return nil, err
	}
	return nil, errors.New("telegram sendMessage: context deadline exceeded")
}

// A question whose delivery has an unknown outcome (a timeout: it may
// well be in the reporter's chat) keeps its place among the unanswered
// questions for a while: only one the platform refused is given back.
func TestQuestionOfUnknownOutcomeKeepsItsPlace(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?") // m1, m2
	tm.join("2003", "Beto")
	tm.mux.AddSender("telegram", &lostAnswerSender{recorder: tm.sent, chat: reporterID})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) == 1 && r[0].Text == tm.text("en", "ask_sent", nil) {
		t.Fatalf("a question whose delivery is unknown, said sent: %q", texts(r))
	}
	tm.mux.AddSender("telegram", tm.sent)
	want := tm.text("en", "ask_open_limit", map[string]any{"ID": "1", "Max": storage.MaxOpenQuestions})
	if r := tm.as("2003", "Beto", commands.Request{Command: "ask", Args: "1 ¿Cuántos?"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("a fourth, the third maybe delivered: %q, want %q", texts(r), want)
	}
	if n := len(tm.notices(reporterID)); n != storage.MaxOpenQuestions {
		t.Fatalf("the reporter got %d questions, want %d", n, storage.MaxOpenQuestions)
	}
}

// A question that could not reach the reporter because their chat is
// gone for the bot (blocked, deleted) holds no place among their
// unanswered questions either.
func TestQuestionToAGoneChatIsNotOpen(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?") // m1, m2
	tm.mux.AddSender("telegram", goneSender{tm.sent})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_gone", map[string]any{"ID": "1"}) {
		t.Fatalf("a question to a chat gone: %q", texts(r))
	}
	tm.mux.AddSender("telegram", tm.sent)
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("the third question, the one to a gone chat not counted: %q", texts(r))
	}
}

// A question whose delivery has an unknown outcome (a timeout) may well
// be in the reporter's chat: it is recorded as asked, so the reporter's
// /status lists it, and their answer, after its Answer button, reaches
// the asker instead of going as a new tip. The investigator is told that
// it may not have arrived, not that it was delivered.
func TestQuestionOfUnknownOutcomeIsAnswered(t *testing.T) {
	tm, receipt := questioned(t) // Ana claims tip 1
	tm.mux.AddSender("telegram", &lostAnswerSender{recorder: tm.sent, chat: reporterID})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué día?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_unknown", map[string]any{"ID": "1"}) {
		t.Fatalf("/ask whose delivery is unknown: %q", texts(r))
	}
	tm.mux.AddSender("telegram", tm.sent)
	if q := tm.notices(reporterID); len(q) != 1 || !strings.Contains(q[0], "¿Qué día?") {
		t.Fatalf("the reporter's chat got %q", q)
	}
	status := tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt})[0].Text
	if !strings.Contains(status, tm.text("en", "status_question", map[string]any{"Question": "¿Qué día?"})) {
		t.Fatalf("/status lacks the question:\n%s", status)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
		t.Fatalf("Answer pressed: %q", texts(r))
	}
	tm.notices("2002")
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes"}); !tm.answered(r) {
		t.Fatalf("the answer: %q", texts(r))
	}
	if a := tm.notices("2002"); len(a) != 1 || a[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", a)
	}
}

// A question refused at a limit leaves one line in the audit log, the
// refusal: the /ask was recorded before it ran, as a question whose text
// "is in the tip's history", which a refused one is not.
func TestRefusedAskIsAuditedOnce(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?", "¿Dónde?")
	ctx := context.Background()
	before, err := tm.store.AuditLog(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuántos?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_open_limit", map[string]any{"ID": "1", "Max": storage.MaxOpenQuestions}) {
		t.Fatalf("a fourth unanswered question: %q", texts(r))
	}
	after, err := tm.store.AuditLog(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 || after[0].Note != storage.NoteAskOpen || after[0].TextLength != 0 {
		t.Fatalf("the refused /ask left %d audit entries, want 1 (the refusal): %+v", len(after)-len(before), after[:len(after)-len(before)])
	}
	r := tm.as(adminID, "Ada", commands.Request{Command: "audit"})
	if len(r) != 1 {
		t.Fatalf("/audit: %q", texts(r))
	}
	// The three asked are in the tip's history, the refused one is not.
	if n := strings.Count(r[0].Text, "tip's history"); n != 3 {
		t.Errorf("/audit says %d questions are in the tip's history, want 3:\n%s", n, r[0].Text)
	}
	// A question asked is recorded once too, with its length.
	if r := tm.reply("m1", "Respuesta"); !tm.answered(r) {
		t.Fatalf("answer to m1: %q", texts(r))
	}
	if after, err = tm.store.AuditLog(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuántos?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("a question, one answered: %q", texts(r))
	}
	last, err := tm.store.AuditLog(ctx, 1000)
	if err != nil || len(last) != len(after)+1 || last[0].Action != "ask" || last[0].Args != "1" || last[0].TextLength != len([]rune("¿Cuántos?")) || last[0].Note != "" {
		t.Fatalf("the question asked left %d audit entries, want 1: %+v %v", len(last)-len(after), last[:len(last)-len(after)], err)
	}
}

// auditCounter is a Replier that notes, as each answer is given, how many
// entries the audit log holds then.
type auditCounter struct {
	recorder
	store   *storage.Store
	atReply []int
}

func (a *auditCounter) Reply(ctx context.Context, r commands.Reply) error {
	entries, err := a.store.AuditLog(ctx, 1000)
	if err != nil {
		return err
	}
	a.atReply = append(a.atReply, len(entries))
	return a.recorder.Reply(ctx, r)
}

// An /ask that ends before its question is sent (a usage error, no such
// tip, a reporter who cannot be asked) has its audit entry written before
// the investigator reads the answer, as every team command's: the log's
// order is what happened.
func TestEarlyEndingAskIsAuditedBeforeItsAnswer(t *testing.T) {
	tm, _ := questioned(t)
	ctx := context.Background()
	for _, c := range []struct{ args, msg string }{
		{"1", "ask_usage"},
		{"99 ¿Qué día?", "tip_not_found"},
	} {
		before, err := tm.store.AuditLog(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		w := &auditCounter{store: tm.store}
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "2002", ChatID: "2002", UserChat: "2002", Name: "Ana",
			Command: "ask", Args: c.args, CommandAtStart: true, EventID: tm.event}, w)
		r := w.take()
		if len(r) != 1 || r[0].Text != tm.text("en", c.msg, map[string]any{"ID": "99"}) {
			t.Fatalf("/ask %s: %q, want %s", c.args, texts(r), c.msg)
		}
		if len(w.atReply) != 1 || w.atReply[0] != len(before)+1 {
			t.Errorf("/ask %s: the audit log held %v entries as it was answered, want %d (its entry written first)", c.args, w.atReply, len(before)+1)
		}
		if after, err := tm.store.AuditLog(ctx, 1000); err != nil || len(after) != len(before)+1 {
			t.Errorf("/ask %s left %d audit entries, want 1 (%v)", c.args, len(after)-len(before), err)
		}
	}
}
