package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// /reply and /warn that came with a file that could not be received (too
// large, or the file of the message replied to in another chat) tell the
// reporter after their answer is delivered, or their warning received,
// as an answer after Answer does: the file is in neither. A warning holds
// words only: it is told to send the file as a tip; so is an answer, in
// words of its own (answer_file_not_received), not file_not_received's
// "it is not in your tip", which no tip was being written to.
// Mutations: replyCommand and warn not reading FileLost (as before) ->
// one answer each, no word of the file, the test fails; answerFileLost
// returning "file_not_received" (as before) -> the /reply and the
// answer-after-Answer cases fail.
func TestReplyAndWarnTellOfAFileLost_quotes(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué le escribió?")
	notReceived := tm.text("en", "answer_file_not_received", nil)
	if notReceived == tm.text("en", "file_not_received", nil) {
		t.Fatal("answer_file_not_received says what file_not_received says")
	}
	tooLarge := tm.text("en", "file_too_large", map[string]any{"MB": storage.MaxFileSize >> 20})
	r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " esta foto", FileLost: true})
	if len(r) != 2 || !tm.answered(r[:1]) || r[1].Text != notReceived {
		t.Errorf("/reply, its file lost: %q", texts(r))
	}
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Y después?"})
	r = tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " este video", FileLost: true, FileTooLarge: true})
	if len(r) != 2 || !tm.answered(r[:1]) || r[1].Text != tooLarge {
		t.Errorf("/reply, its file too large: %q", texts(r))
	}
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Y el lunes?"})
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:3"})
	r = tm.as(reporterID, "Rosa", commands.Request{Text: "esta captura", FileLost: true})
	if len(r) != 2 || !tm.answered(r[:1]) || r[1].Text != notReceived {
		t.Errorf("an answer after Answer, its file lost: %q", texts(r))
	}
	r = tm.as("7450", "Rosa", commands.Request{Command: "warn", Args: "hay halcones en la plaza", FileLost: true})
	if len(r) != 2 || receiptRE.FindString(r[0].Text) == "" || r[1].Text != tm.text("en", "warn_file_not_received", nil) {
		t.Errorf("/warn, its file lost: %q", texts(r))
	}
	r = tm.as("7451", "Rosa", commands.Request{Command: "warn", Args: "hay halcones en la plaza", FileLost: true, FileTooLarge: true})
	if len(r) != 2 || receiptRE.FindString(r[0].Text) == "" || r[1].Text != tooLarge {
		t.Errorf("/warn, its file too large: %q", texts(r))
	}
	r = tm.as("7452", "Rosa", commands.Request{Command: "warn", Args: "hay halcones en la plaza"})
	if len(r) != 1 || receiptRE.FindString(r[0].Text) == "" {
		t.Errorf("/warn, no file: %q", texts(r))
	}
}
