package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A text reply to one of the bot's messages while Redis is down is
// spooled (it was refused, "NOT saved": only Redis can say it answers a
// question), with the id of the message it replied to. At the replay it
// goes as the live path takes it: to the question it replied to, or, a
// reply to another message of the bot's (the "write your answer" prompt)
// after an Answer pressed, to the question pressed for; the asker told,
// no tip made, the reporter told by the outage's receipt, the press used
// up. The press is remembered by this process (no restart): a reply is
// spooled all the same.
// Mutation: keepPart refusing a text reply again (the ReplyToBot check
// back in its refusal) → this fails ("NOT saved" during the outage).
// Mutation: keepPart refusing a reply after an Answer pressed it
// remembers (the armed check alone) → the "pressed" cases fail.
func TestTextSpooledAsAReplyToAQuestionAnswersIt(t *testing.T) {
	for _, c := range []struct {
		name    string
		press   string // the Answer pressed before the reply, if any
		replyTo string
		q       string // the question it answers
	}{
		{"a reply to the question", "", "m2", "¿Tiene una foto?"},
		{"a reply to the question, another's Answer pressed", "ans:1:1", "m2", "¿Tiene una foto?"},
		{"a reply to the prompt, Answer pressed", "ans:1:2", "p9", "¿Tiene una foto?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?", "¿Tiene una foto?")
			o := newSpoolingTeam(t, tm)
			ctx := context.Background()
			if c.press != "" {
				tm.as(reporterID, "Rosa", commands.Request{Callback: c.press})
			}
			tm.notices(reporterID)
			tm.notices("2002")
			tips0, err := tm.store.Recent(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			req := commands.Request{Text: "No tengo foto, era blanca", EventID: 8501, ReplyToBot: true, ReplyToID: c.replyTo}
			receipt := o.spool(reporterID, "Rosa", req)
			if cnt, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || cnt != (storage.ReplayCount{Skipped: 1}) {
				t.Fatalf("replay: %+v %v", cnt, err)
			}
			if list, _ := tm.store.Recent(ctx, 10); len(list) != len(tips0) {
				t.Fatalf("%d tips after the replay, %d before: the answer became a tip", len(list), len(tips0))
			}
			if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != req.Text {
				t.Fatalf("answers recorded: %q", a)
			}
			if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", c.q, req.Text) {
				t.Fatalf("Ana was told %q", n)
			}
			if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_done", map[string]any{"Receipt": receipt}) {
				t.Fatalf("the reporter was told %q", n)
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt}); len(r) != 1 || r[0].Text != tm.text("en", "status_no_tip_answer", nil) {
				t.Fatalf("/status with the outage's receipt: %q", texts(r))
			}
			if cnt, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || cnt.Entries() != 0 {
				t.Fatalf("replayed again: %+v %v", cnt, err)
			}
			// The press used up: the next message is a new tip's. The
			// other question is still open, its reply its answer.
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega"}); !tm.drafted(r, "") {
				t.Fatalf("the message after: %q", texts(r))
			}
			if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
				t.Fatalf("reply to the other question: %q", texts(r))
			}
		})
	}
}

// A text reply spooled to a question answered already, while Answer was
// pressed under another: live, it is no answer (not even to the question
// pressed for), the press is cancelled, the reporter told, and it goes on
// as a tip. The replay does the same: the words the tip of the outage's
// receipt, the reporter told by it (spool_reply_not_taken), the other
// question still open, the next message a new tip's.
// Mutation: answerSpooled without its check of the questions answered
// already (a.Answered) → the words go as the answer to the question
// pressed for; this fails.
func TestTextSpooledAsAReplyToAnAnsweredQuestionCancelsTheAnswerPressed(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Tiene una foto?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("reply: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:2"})
	tm.notices(reporterID)
	tm.notices("2002")
	req := commands.Request{Text: "Perdón, era el martes", EventID: 8511, ReplyToBot: true, ReplyToID: "m1"}
	receipt := o.spool(reporterID, "Rosa", req)
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
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

// A text reply to a question whose receipt code lookup fails as Redis
// goes (or that lookup alone times out), its marks read: spooled, as a
// file's caption is, not told "NOT saved". At the replay its code is cut
// and its words answer the question; the asker never reads the code.
// Mutation: takeAnswer spooling only a file's or a place's words (the
// reply's text refused, error_storage) → this fails.
func TestTextReplySpooledWhenRedisStopsAtItsLookup(t *testing.T) {
	for name, stop := range map[string]bool{"Redis stopping": true, "lookup timing out": false} {
		t.Run(name, func(t *testing.T) {
			tm, receipt := questioned(t, "¿Qué día?")
			o := newSpoolingTeam(t, tm)
			s := &stopAtLookup{Store: tm.store, stop: o.srv.Stop}
			if !stop {
				s.stop = func() {}
				s.fail = true
			}
			o.engineStore = s
			o.start()
			ctx := context.Background()
			tm.notices(reporterID)
			tm.notices("2002")
			req := commands.Request{Text: "mi código es " + receipt + ", fue el lunes", EventID: 8521, ReplyToBot: true, ReplyToID: "m1"}
			s.armed.Store(true)
			r := tm.as(reporterID, "Rosa", req)
			spooled := codeRE.FindString(strings.Join(texts(r), "\n"))
			if s.armed.Load() || len(r) != 1 || spooled == "" || r[0].Text != tm.text("en", "spool_received_reply", map[string]any{"Receipt": spooled}) {
				t.Fatalf("the reply, Redis stopping at its lookup: %q", texts(r))
			}
			if stop {
				o.srv.Restart()
			}
			for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond) // poll until the client reconnects
			}
			if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Skipped: 1}) {
				t.Fatalf("replay: %+v %v", c, err)
			}
			if a := tm.tipAnswers("1"); len(a) != 1 || strings.Contains(a[0], receipt) || !strings.Contains(a[0], "fue el lunes") {
				t.Fatalf("answers recorded: %q", a)
			}
			if n := tm.notices("2002"); len(n) != 1 || strings.Contains(n[0], receipt) || !strings.Contains(n[0], "fue el lunes") {
				t.Fatalf("Ana was told %q", n)
			}
			if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_done", map[string]any{"Receipt": spooled}) {
				t.Fatalf("the reporter was told %q", n)
			}
		})
	}
}
