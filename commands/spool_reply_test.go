package commands_test

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A photo with words sent as a reply to an investigator's question while
// Redis is down is spooled as a tip (Redis alone could say it replied to
// a question). At the replay it goes as the live path takes it: its words
// to the asker as the answer to the question it replied to, the photo,
// with them, the tip of its receipt, and the reporter told so. No Answer
// was pressed: the spool's record of the message replied to is what says
// so. Before, it stayed a tip alone, the question open, the asker never
// told.
// Mutation: spoolTip not recording the message replied to (ReplyTo) →
// this fails (answers recorded: []).
func TestFileWithWordsSpooledAsAReplyToAQuestionAnswersIt(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Tiene una foto?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices(reporterID)
	tm.notices("2002")
	req := commands.Request{Text: "Esta es la camioneta", EventID: 8301, ReplyToBot: true, ReplyToID: "m2",
		Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx0"}}
	receipt := o.spool(reporterID, "Rosa", req) // (Redis stopped, the reply sent, Redis back)
	c, err := o.sp.ReplayCounts(ctx, tm.store)
	if err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != req.Text {
		t.Fatalf("answers recorded: %q", a)
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Tiene una foto?", req.Text) {
		t.Fatalf("Ana was told %q", n)
	}
	tip, err := tm.store.TipByReceipt(ctx, receipt)
	if err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Text != req.Text || tip.Content.Parts[0].Attachment == nil {
		t.Fatalf("the outage's receipt: %+v %v", tip.Content, err)
	}
	if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_file_done", map[string]any{"Receipt": receipt}) {
		t.Fatalf("the reporter was told %q", n)
	}
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c.Entries() != 0 {
		t.Fatalf("replayed again: %+v %v", c, err)
	}
	// That question is answered; the other is still open, its reply its
	// answer; a reply to the answered one again is a tip's part.
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply to the other question: %q", texts(r))
	}
	if r := tm.reply("m2", "Otra foto luego"); !tm.drafted(r, "") {
		t.Fatalf("reply to the answered question: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 2 {
		t.Fatalf("answers recorded: %q", a)
	}
}

// A spool record without the message replied to (as every version before
// it was recorded wrote them, or a reply to a message of the bot's that
// is no question) replays as before: a photo with words is the tip of its
// receipt, and answers nothing, though a question is open.
// Mutation: an entry without ReplyTo taken as a reply to its reporter's
// one linked open question → this fails (the old record answers).
func TestSpooledFileWithoutAReplyToAQuestionStaysATip(t *testing.T) {
	for name, replyTo := range map[string]string{"old record": "", "reply to another message": "m9"} {
		t.Run(name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?")
			o := newSpoolingTeam(t, tm)
			ctx := context.Background()
			tm.notices(reporterID)
			tm.notices("2002")
			part := tips.Part{Text: "Esta es la camioneta", Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx0"}}
			receipt, err := o.sp.Append(storage.SpoolEntry{Pseudonym: tm.store.Pseudonym("telegram", reporterID), EventID: 8311,
				Route: "telegram:" + reporterID, Language: "es", Part: part, ReplyTo: replyTo})
			if err != nil {
				t.Fatal(err)
			}
			c, err := o.sp.ReplayCounts(ctx, tm.store)
			if err != nil || c != (storage.ReplayCount{Replayed: 1}) {
				t.Fatalf("replay: %+v %v", c, err)
			}
			if a := tm.tipAnswers("1"); len(a) != 0 {
				t.Fatalf("answers recorded: %q", a)
			}
			tip, err := tm.store.TipByReceipt(ctx, receipt)
			if err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Text != part.Text || tip.Content.Parts[0].Attachment == nil {
				t.Fatalf("the record's receipt: %+v %v", tip.Content, err)
			}
			if n, r := tm.notices("2002"), tm.notices(reporterID); len(n)+len(r) != 0 {
				t.Fatalf("told %q and %q", n, r)
			}
			if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
				t.Fatalf("the question still open: %q", texts(r))
			}
		})
	}
}

// A photo with words spooled as a reply to a question answered already,
// while Answer was pressed under another: live, it is no answer (not even
// to the question pressed for), the press is cancelled and the reporter
// told so, and the message goes on as a tip. The replay does the same:
// the photo with its words the tip of its receipt, the other question
// still open, the reporter's next message a new tip's, not its answer.
// Mutation: answerSpooled without its check of the questions answered
// already (a.Answered) → the words go as the answer to the question
// pressed for; this fails.
func TestFileSpooledAsAReplyToAnAnsweredQuestionCancelsTheAnswerPressed(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Tiene una foto?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"})
	o.start() // a restart: the press is Redis's alone
	tm.notices(reporterID)
	tm.notices("2002")
	req := commands.Request{Text: "Esta es la camioneta", EventID: 8321, ReplyToBot: true, ReplyToID: "m1",
		Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx0"}}
	receipt := o.spool(reporterID, "Rosa", req)
	c, err := o.sp.ReplayCounts(ctx, tm.store)
	if err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes" {
		t.Fatalf("answers recorded: %q", a)
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told %q", n)
	}
	if tip, err := tm.store.TipByReceipt(ctx, receipt); err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Text != req.Text {
		t.Fatalf("the outage's receipt: %+v %v", tip.Content, err)
	}
	if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_reply_not_taken", map[string]any{"Receipt": receipt}) {
		t.Fatalf("the reporter was told %q", n)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega"}); !tm.drafted(r, "") {
		t.Fatalf("the message after: %q", texts(r))
	}
	if r := tm.reply("m2", "No tengo foto"); !tm.answered(r) {
		t.Fatalf("the other question still open: %q", texts(r))
	}
}

// A photo with words spooled as a reply to one question while Answer was
// pressed under another answers the one it replied to, as live, and uses
// the press up, as live: the reporter's next message is a new tip's, not
// the answer to the other question.
// Mutation: answerSpooled using up only the replied-to question's marks
// (the Answer pressed for the other left armed) → the next message goes
// as that one's answer; this fails.
func TestFileSpooledAsAReplyWhileAnswerPressedForAnotherUsesThePressUp(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Tiene una foto?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	o.start() // a restart: the press is Redis's alone
	tm.notices(reporterID)
	tm.notices("2002")
	req := commands.Request{Text: "Esta es la camioneta", EventID: 8331, ReplyToBot: true, ReplyToID: "m2",
		Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx0"}}
	receipt := o.spool(reporterID, "Rosa", req)
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Tiene una foto?", req.Text) {
		t.Fatalf("Ana was told %q", n)
	}
	if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_file_done", map[string]any{"Receipt": receipt}) {
		t.Fatalf("the reporter was told %q", n)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega"}); !tm.drafted(r, "") {
		t.Fatalf("the message after: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != req.Text {
		t.Fatalf("answers recorded: %q", a)
	}
}
