package commands_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A reply to a question answered already went on as a new tip (the
// Answer pressed then, if any, cancelled and the reporter told so).
// Delivered again by the platform (the same event) after the reporter
// pressed Answer under another tip's question, it changes nothing of
// that question: the press stays armed, the reporter is not told it was
// cancelled, the message is told as what it was (kept in the draft, once),
// and the next message answers the question they pressed Answer for. So
// too after /forget of the answered question's tip.
func TestRedeliveredReplyToAnsweredQuestionKeepsAnotherAnswerPressed(t *testing.T) {
	for _, tc := range []struct {
		name       string
		forget     bool // the answered question's tip withdrawn before the reply
		pressFirst bool // Answer pressed under tip 2's question before the reply too
	}{
		{"after /forget, Answer pressed before the reply and since", true, true},
		{"after /forget, Answer pressed since", true, false},
		{"Answer pressed before the reply and since", false, true},
		{"Answer pressed since", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, receipt := questioned(t, "¿Qué día?") // tip 1, m1
			tm.tipWithQuestions()                     // tip 2
			if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "2 ¿Cuántos eran?"}); r[0].Text != tm.text("en", "ask_sent", nil) {
				t.Fatalf("/ask 2: %q", texts(r))
			}
			tm.notices(reporterID)
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}); !tm.answered(r) {
				t.Fatalf("the answer: %q", texts(r))
			}
			tm.notices("2002")
			if tc.forget {
				if r := tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt}); len(r) != 1 || r[0].Text != tm.text("en", "forget_done", nil) {
					t.Fatalf("/forget: %q", texts(r))
				}
			}
			pressTwo := func(when string) {
				t.Helper()
				if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:2:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
					t.Fatalf("Answer under tip 2's question %s: %q", when, texts(r))
				}
			}
			if tc.pressFirst {
				pressTwo("before the reply")
			}
			msg := commands.Request{Text: "Otra cosa: venden en la esquina", ReplyToBot: true, ReplyToID: "m1", EventID: 424243}
			first := tm.as(reporterID, "Rosa", msg)
			note := ""
			if tc.pressFirst {
				note = "answer_reply_not_taken"
			}
			if !tm.drafted(first, note) {
				t.Fatalf("the reply to the answered question: %q", texts(first))
			}
			pressTwo("since")
			for i := range 2 {
				r := tm.as(reporterID, "Rosa", msg)
				if len(r) != 1 || r[0].Text != first[len(first)-1].Text {
					t.Fatalf("the reply delivered again (%d): %q, first %q", i+1, texts(r), texts(first))
				}
			}
			if d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); err != nil || d.Parts != 1 {
				t.Fatalf("draft: %+v %v", d, err)
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
				t.Fatalf("the message after Answer under tip 2's question: %q", texts(r))
			}
			if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("2", "¿Cuántos eran?", "Eran cuatro")}) {
				t.Fatalf("Ana was told %q", n)
			}
		})
	}
}

// keepCut is a store whose first AddToDraft fails: the handling of a
// message cut short after what came before it was written (a crash).
type keepCut struct {
	commands.Store
	cut bool
}

func (s *keepCut) AddToDraft(ctx context.Context, pseudonym string, p storage.DraftPart) (storage.Draft, error) {
	if s.cut {
		s.cut = false
		return storage.Draft{}, errors.New("cut short")
	}
	return s.Store.AddToDraft(ctx, pseudonym, p)
}

// A reply to a question answered already that cancelled the Answer
// pressed before it, its handling then cut short before the message was
// kept (a crash), delivered again after the reporter pressed Answer
// again: it cancels nothing more (the press stays armed, the reporter is
// not told it was cancelled), and is kept as a new tip, once.
func TestRedeliveredReplyThatCancelledAnAnswerCancelsNoOther(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Cuántos eran?")
	tm.notices(reporterID)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}); !tm.answered(r) {
		t.Fatalf("the answer: %q", texts(r))
	}
	tm.notices("2002")
	cut := &keepCut{Store: tm.store}
	tm.mux = commands.New(commands.Options{Store: cut, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
	tm.mux.AddSender("telegram", tm.sent)
	pressTwo := func() {
		t.Helper()
		if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
			t.Fatalf("Answer under the second question: %q", texts(r))
		}
	}
	pressTwo()
	msg := commands.Request{Text: "Otra cosa: venden en la esquina", ReplyToBot: true, ReplyToID: "m1", EventID: 424243}
	cut.cut = true
	if r := tm.as(reporterID, "Rosa", msg); len(r) == 0 || r[0].Text != tm.text("en", "answer_reply_not_taken", nil) {
		t.Fatalf("the reply to the answered question: %q", texts(r))
	}
	pressTwo()
	if r := tm.as(reporterID, "Rosa", msg); !tm.drafted(r, "") {
		t.Fatalf("the reply delivered again: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
		t.Fatalf("the message after Answer under the second question: %q", texts(r))
	}
	if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("1", "¿Cuántos eran?", "Eran cuatro")}) {
		t.Fatalf("Ana was told %q", n)
	}
	if d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); err != nil || d.Parts != 1 {
		t.Fatalf("draft: %+v %v", d, err)
	}
}

// answerLookups is a store whose receipt-code lookup (receipts), read of
// an answer's mark (answered), storing of an answer (answer) or
// remembering of an answer's event (remember) fails once when set: a
// Redis error on that one call, the rest answering.
type answerLookups struct {
	commands.Store
	receipts, answered, answer, remember bool
}

func (s *answerLookups) ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	if s.receipts {
		s.receipts = false
		return nil, fmt.Errorf("receipts known: %w", context.DeadlineExceeded)
	}
	return s.Store.ReceiptsKnown(ctx, codes)
}

func (s *answerLookups) AnsweredBy(ctx context.Context, id, pseudonym string, eventID int64) (int, error) {
	if s.answered {
		s.answered = false
		return 0, fmt.Errorf("answered by: %w", context.DeadlineExceeded)
	}
	return s.Store.AnsweredBy(ctx, id, pseudonym, eventID)
}

func (s *answerLookups) AnswerOnce(ctx context.Context, id string, n int, answer, pseudonym string, eventID int64) (storage.Question, bool, error) {
	if s.answer {
		s.answer = false
		return storage.Question{}, false, fmt.Errorf("answer: %w", context.DeadlineExceeded)
	}
	return s.Store.AnswerOnce(ctx, id, n, answer, pseudonym, eventID)
}

func (s *answerLookups) RememberAnswer(ctx context.Context, pseudonym string, eventID int64) error {
	if s.remember {
		s.remember = false
		return fmt.Errorf("remember answer: %w", context.DeadlineExceeded)
	}
	return s.Store.RememberAnswer(ctx, pseudonym, eventID)
}

// failingAnswers puts tm's engine on an answerLookups of its store.
func failingAnswers(tm *team) *answerLookups {
	s := &answerLookups{Store: tm.store}
	tm.mux = commands.New(commands.Options{Store: s, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
	tm.mux.AddSender("telegram", tm.sent)
	return s
}

// An answer holding a code-like word (a plate, an account: no receipt
// code) delivered again by the platform while Redis cannot say which
// such words are receipt codes: told what is true of it. Stored by its
// first handling (all the way, or cut short before its event was
// remembered): "delivered", as the first time, not "NOT saved, send it
// again", which would have it sent twice; the investigators told once,
// the marks finished (the next message is a tip's part). Not stored (its
// delivery failed): "NOT saved", as the first time, and sent again it
// goes, once. Redis not able to say whether it is stored either: the
// reporter is told so, not to send it again yet, and how to find out
// (/status); delivered again later, "delivered", once.
func TestRedeliveredAnswerWhoseCodeLookupFailsIsToldTheTruth(t *testing.T) {
	const answer = "La placa es K7QD-9XMA-R2TP-4WZN, una camioneta blanca"
	for _, tc := range []struct {
		name             string
		press            bool
		remember, answer bool // the first handling's RememberAnswer, AnswerOnce fail
		unknown          bool // AnsweredBy fails too, at the redelivery
		want             string
	}{
		{"handled all the way, Answer pressed", true, false, false, false, "answer_done"},
		{"handled all the way, a reply", false, false, false, false, "answer_done"},
		{"event not remembered, Answer pressed", true, true, false, false, "answer_done"},
		{"event not remembered, a reply", false, true, false, false, "answer_done"},
		{"event not remembered, stored not known", true, true, false, true, "answer_unknown"},
		{"not stored", true, false, true, false, "error_storage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?")
			tm.notices(reporterID)
			s := failingAnswers(tm)
			if tc.press {
				tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			}
			msg := commands.Request{Text: answer, EventID: 424242}
			if !tc.press {
				msg.ReplyToBot, msg.ReplyToID = true, "m1"
			}
			s.remember, s.answer = tc.remember, tc.answer
			r := tm.as(reporterID, "Rosa", msg)
			if tc.answer {
				if len(r) != 1 || r[0].Text != tm.text("en", "error_storage", nil) {
					t.Fatalf("the answer not stored: %q", texts(r))
				}
			} else if !tm.answered(r) {
				t.Fatalf("the answer: %q", texts(r))
			}
			told := tm.notices("2002")
			s.receipts, s.answered = true, tc.unknown
			if r := tm.as(reporterID, "Rosa", msg); len(r) != 1 || r[0].Text != tm.text("en", tc.want, nil) {
				t.Fatalf("delivered again, the lookup failing: %q, want %s", texts(r), tc.want)
			}
			if s.receipts || s.answered {
				t.Fatalf("not looked up: receipts %v, answered by %v", s.receipts, s.answered)
			}
			if tc.answer || tc.unknown {
				// Delivered again, Redis back: it goes, once.
				if r := tm.as(reporterID, "Rosa", msg); !tm.answered(r) {
					t.Fatalf("delivered again, Redis back: %q", texts(r))
				}
			}
			if n := append(told, tm.notices("2002")...); !slices.Equal(n, []string{tm.notice("1", "¿Qué día?", answer)}) {
				t.Fatalf("Ana was told %q", n)
			}
			if a := tm.tipAnswers("1"); !slices.Equal(a, []string{answer}) {
				t.Fatalf("answers recorded: %q", a)
			}
			if _, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("a draft was started: %v", err)
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa", EventID: 424243}); press(r, "send:") == "" {
				t.Fatalf("a new message: %q", texts(r))
			}
		})
	}
}

// A /reply CODE answer holding a code-like word delivered again by the
// platform while Redis cannot say which such words are receipt codes:
// "delivered", as the first time (it is stored), not "NOT saved, send
// it again"; Redis not able to say whether it is stored either: told
// so, not to send it again yet. The investigators are told once.
func TestRedeliveredReplyCommandWhoseCodeLookupFailsIsToldTheTruth(t *testing.T) {
	const answer = "La placa es K7QD-9XMA-R2TP-4WZN"
	tm, receipt := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
	s := failingAnswers(tm)
	msg := commands.Request{Command: "reply", Args: receipt + " " + answer, EventID: 515151}
	if r := tm.as(reporterID, "Rosa", msg); !tm.answered(r) {
		t.Fatalf("/reply: %q", texts(r))
	}
	s.receipts = true
	if r := tm.as(reporterID, "Rosa", msg); !tm.answered(r) || s.receipts {
		t.Fatalf("/reply delivered again, the lookup failing: %q", texts(r))
	}
	s.receipts, s.answered = true, true
	if r := tm.as(reporterID, "Rosa", msg); len(r) != 1 || r[0].Text != tm.text("en", "answer_unknown", nil) || s.answered {
		t.Fatalf("/reply delivered again, the lookup and the mark's read failing: %q", texts(r))
	}
	if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("1", "¿Qué día?", answer)}) {
		t.Fatalf("Ana was told %q", n)
	}
	if a := tm.tipAnswers("1"); !slices.Equal(a, []string{answer}) {
		t.Fatalf("answers recorded: %q", a)
	}
}

// A photo sent after Answer was pressed, its caption holding a receipt
// code, while Redis cannot say which words are receipt codes: the
// caption does not go to the asker uncut (nor into the tip's history):
// not taken, and said so; the question stays open. Sent again, the
// caption answers, without the code.
func TestCaptionedAnswerWhoseCodeLookupFailsReachesNoOne(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?")
	tm.notices(reporterID)
	s := failingAnswers(tm)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	photo := commands.Request{Text: "mi código es " + receipt + ", en la esquina", Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: 424242}
	s.receipts = true
	if r := tm.as(reporterID, "Rosa", photo); len(r) != 1 || r[0].Text != tm.text("en", "error_storage", nil) || s.receipts {
		t.Fatalf("the photo, the lookup failing: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told %q", n)
	}
	if a := tm.tipAnswers("1"); len(a) != 0 {
		t.Fatalf("answers recorded: %q", a)
	}
	photo.EventID = 424243
	tm.as(reporterID, "Rosa", photo)
	n := tm.notices("2002")
	if len(n) != 1 || strings.Contains(n[0], receipt) || !strings.Contains(n[0], "en la esquina") {
		t.Fatalf("Ana was told %q", n)
	}
}

// A photo answering a question (its caption holding a code-like word),
// whose first handling did not keep the photo (its draft write cut
// short, or the answer's write failing first), delivered again by the
// platform while Redis can say neither which words are receipt codes
// nor whether the answer is stored: the photo is not lost. The reporter
// is told that whether its words reached the investigators is not known
// (and how to find out), and the photo is kept in a draft, once, as the
// first handling would have kept it; the investigators are told the
// answer at most once.
// Mutation: takeAnswer answering answer_unknown with a file too (as
// before) → this fails (the photo is not kept).
func TestRedeliveredFileAnswerWhoseLookupsFailKeepsTheFile(t *testing.T) {
	const caption = "La placa es K7QD-9XMA-R2TP-4WZN, una camioneta blanca"
	for _, tc := range []struct {
		name   string
		stored bool // the first handling stored the answer (its draft write cut short)
	}{
		{"answer stored, draft write cut short", true},
		{"answer not stored", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?")
			tm.notices(reporterID)
			s := &answerLookups{Store: tm.store}
			cut := &keepCut{Store: s}
			tm.mux = commands.New(commands.Options{Store: cut, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
				Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
			tm.mux.AddSender("telegram", tm.sent)
			tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			photo := commands.Request{Text: caption, Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: 424242}
			cut.cut, s.answer = tc.stored, !tc.stored
			r := tm.as(reporterID, "Rosa", photo)
			if len(r) == 0 || tc.stored != (r[0].Text == tm.text("en", "answer_done", nil)) {
				t.Fatalf("the first handling: %q", texts(r))
			}
			told := tm.notices("2002")
			pseudonym := tm.store.Pseudonym("telegram", reporterID)
			if _, err := tm.store.Draft(context.Background(), pseudonym); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("the first handling kept the photo: %v", err)
			}
			s.receipts, s.answered = true, true
			r = tm.as(reporterID, "Rosa", photo)
			if s.receipts || s.answered {
				t.Fatalf("not looked up: receipts %v, answered by %v", s.receipts, s.answered)
			}
			if len(r) != 2 || r[0].Text != tm.text("en", "answer_file_unknown", nil) ||
				!strings.HasPrefix(r[1].Text, tm.text("en", "answer_file_as_tip", nil)) || press(r, "send:") == "" {
				t.Fatalf("delivered again, both lookups failing: %q", texts(r))
			}
			d, err := tm.store.Draft(context.Background(), pseudonym)
			if err != nil || d.Parts != 1 {
				t.Fatalf("the photo is not kept: %+v %v", d, err)
			}
			if r := tm.as(reporterID, "Rosa", photo); len(r) != 1 {
				t.Fatalf("delivered once more, Redis back: %q", texts(r))
			}
			if d, err := tm.store.Draft(context.Background(), pseudonym); err != nil || d.Parts != 1 {
				t.Fatalf("the photo kept twice: %+v %v", d, err)
			}
			want := []string(nil)
			if tc.stored {
				want = []string{tm.notice("1", "¿Qué día?", caption)}
			}
			if n := append(told, tm.notices("2002")...); !slices.Equal(n, want) {
				t.Fatalf("Ana was told %q", n)
			}
			if a := tm.tipAnswers("1"); len(a) != len(want) {
				t.Fatalf("answers recorded: %q", a)
			}
		})
	}
}

// failOn is a Replier whose reply of text fail fails (the platform not
// taking it): not recorded.
type failOn struct {
	recorder
	fail string
}

func (f *failOn) Reply(ctx context.Context, r commands.Reply) error {
	if r.Text == f.fail {
		return errors.New("platform down")
	}
	return f.recorder.Reply(ctx, r)
}

// A photo answering a question, whose first handling did not store the
// answer nor keep the photo, delivered again while Redis can say neither
// which of its words are receipt codes nor whether the answer is stored:
// the reporter is told the words' fate is unknown and that what became
// of the file is said next (answer_file_unknown). It is, whatever
// happens: refused by the hourly limit past its first refusal (silent
// otherwise), the reporter is told the file was NOT kept; the platform
// failing answer_file_unknown, the next reply, which says the file is
// kept in a draft, carries it first (not "kept as part of a tip
// instead" alone, which reads as the words having answered nothing).
// Mutations: allow and limited silent past the first refusal whatever
// was told → both "over the limit" cases fail; unsaid never set → "its
// message not sent" fails.
func TestRedeliveredFileAnswerUnknownIsFollowedByTheFilesFate(t *testing.T) {
	const caption = "La placa es K7QD-9XMA-R2TP-4WZN, una camioneta blanca"
	for _, tc := range []struct {
		name    string
		limited bool // the hourly limit of parts reached, its first refusal told
		place   bool // a place with words, not a photo (counted as it is added)
	}{
		{"over the limit", true, false},
		{"a place, over the limit", true, true},
		{"its message not sent", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?")
			tm.notices(reporterID)
			s := &answerLookups{Store: tm.store}
			limits := commands.DefaultLimits
			if tc.limited {
				limits.PartsPerHour = 1
			}
			tm.mux = commands.New(commands.Options{Store: s, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now, Limits: limits,
				Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
			tm.mux.AddSender("telegram", tm.sent)
			if tc.limited {
				// (tip 1's part counted: the next is over the limit)
				if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa"}); len(r) != 1 || r[0].Text != tm.text("en", "rate_limited", nil) {
					t.Fatalf("over the limit: %q", texts(r))
				}
			}
			tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			photo := commands.Request{Text: caption, Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: 424242}
			if tc.place {
				photo = commands.Request{Text: caption, Location: &tips.Location{Lat: 19.43, Lon: -99.13}, EventID: 424242}
			}
			s.answer = true
			if r := tm.as(reporterID, "Rosa", photo); len(r) == 0 || r[0].Text == tm.text("en", "answer_done", nil) {
				t.Fatalf("the first handling: %q", texts(r))
			}
			s.receipts, s.answered = true, true
			unknown := tm.text("en", "answer_file_unknown", nil)
			if tc.limited {
				r := tm.as(reporterID, "Rosa", photo)
				if len(r) != 2 || r[0].Text != unknown || r[1].Text != tm.text("en", "file_not_kept_limited", nil) {
					t.Fatalf("delivered again, over the limit: %q", texts(r))
				}
				return
			}
			req := photo
			req.Platform, req.UserID, req.ChatID, req.Name, req.UserChat = "telegram", reporterID, reporterID, "Rosa", reporterID
			rec := &failOn{fail: unknown}
			tm.mux.Handle(context.Background(), req, rec)
			r := rec.take()
			if len(r) != 1 || !strings.HasPrefix(r[0].Text, unknown+"\n\n"+tm.text("en", "answer_file_as_tip", nil)) || press(r, "send:") == "" {
				t.Fatalf("delivered again, answer_file_unknown not sent: %q", texts(r))
			}
			if d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID)); err != nil || d.Parts != 1 {
				t.Fatalf("the photo is not kept: %+v %v", d, err)
			}
		})
	}
}
