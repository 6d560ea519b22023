package commands_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// fileLookups is a store whose receipt-code lookups (receipts: how many
// fail), read of an answer's mark (answered), storing of an answer
// (answer), storing of a file (put) or draft write (add) fail when set:
// Redis errors on those calls, the rest answering.
type fileLookups struct {
	commands.Store
	receipts                   int
	answered, answer, put, add bool
}

func (s *fileLookups) ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	if s.receipts > 0 {
		s.receipts--
		return nil, fmt.Errorf("receipts known: %w", context.DeadlineExceeded)
	}
	return s.Store.ReceiptsKnown(ctx, codes)
}

func (s *fileLookups) AnsweredBy(ctx context.Context, id, pseudonym string, eventID int64) (int, error) {
	if s.answered {
		s.answered = false
		return 0, fmt.Errorf("answered by: %w", context.DeadlineExceeded)
	}
	return s.Store.AnsweredBy(ctx, id, pseudonym, eventID)
}

func (s *fileLookups) AnswerOnce(ctx context.Context, id string, n int, answer, pseudonym string, eventID int64) (storage.Question, bool, error) {
	if s.answer {
		s.answer = false
		return storage.Question{}, false, fmt.Errorf("answer: %w", context.DeadlineExceeded)
	}
	return s.Store.AnswerOnce(ctx, id, n, answer, pseudonym, eventID)
}

func (s *fileLookups) PutFile(ctx context.Context, data []byte) (string, error) {
	if s.put {
		s.put = false
		return "", fmt.Errorf("put file: %w", context.DeadlineExceeded)
	}
	return s.Store.PutFile(ctx, data)
}

func (s *fileLookups) AddToDraft(ctx context.Context, pseudonym string, p storage.DraftPart) (storage.Draft, error) {
	if s.add {
		s.add = false
		return storage.Draft{}, errors.New("cut short")
	}
	return s.Store.AddToDraft(ctx, pseudonym, p)
}

// A photo answering tip 1's question (Answer pressed), whose first
// handling did not keep the photo, delivered again by the platform after
// the reporter pressed Answer under tip 2's question, while Redis can
// say neither which words are receipt codes nor whether the answer is
// stored, nor store the photo: its words are spooled with what is left
// of it. At the replay they go to tip 1's question, the one they
// answered, or nowhere: never to tip 2's, pressed for since (live, a
// message delivered again goes to the question it went to then, not to
// one pressed since): tip 1's question has them once, stored then or at
// the replay. The press under tip 2's question stays armed.
// Mutation: answerSpooled taking the press armed at the spooled copy's
// time for a message delivered again → this fails (tip 2's investigator
// is told the words meant for tip 1).
func TestRedeliveredFileAnswerSpooledGoesNotToAQuestionPressedSince(t *testing.T) {
	const caption = "La placa es K7QD-9XMA-R2TP-4WZN, una camioneta blanca"
	for _, tc := range []struct {
		name   string
		stored bool // the first handling stored the answer (its draft write cut short)
	}{
		{"answer stored, draft write cut short", true},
		{"answer not stored", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?") // tip 1
			tm.tipWithQuestions()               // tip 2
			if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "2 ¿Cuántos eran?"}); r[0].Text != tm.text("en", "ask_sent", nil) {
				t.Fatalf("/ask 2: %q", texts(r))
			}
			o := newSpoolingTeam(t, tm)
			s := &fileLookups{Store: tm.store}
			o.engineStore = s
			o.start()
			tm.notices(reporterID)
			tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			photo := commands.Request{Text: caption, Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: 424242}
			s.add, s.answer = tc.stored, !tc.stored
			if r := tm.as(reporterID, "Rosa", photo); len(r) == 0 || tc.stored != (r[0].Text == tm.text("en", "answer_done", nil)) {
				t.Fatalf("the first handling: %q", texts(r))
			}
			told := tm.notices("2002")
			if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:2:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
				t.Fatalf("Answer under tip 2's question: %q", texts(r))
			}
			s.receipts, s.answered, s.put = 2, true, true
			r := tm.as(reporterID, "Rosa", photo)
			if len(r) != 2 || r[0].Text != tm.text("en", "answer_file_unknown", nil) ||
				!strings.HasPrefix(r[1].Text, tm.text("en", "spool_received", map[string]any{"Receipt": codeRE.FindString(r[1].Text)})) {
				t.Fatalf("delivered again, the lookups and the file's write failing: %q", texts(r))
			}
			if _, err := o.sp.ReplayCounts(context.Background(), tm.store); err != nil {
				t.Fatalf("replay: %v", err)
			}
			told = append(told, tm.notices("2002")...)
			if slices.ContainsFunc(told, func(n string) bool { return strings.Contains(n, "¿Cuántos eran?") }) {
				t.Fatalf("tip 2's investigator told the words meant for tip 1: %q", told)
			}
			if a := tm.tipAnswers("2"); len(a) != 0 {
				t.Fatalf("tip 2's answers: %q", a)
			}
			// Stored then or at the replay, tip 1's question has them once.
			if want := []string{tm.notice("1", "¿Qué día?", caption)}; !slices.Equal(told, want) {
				t.Fatalf("Ana was told %q", told)
			}
			if a := tm.tipAnswers("1"); len(a) != 1 {
				t.Fatalf("tip 1's answers: %q", a)
			}
			// The Answer pressed under tip 2's question is still armed.
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
				t.Fatalf("the message after Answer under tip 2's question: %q", texts(r))
			}
			if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("2", "¿Cuántos eran?", "Eran cuatro")}) {
				t.Fatalf("Ana was told %q", n)
			}
		})
	}
}

// A photo replying to a question answered already, which cancelled the
// Answer pressed before it (the reporter told so), its draft write cut
// short, delivered again by the platform after the reporter pressed
// Answer again, while Redis cannot store the photo: its words are
// spooled. Live, the message cancels nothing more (answering.Declined);
// at the replay neither: the press made since stays armed, the reporter
// is not told it was cancelled, and the next message answers it.
// Mutation: answerSpooled not reading Declined → this fails (the press
// cancelled at the replay, spool_reply_not_taken told).
func TestRedeliveredFileReplyThatCancelledAnAnswerSpooledCancelsNoOther(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Cuántos eran?")
	o := newSpoolingTeam(t, tm)
	s := &fileLookups{Store: tm.store}
	o.engineStore = s
	o.start()
	tm.notices(reporterID)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242}); !tm.answered(r) {
		t.Fatalf("the answer: %q", texts(r))
	}
	tm.notices("2002")
	pressTwo := func() {
		t.Helper()
		if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
			t.Fatalf("Answer under the second question: %q", texts(r))
		}
	}
	pressTwo()
	photo := commands.Request{Text: "Otra cosa: venden en la esquina", Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t),
		ReplyToBot: true, ReplyToID: "m1", EventID: 424243}
	s.add = true
	if r := tm.as(reporterID, "Rosa", photo); len(r) == 0 || r[0].Text != tm.text("en", "answer_reply_not_taken", nil) {
		t.Fatalf("the photo replying to the answered question: %q", texts(r))
	}
	pressTwo()
	s.put = true
	r := tm.as(reporterID, "Rosa", photo)
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.text("en", "spool_received_reply", map[string]any{"Receipt": codeRE.FindString(r[0].Text)})) {
		t.Fatalf("delivered again, the photo's write failing: %q", texts(r))
	}
	if _, err := o.sp.ReplayCounts(context.Background(), tm.store); err != nil {
		t.Fatalf("replay: %v", err)
	}
	if n := tm.notices(reporterID); slices.Contains(n, tm.text("en", "spool_reply_not_taken", map[string]any{"Receipt": codeRE.FindString(r[0].Text)})) {
		t.Fatalf("the reporter was told the press made since is cancelled: %q", n)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Eran cuatro", EventID: 424250}); !tm.answered(r) {
		t.Fatalf("the message after Answer under the second question: %q", texts(r))
	}
	if n := tm.notices("2002"); !slices.Equal(n, []string{tm.notice("1", "¿Cuántos eran?", "Eran cuatro")}) {
		t.Fatalf("Ana was told %q", n)
	}
}
