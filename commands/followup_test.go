package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// questioned is a team where investigator 2002 (Ana) claimed tip 1, whose
// reporter allowed questions, and asked its reporter each question in
// turn: the reporter receives them as messages m1, m2, … It returns the
// tip's receipt code.
func questioned(t *testing.T, questions ...string) (*team, string) {
	t.Helper()
	tm := newTeam(t)
	tm.join("2002", "Ana")
	receipt := tm.tipWithQuestions()
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	for _, q := range questions {
		if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 " + q}); r[0].Text != tm.text("en", "ask_sent", nil) {
			t.Fatalf("/ask 1 %s: %+v", q, r)
		}
	}
	return tm, receipt
}

// replyDelivers checks that /reply CODE+after, to a question asked of
// the tip, is an answer and tells the investigator want.
func replyDelivers(t *testing.T, question, after, want string) {
	t.Helper()
	tm, receipt := questioned(t, question)
	a := receipt + after
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
		t.Errorf("/reply %q: %q", a, texts(r))
		return
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", question, want) {
		t.Errorf("/reply %q: Ana was told %q, want %q", a, n, want)
	}
}

// replyIsUsage checks that /reply CODE+after is answered with the usage
// and tells the investigator nothing: the question stays open.
func replyIsUsage(t *testing.T, question, after string) {
	t.Helper()
	tm, receipt := questioned(t, question)
	a := receipt + after
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
		t.Errorf("/reply %q: %q, want the usage", a, texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Errorf("/reply %q: Ana was told %q", a, n)
	}
}

// join makes user an investigator by invitation.
func (tm *team) join(user, name string) {
	r := tm.as(adminID, "Admin", commands.Request{Command: "invite", Args: "investigator"})
	tm.as(user, name, commands.Request{Command: "redeem", Args: codeRE.FindString(r[0].Text)})
}

// tipWithQuestions sends a tip from the reporter, allowing questions, and
// returns its receipt code.
func (tm *team) tipWithQuestions() string {
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "Cobran piso en el mercado"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	tm.as(reporterID, "Rosa", commands.Request{Callback: "fu:" + draft + ":1"})
	r = tm.as(reporterID, "Rosa", commands.Request{Callback: "send:" + draft})
	return codeRE.FindString(r[0].Text)
}

// reply is the reporter's text replying to the bot's message msg.
func (tm *team) reply(msg, text string) []commands.Reply {
	return tm.as(reporterID, "Rosa", commands.Request{Text: text, ReplyToBot: true, ReplyToID: msg})
}

// notices returns the texts sent to chat, and forgets them.
func (tm *team) notices(chat string) []string {
	tm.sent.mu.Lock()
	defer tm.sent.mu.Unlock()
	var out []string
	for _, r := range tm.sent.sent[chat] {
		out = append(out, r.Text)
	}
	delete(tm.sent.sent, chat)
	return out
}

func (tm *team) notice(id, question, answer string) string {
	return tm.text("en", "answer_notify", map[string]any{"ID": id, "Question": quote(question), "Answer": quote(answer)})
}

// quote is text as investigators read it among the bot's lines: each of
// its lines behind commands.QuoteMark and a space (the mark alone if
// empty).
func quote(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(commands.QuoteMark + " " + l)
	}
	return strings.Join(lines, "\n")
}

func texts(r []commands.Reply) []string {
	var out []string
	for _, x := range r {
		out = append(out, x.Text)
	}
	return out
}

// answered reports whether r is the reporter being told their answer went.
func (tm *team) answered(r []commands.Reply) bool {
	return len(r) == 1 && r[0].Text == tm.text("en", "answer_done", nil)
}

// drafted reports whether r is the reporter being told, after note (if
// set), that their message is kept as a new tip.
func (tm *team) drafted(r []commands.Reply, note string) bool {
	if note != "" {
		if len(r) == 0 || r[0].Text != tm.text("en", note, nil) {
			return false
		}
		r = r[1:]
	}
	return len(r) == 1 && strings.HasPrefix(r[0].Text, tm.text("en", "draft_started", nil))
}

// tipAnswers returns the reporter's answers in a tip's history, as
// investigators see it.
func (tm *team) tipAnswers(id string) []string {
	tip, err := tm.store.Tip(context.Background(), id)
	if err != nil {
		tm.t.Fatal(err)
	}
	var out []string
	for _, e := range tip.History {
		if e.Kind == tips.EntryAnswer {
			out = append(out, e.Text)
		}
	}
	return out
}

// Two questions about one tip: a reply to each answers it, and the
// investigator who asked is told each answer with its question.
func TestEveryOpenQuestionIsAnswered(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?")
	tm.notices(reporterID)
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply to the first question: %q", texts(r))
	}
	if r := tm.reply("m2", "A las nueve"); !tm.answered(r) {
		t.Fatalf("reply to the second question: %q", texts(r))
	}
	got := tm.notices("2002")
	want := []string{tm.notice("1", "¿Qué día?", "El lunes"), tm.notice("1", "¿Qué hora?", "A las nueve")}
	if strings.Join(got, "\n--\n") != strings.Join(want, "\n--\n") {
		t.Fatalf("Ana was told:\n%s\nwant:\n%s", strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
	}
	if a := tm.tipAnswers("1"); strings.Join(a, "|") != "El lunes|A las nueve" {
		t.Fatalf("answers in the history: %q", a)
	}
	view := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"})[0].Text
	if strings.Contains(view, tm.text("en", "tip_open_question", map[string]any{"Question": quote("¿Qué hora?")})) {
		t.Fatalf("/tip 1 still shows an open question:\n%s", view)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"}); r[0].Text != tm.text("en", "draft_none", nil) {
		t.Fatalf("an answer started a draft: %q", texts(r))
	}
	if n := tm.notices(invChat); len(n) != 0 {
		t.Fatalf("the investigators' chat was told: %q", n)
	}
}

// A question is answered once: a second reply to it (after the first was
// taken, e.g. from a second device) does not reach the investigators as
// an answer, and is kept as a new tip instead of lost.
func TestAQuestionIsAnsweredOnce(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	ctx := context.Background()
	key := "w:{" + tm.store.Pseudonym("telegram", reporterID) + "}:answering"
	before, err := tm.srv.Client().Get(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("first reply: %q", texts(r))
	}
	// Plainly: the question's mark is used up, a second reply is a tip.
	if r := tm.reply("m1", "El martes"); !tm.drafted(r, "") {
		t.Fatalf("second reply: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"})
	// Racing: the second reply was read with the mark still there.
	tm.srv.Client().Set(ctx, key, before, time.Hour)
	if r := tm.reply("m1", "El miércoles"); !tm.drafted(r, "answer_not_open") {
		t.Fatalf("second reply, racing the first: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes" {
		t.Fatalf("answers in the history: %q", a)
	}
	if n := tm.notices("2002"); len(n) != 1 {
		t.Fatalf("Ana was told %d answers: %q", len(n), n)
	}
}

// An answer goes to the investigator who asked, while they are on the
// team, and to whoever claims the tip.
func TestAnswerGoesToWhoAsked(t *testing.T) {
	tm, _ := questioned(t) // Ana claims tip 1
	tm.join("2003", "Beto")
	tm.as("2003", "Beto", commands.Request{Command: "ask", Args: "1 ¿Qué día?"})  // m1
	tm.as("2003", "Beto", commands.Request{Command: "ask", Args: "1 ¿Qué hora?"}) // m2
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply: %q", texts(r))
	}
	want := tm.notice("1", "¿Qué día?", "El lunes")
	if b, a := tm.notices("2003"), tm.notices("2002"); len(b) != 1 || b[0] != want || len(a) != 1 || a[0] != want {
		t.Fatalf("Beto (asked) was told %q, Ana (claims) %q", b, a)
	}
	// Revoked, Beto is told nothing more.
	tm.as(adminID, "Admin", commands.Request{Command: "revoke", Args: "telegram:2003"})
	if r := tm.reply("m2", "A las nueve"); !tm.answered(r) {
		t.Fatalf("reply: %q", texts(r))
	}
	if b, a := tm.notices("2003"), tm.notices("2002"); len(b) != 0 || len(a) != 1 {
		t.Fatalf("after the revocation Beto was told %q, Ana %q", b, a)
	}
}

// A closed tip still takes the answer to its question, and the asker is
// told; a reply to a question whose tip is gone (purged, or expired) is
// not lost: the reporter is told, and it is kept as a new tip.
func TestAnswersToClosedAndGoneTips(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?") // tip 1, m1
	ctx := context.Background()
	for _, id := range []string{"2", "3"} {
		tm.tipWithQuestions()
		tm.as("2002", "Ana", commands.Request{Command: "ask", Args: id + " ¿Dónde?"}) // m2, m3
	}
	tm.as("2002", "Ana", commands.Request{Command: "triage", Args: "1 verified"})
	tm.as(adminID, "Admin", commands.Request{Command: "purge", Args: "2"})
	tm.srv.Client().Del(ctx, "w:{tips}:tip:3") // what Redis does when its time is up

	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply about a closed tip: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", n)
	}
	if r := tm.reply("m2", "En la esquina"); !tm.drafted(r, "answer_not_open") {
		t.Fatalf("reply about a purged tip: %q", texts(r))
	}
	r := tm.reply("m3", "En el mercado")
	if len(r) != 2 || r[0].Text != tm.text("en", "answer_not_open", nil) || r[1].Text != tm.text("en", "draft_added", nil, 2) {
		t.Fatalf("reply about an expired tip: %q", texts(r))
	}
	d, err := tm.store.Draft(ctx, tm.store.Pseudonym("telegram", reporterID))
	if err != nil || d.Parts != 2 {
		t.Fatalf("the replies were not kept: %+v %v", d, err)
	}
	if n, g := tm.notices("2002"), tm.notices(invChat); len(n)+len(g) != 0 {
		t.Fatalf("investigators were told %q %q", n, g)
	}
}

// A photo replying to a question is kept as a tip, its caption answering
// that question; the other questions stay open.
func TestPhotoReplyToOneOfTwoQuestions(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Tiene una foto?")
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64))
	photo := func(msg, caption string) []commands.Reply {
		return tm.as(reporterID, "Rosa", commands.Request{Text: caption, FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}, ReplyToBot: true, ReplyToID: msg})
	}
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply: %q", texts(r))
	}
	r := photo("m2", "La camioneta")
	if len(r) != 2 || r[0].Text != tm.text("en", "answer_done", nil) || !strings.HasPrefix(r[1].Text, tm.text("en", "answer_file_as_tip", nil)) {
		t.Fatalf("photo with a caption: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 2 || n[1] != tm.notice("1", "¿Tiene una foto?", "La camioneta") {
		t.Fatalf("Ana was told %q", n)
	}
}

// Without Telegram's reply: a plain message is a tip, as ever; the Answer
// button under a question arms the next message as its answer; /reply
// CODE, which names the tip and not the question, answers the one open
// question, and with several open tells how to answer one. An Answer
// button from before questions were numbered is under none of these.
func TestAnsweringWithoutReplying(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?", "¿Qué hora?")
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa"}); !tm.drafted(r, "") {
		t.Fatalf("a plain message: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"})
	which := tm.text("en", "answer_which", nil)
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " El lunes"}); len(r) != 1 || r[0].Text != which {
		t.Fatalf("/reply with two questions open: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_none", nil) {
		t.Fatalf("an unnumbered Answer with two questions open: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 0 {
		t.Fatalf("answers recorded: %q", a)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
		t.Fatalf("Answer under the second question: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "A las nueve"}); !tm.answered(r) {
		t.Fatalf("the message after Answer: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_none", nil) {
		t.Fatalf("Answer under an answered question: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " El lunes"}); !tm.answered(r) {
		t.Fatalf("/reply with one question open: %q", texts(r))
	}
	want := []string{tm.notice("1", "¿Qué hora?", "A las nueve"), tm.notice("1", "¿Qué día?", "El lunes")}
	if n := tm.notices("2002"); strings.Join(n, "|") != strings.Join(want, "|") {
		t.Fatalf("Ana was told %q", n)
	}
	if r := tm.reply("m1", "El martes"); tm.answered(r) {
		t.Fatalf("a question answered with /reply was answered again: %q", texts(r))
	}
}

// Each question can be answered by replying for the answer window from
// when it was asked: a later question does not extend an earlier one's.
func TestEachQuestionHasItsOwnReplyWindow(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	tm.clk.Add(6 * 24 * time.Hour)
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué hora?"})
	tm.clk.Add(2 * 24 * time.Hour)
	if r := tm.reply("m1", "El lunes"); !tm.drafted(r, "") {
		t.Fatalf("reply to a question asked 8 days ago: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"})
	if r := tm.reply("m2", "A las nueve"); !tm.answered(r) {
		t.Fatalf("reply to a question asked 2 days ago: %q", texts(r))
	}
}

// Marks the engine kept before questions were numbered still answer the
// question they were for.
func TestMarksFromBeforeNumberedQuestions(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	ctx := context.Background()
	p := tm.store.Pseudonym("telegram", reporterID)
	// As the previous version left them: the question in "oq" alone, and
	// the reporter's marks naming the tip.
	tm.srv.Client().HDel(ctx, "w:{tips}:tip:1", "q:1", "qb:1")
	if err := tm.store.SetAnswering(ctx, p, `{"r":{"m1":"1"}}`, time.Hour); err != nil {
		t.Fatal(err)
	}
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana (claims) was told %q", n)
	}
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué hora?"})
	tm.srv.Client().HDel(ctx, "w:{tips}:tip:1", "q:2", "qb:2")
	if err := tm.store.SetAnswering(ctx, p, `{"n":"1"}`, time.Hour); err != nil {
		t.Fatal(err)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "A las nueve"}); !tm.answered(r) {
		t.Fatalf("message after Answer: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); strings.Join(a, "|") != "El lunes|A las nueve" {
		t.Fatalf("answers: %q", a)
	}
}

// racingStore is the team's store with something run right after a call
// returns, once: what another request did meanwhile.
type racingStore struct {
	commands.Store
	afterRoute, afterAsk func()
}

func (s *racingStore) ReporterRoute(ctx context.Context, id string) (string, string, error) {
	route, lang, err := s.Store.ReporterRoute(ctx, id)
	if f := s.afterRoute; f != nil {
		s.afterRoute = nil
		f()
	}
	return route, lang, err
}

func (s *racingStore) Ask(ctx context.Context, id string, n int, by storage.Claimer, question string) error {
	err := s.Store.Ask(ctx, id, n, by, question)
	if f := s.afterAsk; f != nil {
		s.afterAsk = nil
		f()
	}
	return err
}

// racing makes the team's engine use a racingStore, which it returns.
func (tm *team) racing() *racingStore {
	st := &racingStore{Store: tm.store}
	tm.mux = commands.New(commands.Options{
		Store: st, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en",
		Logger:            slog.New(slog.NewTextHandler(tm.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retention:         90 * 24 * time.Hour,
		Roles:             commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{invChat},
		Triage:            commands.Triage{ClaimTimeout: time.Hour, RemindAfter: 10 * time.Minute, UrgentAfter: 5 * time.Minute},
		PublishApprovals:  2,
	})
	tm.mux.AddSender("telegram", tm.sent)
	return st
}

// hookSender is the team's recorder with something run before a message
// goes to a chat, once; it can take back a message it sent.
type hookSender struct {
	*recorder
	before  map[string]func()
	deleted []string
}

func (tm *team) hooked() *hookSender {
	s := &hookSender{recorder: tm.sent, before: map[string]func(){}}
	tm.mux.AddSender("telegram", s)
	return s
}

func (s *hookSender) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if f := s.before[chat]; f != nil {
		delete(s.before, chat)
		f()
	}
	return s.recorder.Send(ctx, chat, r)
}

func (s *hookSender) DeleteMessage(_ context.Context, chat, msg string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleted = append(s.deleted, chat+"/"+msg)
	return nil
}

// A reporter who withdraws with /forget while an investigator's question
// is on its way is not asked it: it is refused before it is sent, or, if
// it was sent already, taken back and not recorded; either way the
// investigator is told the reporter cannot be asked, and no reply can
// answer it.
func TestAskRacingForget(t *testing.T) {
	ctx := context.Background()
	notAllowed := func(tm *team) string { return tm.text("en", "ask_not_allowed", map[string]any{"ID": "1"}) }
	check := func(tm *team, when string) {
		t.Helper()
		if open, err := tm.store.OpenQuestions(ctx, "1"); err != nil || len(open) != 0 {
			t.Fatalf("/forget %s: open questions %+v %v", when, open, err)
		}
		if v, err := tm.store.Answering(ctx, tm.store.Pseudonym("telegram", reporterID)); err == nil && strings.Contains(v, `"t":"1"`) {
			t.Fatalf("/forget %s: the reporter's marks name the question: %s", when, v)
		}
		if r := tm.reply("m1", "El lunes"); !tm.drafted(r, "") && !tm.drafted(r, "answer_not_open") {
			t.Fatalf("/forget %s: a reply to the question: %q", when, texts(r))
		}
		if n := tm.notices("2002"); len(n) != 0 {
			t.Fatalf("/forget %s: Ana was told %q", when, n)
		}
	}

	// After the route was read, before the question is numbered.
	tm, receipt := questioned(t)
	tm.racing().afterRoute = func() { tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt}) }
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué día?"}); len(r) != 1 || r[0].Text != notAllowed(tm) {
		t.Fatalf("/ask racing /forget: %q", texts(r))
	}
	if n := tm.notices(reporterID); len(n) != 0 {
		t.Fatalf("the reporter who withdrew was asked %q", n)
	}
	check(tm, "before numbering")

	// While the question is being sent: it is taken back.
	tm, receipt = questioned(t)
	hs := tm.hooked()
	hs.before[reporterID] = func() { tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt}) }
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué día?"}); len(r) != 1 || r[0].Text != notAllowed(tm) {
		t.Fatalf("/ask racing /forget: %q", texts(r))
	}
	if len(hs.deleted) != 1 || hs.deleted[0] != reporterID+"/m1" {
		t.Fatalf("the question sent was not taken back: %q", hs.deleted)
	}
	check(tm, "while sending")

	// After the question was recorded: /forget closed it, and the mark set
	// for it is not left behind.
	tm, receipt = questioned(t)
	tm.racing().afterAsk = func() { tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt}) }
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué día?"})
	check(tm, "after recording")
}

// Marks saved while an answer is being delivered (to each investigator in
// turn, over the network) are kept: a question asked meanwhile is answered
// by a reply to it, an Answer pressed meanwhile arms the next message, and
// the marks a /forget dropped meanwhile stay dropped.
func TestMarksSavedWhileAnAnswerIsDelivered(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?") // m1
	tm.join("2003", "Beto")
	hs := tm.hooked()
	// While Ana is told the answer to the first question, Beto asks.
	hs.before["2002"] = func() { tm.as("2003", "Beto", commands.Request{Command: "ask", Args: "1 ¿Qué hora?"}) } // m2
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply to the first question: %q", texts(r))
	}
	if r := tm.reply("m2", "A las nueve"); !tm.answered(r) {
		t.Fatalf("reply to the question asked meanwhile: %q", texts(r))
	}
	if n := tm.notices("2003"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué hora?", "A las nueve") {
		t.Fatalf("Beto was told %q", n)
	}

	// While Ana is told an answer, the reporter presses Answer under
	// another question (from a second device).
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Dónde?"})   // m3
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Quiénes?"}) // m4
	tm.notices("2002")
	hs.before["2002"] = func() { tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:4"}) }
	if r := tm.reply("m3", "En el mercado"); !tm.answered(r) {
		t.Fatalf("reply to the third question: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Dos hombres"}); !tm.answered(r) {
		t.Fatalf("the message after Answer pressed meanwhile: %q", texts(r))
	}
	want := []string{tm.notice("1", "¿Dónde?", "En el mercado"), tm.notice("1", "¿Quiénes?", "Dos hombres")}
	if n := tm.notices("2002"); strings.Join(n, "|") != strings.Join(want, "|") {
		t.Fatalf("Ana was told %q", n)
	}

	// While Ana is told an answer, the reporter withdraws: the marks of
	// the questions /forget closed are not brought back.
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuándo?"}) // m5
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cómo?"})   // m6
	hs.before["2002"] = func() { tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt}) }
	if r := tm.reply("m5", "Ayer"); !tm.answered(r) {
		t.Fatalf("reply to the fifth question: %q", texts(r))
	}
	if v, err := tm.store.Answering(context.Background(), tm.store.Pseudonym("telegram", reporterID)); err == nil && strings.Contains(v, `"t":"1"`) {
		t.Fatalf("marks after /forget: %s", v)
	}
}

// An Answer button from before questions were numbered ("ans:<tip>") is
// under the question asked then, question 0: it arms the next message as
// its answer while it is open, even with newer questions open; once it is
// answered, the button arms no other question (the reporter is told, and
// their next message is a new tip).
func TestAnswerButtonFromBeforeNumberedQuestions(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	ctx := context.Background()
	// As the previous version left it: the question in "oq" alone.
	tm.srv.Client().HDel(ctx, "w:{tips}:tip:1", "q:1", "qb:1")
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué hora?"}) // question 2
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
		t.Fatalf("the old Answer with its question open: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes"}); !tm.answered(r) {
		t.Fatalf("the message after the old Answer: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", n)
	}

	// Answered, its button is under a closed question, however many are
	// open now.
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_none", nil) {
		t.Fatalf("the old Answer once its question was answered: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El martes"}); !tm.drafted(r, "") {
		t.Fatalf("the message after it: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told %q", n)
	}
	if open, err := tm.store.OpenQuestions(ctx, "1"); err != nil || len(open) != 1 || open[0].N != 2 {
		t.Fatalf("open questions: %+v %v", open, err)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 {
		t.Fatalf("answers: %q", a)
	}
}

// With two questions open, /tip shows both, and the reporter's /status
// lists both and says how to answer one (a /reply could not tell which);
// with one left, /status says to use /reply again.
func TestEveryOpenQuestionIsShown(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?", "¿Qué hora?")
	view := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"})[0].Text
	for _, q := range []string{"¿Qué día?", "¿Qué hora?"} {
		if !strings.Contains(view, tm.text("en", "tip_open_question", map[string]any{"Question": quote(q)})) {
			t.Fatalf("/tip 1 lacks the open question %q:\n%s", q, view)
		}
	}
	status := tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt})[0].Text
	if !strings.Contains(status, tm.text("en", "answer_which", nil)+"\n• ¿Qué día?\n• ¿Qué hora?") {
		t.Fatalf("/status with two open questions:\n%s", status)
	}
	tm.reply("m1", "El lunes")
	status = tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt})[0].Text
	if !strings.Contains(status, tm.text("en", "status_question", map[string]any{"Question": "¿Qué hora?"})) || strings.Contains(status, "¿Qué día?") {
		t.Fatalf("/status with one open question:\n%s", status)
	}
}

// The investigator who asked is told the answer in the language they read,
// not the bot's default.
func TestAnswerReachesTheAskerInTheirLanguage(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	tm.tipWithQuestions()
	tm.as("2002", "Ana", commands.Request{Command: "next", Language: "fr"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 À quelle heure ?", Language: "fr"}); r[0].Text != tm.text("fr", "ask_sent", nil) {
		t.Fatalf("/ask in French: %+v", r)
	}
	tm.notices(reporterID)
	if r := tm.reply("m1", "Vers 17h."); !tm.answered(r) {
		t.Fatalf("reply: %q", texts(r))
	}
	want := tm.text("fr", "answer_notify", map[string]any{"ID": "1", "Question": quote("À quelle heure ?"), "Answer": quote("Vers 17h.")})
	if got := tm.notices("2002"); len(got) != 1 || got[0] != want {
		t.Fatalf("Ana was told %q, want %q", got, want)
	}
}

// A platform that delivers an update again (a restart before it heard the
// update was handled) does not make the reporter's answer a new tip, nor
// send a question or add a note twice.
func TestRedeliveredAnswersQuestionsAndNotesAreDoneOnce(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	if q := tm.notices(reporterID); len(q) != 1 {
		t.Fatalf("question: %q", q)
	}
	answer := commands.Request{Text: "El lunes a las nueve", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}
	if r := tm.as(reporterID, "Rosa", answer); len(r) != 1 || r[0].Text != tm.text("en", "answer_done", nil) {
		t.Fatalf("answer: %+v", r)
	}
	if r := tm.as(reporterID, "Rosa", answer); len(r) > 1 || (len(r) == 1 && r[0].Text != tm.text("en", "answer_done", nil)) {
		t.Fatalf("the answer delivered again: %+v", r)
	}
	if _, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the answer delivered again started a draft: %v", err)
	}
	if n := tm.notices("2002"); len(n) != 1 {
		t.Fatalf("investigator told of %d answers: %q", len(n), n)
	}
	// Another message of the reporter's, not an answer: a draft as ever.
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa", EventID: 424243}); press(r, "send:") == "" {
		t.Fatalf("a new message: %+v", r)
	}

	ask := commands.Request{Command: "ask", Args: "1 ¿A qué hora?", EventID: 515151}
	for range 2 {
		if r := tm.as("2002", "Ana", ask); r[0].Text != tm.text("en", "ask_sent", nil) {
			t.Fatalf("/ask: %+v", r)
		}
	}
	if q := tm.notices(reporterID); len(q) != 1 {
		t.Fatalf("a question delivered twice was sent %d times", len(q))
	}
	note := commands.Request{Command: "note", Args: "1 llamar mañana", EventID: 616161}
	for range 2 {
		if r := tm.as("2002", "Ana", note); r[0].Text != tm.text("en", "note_done", map[string]any{"ID": "1"}) {
			t.Fatalf("/note: %+v", r)
		}
	}
	// The same words in a new message are a new note.
	tm.as("2002", "Ana", commands.Request{Command: "note", Args: "1 llamar mañana", EventID: 616162})
	history := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"})[0].Text
	if n := strings.Count(history, "llamar mañana"); n != 2 {
		t.Fatalf("%d notes in the history, want 2:\n%s", n, history)
	}
}

// A question reaches the reporter in the language they chose since their
// tip (/language), not the one they sent it in.
func TestQuestionInTheLanguageChosenSince(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	tm.tipWithQuestions() // in Spanish, the reporter's client language here
	tm.as(reporterID, "Rosa", commands.Request{Command: "language", Args: "fr"})
	tm.notices(reporterID)
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Viene solo?"}); r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("/ask: %+v", r)
	}
	tm.sent.mu.Lock()
	got := tm.sent.sent[reporterID]
	tm.sent.mu.Unlock()
	if len(got) != 1 || got[0].Buttons[0][0].Label != tm.text("fr", "button_answer", nil) {
		t.Fatalf("the question: %+v", got)
	}
}

// /reply keeps the answer as written: a list or an address over several
// lines reaches the investigator with its line breaks, whichever way the
// code was typed.
func TestReplyKeepsTheAnswersLines(t *testing.T) {
	tm, receipt := questioned(t, "¿Cuándo?")
	answer := "1. lunes\n2. martes\n\n3. placas ABC-123"
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: strings.ReplaceAll(receipt, "-", " ") + "\n" + answer}); !tm.answered(r) {
		t.Fatalf("/reply: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuándo?", answer) {
		t.Fatalf("Ana was told %q", n)
	}
}

// The Answer button arms the next message, and only that one: a reply to
// "write your answer now" is the answer (it was taken for a new tip, and
// the message meant for that tip went as the answer), a reply to a
// question answered already is not (it went, as "delivered", as another
// question's answer) and cancels the Answer, saying so; /cancel disarms
// it; and it lasts an hour, not the question's days, so a tip written
// later never goes as an old question's answer.
func TestArmedAnswerIsTheNextMessageOnly(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?", "¿Cuántos?")
	tm.notices(reporterID)
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("a reply to question 1: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:3"})
	if r := tm.reply("m99", "Tres"); !tm.answered(r) {
		t.Fatalf("a reply to the prompt after Answer: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"})
	r := tm.reply("m1", "Sobre el lunes: eran tres hombres")
	if len(r) != 2 || r[0].Text != tm.text("en", "answer_reply_not_taken", nil) || !tm.drafted(r[1:], "") {
		t.Fatalf("a reply to answered question 1 after Answer: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Y también venden droga en la esquina"}); len(r) == 0 || tm.answered(r) {
		t.Fatalf("the message after it: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"})
	if n := tm.notices("2002"); len(n) != 2 || n[0] != tm.notice("1", "¿Qué día?", "El lunes") || n[1] != tm.notice("1", "¿Cuántos?", "Tres") {
		t.Fatalf("Ana was told %q", n)
	}

	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_disarmed", nil) {
		t.Fatalf("/cancel after Answer: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra denuncia"}); !tm.drafted(r, "") {
		t.Fatalf("the message after /cancel: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"})

	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"})
	tm.clk.Add(61 * time.Minute)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Una denuncia nueva, días después"}); !tm.drafted(r, "") {
		t.Fatalf("a message an hour after Answer: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told %q", n)
	}
}

// A receipt code in a link's hidden address (a link shown as words) is
// cut as one in the text: from an answer, as from a tip.
func TestReceiptCodeInAHiddenLinkIsLeftOut(t *testing.T) {
	tm, receipt := questioned(t, "¿Dónde?", "¿Cuándo?")
	dropped := tm.text("en", "receipt_text_dropped", nil)
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "mira aquí", HiddenLinks: []string{"https://example.com/x?c=" + receipt, "https://example.org/mapa"}, ReplyToBot: true, ReplyToID: "m1"})
	if len(r) != 2 || r[0].Text != dropped || !tm.answered(r[1:]) {
		t.Fatalf("an answer with a code in a hidden link: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " otra", HiddenLinks: []string{"https://example.com/?" + receipt}})
	for _, n := range tm.notices("2002") {
		if strings.Contains(n, receipt) || strings.Contains(n, receipt[:9]) {
			t.Fatalf("Ana read the code: %q", n)
		}
	}
	if n := tm.tipAnswers("1"); len(n) != 2 || !strings.Contains(strings.Join(n, " "), "example.org/mapa") || strings.Contains(strings.Join(n, " "), receipt[:9]) {
		t.Fatalf("answers kept: %q", n)
	}
	r = tm.as(reporterID, "Rosa", commands.Request{Text: "el cobro se paga aquí", HiddenLinks: []string{"https://pago.example/" + receipt}})
	tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "send:")})
	if tip, err := tm.store.Tip(context.Background(), "2"); err != nil || strings.Contains(tip.Content.Text(), receipt) || !strings.Contains(tip.Content.Text(), "pago.example") {
		t.Fatalf("tip #2: %q (%v)", tip.Content.Text(), err)
	}
}

// A question to a reporter who blocked the bot is said so to the asker,
// not as a failure of ours ("something went wrong").
func TestQuestionToAnUnreachableReporter(t *testing.T) {
	tm, _ := questioned(t)
	tm.mux.AddSender("telegram", goneSender{tm.sent})
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué día?"}); len(r) != 1 || r[0].Text != tm.text("en", "ask_gone", map[string]any{"ID": "1"}) {
		t.Fatalf("/ask to a reporter who blocked the bot: %q", texts(r))
	}
}

// goneSender refuses every message to the reporter as a chat that is gone.
type goneSender struct{ *recorder }

func (g goneSender) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if chat == reporterID {
		return nil, fmt.Errorf("forbidden: %w", commands.ErrDestinationGone)
	}
	return g.recorder.Send(ctx, chat, r)
}

// A message delivered again by the platform (a restart before it heard the
// message was handled) after the reporter pressed Answer is not the
// answer: it was a tip's part, or another question's answer, and is
// handled as then; the next new message answers.
func TestRedeliveredMessageIsNotTheArmedAnswer(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?")
	tm.notices(reporterID)
	part := commands.Request{Text: "Venden en la esquina", EventID: 7001}
	if r := tm.as(reporterID, "Rosa", part); !tm.drafted(r, "") {
		t.Fatalf("a message: %q", texts(r))
	}
	answer := commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 7002}
	if r := tm.as(reporterID, "Rosa", answer); !tm.answered(r) {
		t.Fatalf("a reply to question 1: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"})
	if r := tm.as(reporterID, "Rosa", part); tm.answered(r) {
		t.Fatalf("event %d delivered again was taken as the answer: %q", part.EventID, texts(r))
	}
	// Question 1's answer delivered again is told as the first time
	// (answer_done), not taken for question 2's (below: Ana told once,
	// the next message answers question 2).
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", EventID: 7002}); !tm.answered(r) {
		t.Fatalf("event 7002 delivered again: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes") {
		t.Fatalf("Ana was told %q", n)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "A las nueve", EventID: 7003}); !tm.answered(r) {
		t.Fatalf("the next message after Answer: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); strings.Join(a, "|") != "El lunes|A las nueve" {
		t.Fatalf("answers in the history: %q", a)
	}
}

// A message spooled as a tip of its own (Redis was down) and delivered
// again by the platform after the reporter pressed Answer is the spooled
// tip, answered with its receipt, not also the answer.
func TestSpooledMessageDeliveredAgainIsNotTheArmedAnswer(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	code, err := sp.Append(storage.SpoolEntry{Pseudonym: tm.store.Pseudonym("telegram", reporterID), EventID: 7001, Part: tips.Part{Text: "Venden en la esquina"}})
	if err != nil {
		t.Fatal(err)
	}
	tm.mux = commands.New(commands.Options{Store: tm.store, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now, Spool: sp,
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour})
	tm.mux.AddSender("telegram", tm.sent)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "Venden en la esquina", EventID: 7001})
	if len(r) != 1 || r[0].Text != tm.text("en", "spool_received", map[string]any{"Receipt": code}) {
		t.Fatalf("the spooled message delivered again: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told %q", n)
	}
}

// The message after pressing Answer, written while Redis is down, is not
// spooled as a tip of its own (it would reach the queue as a new tip and
// the question stay open): the reporter is told it was NOT saved, and
// sent again once Redis is back it answers. Once answered, a message
// in the next outage is a tip again, spooled.
func TestArmedAnswerDuringAnOutageIsNotSpooledAsATip(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	if !tm.srv.Real {
		t.Skip("needs a real redis-server to stop and restart")
	}
	tm.notices(reporterID)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	tm.mux = commands.New(commands.Options{Store: tm.store, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now, Spool: sp,
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour})
	tm.mux.AddSender("telegram", tm.sent)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
		t.Fatalf("Answer: %q", texts(r))
	}
	ctx := context.Background()
	back := func() {
		tm.srv.Restart()
		for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
	}
	tm.srv.Stop()
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes a las nueve", EventID: 8001})
	if len(r) != 1 || r[0].Text != tm.text("en", "error_storage", nil) {
		t.Fatalf("the answer during the outage: %q", texts(r))
	}
	if sp.Len() != 0 {
		t.Fatalf("the answer was spooled as a tip (%d in the spool)", sp.Len())
	}
	// The report form (Discord's /report) is a tip by the reporter's own
	// choice, and its typed text cannot be given back: spooled, with its
	// receipt, not refused.
	r = tm.as(reporterID, "Rosa", commands.Request{FormID: "report", Form: map[string]string{"tip": "Venden armas en la bodega del muelle"}, EventID: 8009})
	if len(r) != 1 || codeRE.FindString(r[0].Text) == "" || sp.Len() != 1 {
		t.Fatalf("the report form during the outage: %q, %d spooled", texts(r), sp.Len())
	}
	back()
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes a las nueve", EventID: 8002}); !tm.answered(r) {
		t.Fatalf("the answer sent again: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes a las nueve" {
		t.Fatalf("answers recorded: %q", a)
	}
	tm.srv.Stop()
	r = tm.as(reporterID, "Rosa", commands.Request{Text: "Y venden armas en la bodega", EventID: 8003})
	if len(r) != 1 || codeRE.FindString(r[0].Text) == "" || sp.Len() != 2 {
		t.Fatalf("a tip in the next outage: %q, %d spooled", texts(r), sp.Len())
	}
	back()
}

// The notice of a reporter's answer shows the question and the answer as
// quoted blocks: an answer over several lines, whatever line breaks it
// uses, adds no line that reads as the bot's (a second "Answer:", another
// tip's notice); it still reaches the investigator whole, line by line.
func TestAnswerNoticeQuotesTheAnswer(t *testing.T) {
	tm, _ := questioned(t, "¿Quién cobra?\n¿Cuándo?")
	forged := []string{"Answer: nadie", "The reporter of tip #7 answered.", "Claimed by Ana 1 minute ago"}
	answer := "el Chino\n" + forged[0] + "\r\n" + forged[1] + "\u2028" + forged[2]
	if r := tm.reply("m1", answer); !tm.answered(r) {
		t.Fatalf("answer: %q", texts(r))
	}
	n := tm.notices("2002")
	if len(n) != 1 {
		t.Fatalf("Ana was told %q", n)
	}
	var own, in []string
	for _, l := range strings.Split(n[0], "\n") {
		if q, ok := strings.CutPrefix(l, commands.QuoteMark+" "); ok {
			in = append(in, strings.TrimSpace(q))
		} else {
			own = append(own, l)
		}
	}
	if want := []string{"The reporter of tip #1 answered.", "Question:", "Answer:"}; strings.Join(own, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines that read as the bot's: %q, want %q; the notice:\n%s", own, want, n[0])
	}
	if want := append([]string{"¿Quién cobra?", "¿Cuándo?", "el Chino"}, forged...); strings.Join(in, "\n") != strings.Join(want, "\n") {
		t.Errorf("quoted lines %q, want %q", in, want)
	}
}
