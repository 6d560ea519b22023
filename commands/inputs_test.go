package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// Links a message hides behind words are kept with its text but not
// counted against the reporter's limit: a message at the limit with hidden
// links is kept whole, links included.
func TestHiddenLinksAreKeptAndNotCounted(t *testing.T) {
	e := newEnv(t, nil)
	text := strings.Repeat("a", commands.DefaultLimits.MaxMessageRunes)
	links := []string{"https://canal.example/1", "https://canal.example/2"}
	r := e.do(reporterID, commands.Request{Text: text, HiddenLinks: links})
	sent := e.do(reporterID, commands.Request{Callback: press(r, "send:")})
	code := receiptRE.FindString(sent[0].Text)
	tip, err := e.store.TipByReceipt(context.Background(), code)
	if err != nil || tip.Content.Text() != text+"\n"+strings.Join(links, "\n") {
		t.Fatalf("stored %d characters (%v); replies %+v", len(tip.Content.Text()), err, r)
	}
	// Text over the limit is still refused, links or not.
	if r := e.do(reporterID, commands.Request{Text: text + "a", HiddenLinks: links}); r[0].Text != e.text("es", "message_too_long", map[string]any{"Max": commands.DefaultLimits.MaxMessageRunes}) {
		t.Fatalf("over the limit: %+v", r)
	}
}

// A file the platform could not hand over is never passed over in
// silence: the reporter is asked for it again, in their language, and the
// text that came with it is kept.
func TestLostFileIsToldInTheReportersLanguage(t *testing.T) {
	e := newEnv(t, nil)
	e.do(reporterID, commands.Request{Command: "language", Args: "fr"})
	if r := e.do(reporterID, commands.Request{FileLost: true}); len(r) != 1 || r[0].Text != e.text("fr", "file_not_received", nil) {
		t.Fatalf("a lost file alone: %+v", r)
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); err == nil {
		t.Fatal("a lost file alone started a draft")
	}
	r := e.do(reporterID, commands.Request{Text: "hay halcones en la esquina", FileLost: true})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, e.text("fr", "file_not_received", nil)+"\n\n"+e.text("fr", "draft_started", nil)) {
		t.Fatalf("a caption with a lost file: %+v", r)
	}
}

// A photo sent as the answer to an investigator's question is not lost:
// its caption answers, and the photo (with the caption) is kept as a new
// tip, which the reporter is told; a photo alone leaves the question open.
func TestPhotoSentAsAnAnswerIsKept(t *testing.T) {
	tm := asked(t, "¿Tiene una foto?")
	var r []commands.Reply

	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64))
	photo := func(caption string) []commands.Reply {
		return tm.as(reporterID, "Rosa", commands.Request{Text: caption, FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}, ReplyToBot: true, ReplyToID: "m1"})
	}
	// A photo alone: kept as a new tip, the question still open.
	r = photo("")
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.text("en", "answer_file_as_tip", nil)) || press(r, "send:") == "" {
		t.Fatalf("photo alone: %+v", r)
	}
	if tip, _ := tm.store.Tip(context.Background(), "1"); tip.OpenQuestion == "" {
		t.Fatal("a photo alone closed the question")
	}
	tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "send:")})
	// With a caption: the caption answers, the photo goes on as a tip.
	r = photo("Esta es la camioneta")
	if len(r) != 2 || r[0].Text != tm.text("en", "answer_done", nil) || !strings.HasPrefix(r[1].Text, tm.text("en", "answer_file_as_tip", nil)) {
		t.Fatalf("photo with a caption: %+v", r)
	}
	tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "send:")})
	for id, want := range map[string]string{"2": "", "3": "Esta es la camioneta"} {
		tip, err := tm.store.Tip(context.Background(), id)
		if err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Attachment == nil || tip.Content.Text() != want {
			t.Fatalf("tip %s: %+v %v", id, tip.Content, err)
		}
	}
	if notice := tm.sent.sent["2002"]; len(notice) != 1 || !strings.Contains(notice[0].Text, "Esta es la camioneta") {
		t.Fatalf("the investigator was not told the answer: %+v", tm.sent.sent)
	}
}

// A tip written to the bot in a group, where everyone can read it, is
// removed where the bot may, and its sender told so (or, where it may not,
// asked to remove it); it is never stored.
func TestGroupTipIsRemovedToProtectItsSender(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct {
		deleteErr error
		want      string
	}{{nil, "group_private_only_removed"}, {errors.New("not enough rights"), "group_private_only_not_removed"}} {
		w := &adminReplier{recorder: &recorder{}, deleteErr: c.deleteErr}
		req := commands.Request{Platform: "telegram", UserID: reporterID, ChatID: "-100555", ChatKind: commands.Group, Addressed: true,
			Text: "@VigiaBot el halcón de la esquina es mi vecino", EventID: 77}
		e.mux.Handle(context.Background(), req, w)
		r := w.take()
		if len(r) != 1 || r[0].Text != e.text("es", c.want, nil) || w.deleted != (c.deleteErr == nil) {
			t.Fatalf("delete error %v: replies %+v, deleted %v", c.deleteErr, r, w.deleted)
		}
	}
	// Not in the investigators' group, nor a reply to the bot (a
	// community answering a warning): answered as before, not deleted.
	for _, req := range []commands.Request{
		{ChatID: invChat, Text: "@VigiaBot ¿quién tiene el caso 12?"},
		{ChatID: "-100555", Text: "gracias por el aviso", ReplyToBot: true, ReplyToID: "m9"},
	} {
		req.Platform, req.UserID, req.ChatKind, req.Addressed, req.EventID = "telegram", investigatorID, commands.Group, true, 78
		w := &adminReplier{recorder: &recorder{}}
		e.mux.Handle(context.Background(), req, w)
		if r := w.take(); w.deleted || len(r) != 1 || r[0].Text != e.text("es", "group_private_only", nil) {
			t.Fatalf("%+v: replies %+v, deleted %v", req, r, w.deleted)
		}
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a group message made a draft: %v", err)
	}
}

// An answer is limited by what the reporter typed: links hidden behind
// its words go with it; one too long is refused before the question is
// used up, so it can be sent again in parts.
func TestAnswerLengthCountsTypedText(t *testing.T) {
	tm := asked(t, "¿Dónde?")
	max := commands.DefaultLimits.MaxMessageRunes
	answer := func(text string) []commands.Reply {
		return tm.as(reporterID, "Rosa", commands.Request{Text: text, HiddenLinks: []string{"https://mapa.example/x"}, ReplyToBot: true, ReplyToID: "m1"})
	}
	if r := answer(strings.Repeat("b", max+1)); len(r) != 1 || r[0].Text != tm.text("en", "message_too_long", map[string]any{"Max": max}) {
		t.Fatalf("too long: %+v", r)
	}
	if r := answer(strings.Repeat("a", max-10)); len(r) != 1 || r[0].Text != tm.text("en", "answer_done", nil) {
		t.Fatalf("at the limit with a link: %+v", r)
	}
	if notice := tm.sent.sent["2002"]; len(notice) != 1 || !strings.Contains(notice[0].Text, "mapa[.]example") {
		t.Fatalf("the investigator got %d notices, the link shown: %v", len(notice), len(notice) == 1 && strings.Contains(notice[0].Text, "mapa"))
	}
}

// A tip's files go to the investigator with the notice that replaces one
// the platform refuses, in the investigator's language.
func TestTipFilesCarryTheMissingFileNotice(t *testing.T) {
	e := newEnv(t, nil)
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64))
	r := e.do(reporterID, commands.Request{Text: "la camioneta", FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	e.do(reporterID, commands.Request{Callback: press(r, "send:")})
	e.do(investigatorID, commands.Request{Command: "language", Args: "pt-BR"})
	r = e.do(investigatorID, commands.Request{Command: "tip", Args: "1"})
	if len(r) != 1 || len(r[0].Files) != 1 || r[0].FileMissing != e.text("pt-BR", "tip_attachment_missing", nil) {
		t.Fatalf("tip view: %d replies, files %d, notice %q", len(r), len(r[0].Files), r[0].FileMissing)
	}
}

// asked is a team where investigator 2002 (Ana) claimed tip 1, whose
// reporter allowed questions, and asked its reporter question.
func asked(t *testing.T, question string) *team {
	t.Helper()
	tm := newTeam(t)
	r := tm.as(adminID, "Admin", commands.Request{Command: "invite", Args: "investigator"})
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: codeRE.FindString(r[0].Text)})
	r = tm.as(reporterID, "Rosa", commands.Request{Text: "Cobran piso en el mercado"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	tm.as(reporterID, "Rosa", commands.Request{Callback: "fu:" + draft + ":1"})
	tm.as(reporterID, "Rosa", commands.Request{Callback: "send:" + draft})
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 " + question})
	return tm
}
