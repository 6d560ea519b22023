package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// invisible is text that shows nothing: zero-width spaces, a direction
// override, a NUL, spaces between.
const invisible = "\u200b\u200b \u202e \u200b\x00"

// A warning, question, note or answer of invisible characters alone is
// refused as empty, like one of spaces: nothing blank is stored for
// investigators to read, sent to a reporter, published to communities, or
// spends the reporter's one answer to a question.
func TestInvisibleTextIsRefusedAsEmpty(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?")
	tm.investigators("2003 Bea")
	tm.notices(reporterID) // the question
	tm.notices("2002")
	ctx := context.Background()
	stored := func() int64 {
		n, err := tm.srv.Client().XLen(ctx, "vigia:{tips}:triage").Result()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := stored()
	advice := tm.msg.Localize("en", "warn_advice", nil)
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "warn", Args: invisible}); len(r) != 1 || r[0].Text != tm.text("en", "warn_usage", nil)+"\n\n"+advice {
		t.Fatalf("/warn of invisible characters: %q", texts(r))
	}
	if _, r := tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: invisible}); len(r) != 1 || r[0].Text != tm.text("en", "warn_usage", nil)+"\n\n"+advice {
		t.Fatalf("/warn of invisible characters in a group: %q", texts(r))
	}
	if n := stored(); n != before {
		t.Fatalf("%d blank warnings stored", n-before)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 " + invisible}); len(r) != 1 || r[0].Text != tm.text("en", "ask_usage", nil) {
		t.Fatalf("/ask of invisible characters: %q", texts(r))
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "note", Args: "1 " + invisible}); len(r) != 1 || r[0].Text != tm.text("en", "note_usage", nil) {
		t.Fatalf("/note of invisible characters: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " " + invisible}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
		t.Fatalf("/reply CODE of invisible characters: %q", texts(r))
	}
	if r := tm.reply("m1", invisible); len(r) != 1 || r[0].Text != tm.text("en", "unsupported_message", nil) {
		t.Fatalf("a reply of invisible characters to the question: %q", texts(r))
	}
	if n := tm.notices(reporterID); len(n) != 0 {
		t.Fatalf("the reporter was sent %q", n)
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told %q", n)
	}
	tip, err := tm.store.Tip(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if h := tip.History; len(h) != 2 || h[0].Kind != "claim" || h[1].Text != "¿Qué día?" {
		t.Fatalf("history after blank notes and answers: %+v", tip.History)
	}
	// The question is still open: a real answer answers it.
	if r := tm.reply("m1", "El lunes"); !tm.answered(r) {
		t.Fatalf("the answer after the blank ones: %q", texts(r))
	}

	// /publish with invisible text approves nothing: it shows the preview.
	tm.mux.AddSender("telegram", &community{})
	tm.inGroup("50", "-9", true, commands.Request{Command: "subscribe"})
	tm.as(reporterID, "Rosa", commands.Request{Command: "warn", Args: warningText})
	id := "2"
	r := tm.as("2003", "Bea", commands.Request{Command: "publish", Args: id + " " + invisible})
	if len(r) != 1 || !strings.Contains(r[0].Text, warningText) || len(r[0].Buttons) == 0 {
		t.Fatalf("/publish %s of invisible characters: %q", id, texts(r))
	}
}

// A receipt code written in an answer is cut out before the asker reads
// it, the rest delivered; an answer of the code alone answers nothing and
// leaves the question open.
func TestReceiptCodeInAnAnswerIsLeftOut(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?", "¿Qué hora?")
	tm.notices(reporterID)
	dropped := tm.text("en", "receipt_text_dropped", nil)
	if r := tm.reply("m1", receipt); len(r) != 1 || r[0].Text != tm.text("en", "receipt_only_answer", nil) {
		t.Fatalf("the code alone as an answer: %q", texts(r))
	}
	if r := tm.reply("m1", "El lunes (mi código es "+receipt+")"); len(r) != 2 || r[0].Text != dropped || !tm.answered(r[1:]) {
		t.Fatalf("an answer with the code: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " A las nueve, código " + receipt}); len(r) != 2 || r[0].Text != dropped || !tm.answered(r[1:]) {
		t.Fatalf("/reply CODE with the code in the answer: %q %q", texts(r), tm.notices("2002"))
	}
	// A photo whose caption holds the code: told once, with the draft.
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Tiene una foto?"})
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64))
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:3"})
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "La camioneta " + receipt, FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	if len(r) != 2 || r[0].Text != tm.text("en", "answer_done", nil) || strings.Count(strings.Join(texts(r), "|"), dropped) != 1 {
		t.Fatalf("a photo answering with the code in its caption: %q", texts(r))
	}
	n := tm.notices("2002")
	if want := []string{tm.notice("1", "¿Qué día?", "El lunes (mi código es)"), tm.notice("1", "¿Qué hora?", "A las nueve, código"), tm.notice("1", "¿Tiene una foto?", "La camioneta")}; strings.Join(n, "|") != strings.Join(want, "|") {
		t.Fatalf("Ana was told %q, want %q", n, want)
	}
	if a := tm.tipAnswers("1"); strings.Contains(strings.Join(a, " "), receipt) {
		t.Fatalf("the code is in the tip's answers: %q", a)
	}
}
