package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// lostPNG is a picture the reporter sends again after one was lost.
var lostPNG = []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64))

// A file alone, sent as an answer (a reply to the question, or the
// message after Answer was pressed, /reply and a code), that could not
// be received is told
// as that: the file did not arrive, send it again (answer_file_alone_
// not_received); not file_not_received's "it is not in your tip", as no
// tip was being written to, nor answer_file_not_received's "a file that
// came with your answer", as no answer went. Nothing reaches the
// investigators, and the question stays open: words sent next answer it.
// A file announced too large is told the limit, as anywhere. Sent again
// as the note says, the file is kept as a tip's part, the question still
// open.
// Mutations: takeAnswer saying c.fileLost() for a file alone (as before)
// -> the reply and after-Answer cases fail; replyCommand answering
// reply_usage to a code alone whatever its file (as before) -> the
// /reply cases fail.
func TestAnAnswerOfALostFileAloneIsToldItWasNotReceived(t *testing.T) {
	for _, tc := range []struct {
		name  string
		press string // "" for a reply to the question; "/reply" for /reply CODE
		msg   commands.Request
		note  string
	}{
		{"reply", "", commands.Request{FileLost: true, ReplyToBot: true, ReplyToID: "m1", EventID: 5101}, "answer_file_alone_not_received"},
		{"answer pressed", "ans:1:1", commands.Request{FileLost: true, EventID: 5101}, "answer_file_alone_not_received"},
		{"reply, too large", "", commands.Request{FileLost: true, FileTooLarge: true, ReplyToBot: true, ReplyToID: "m1", EventID: 5101}, "file_too_large"},
		{"answer pressed, too large", "ans:1:1", commands.Request{FileLost: true, FileTooLarge: true, EventID: 5101}, "file_too_large"},
		{"/reply", "/reply", commands.Request{Command: "reply", FileLost: true, EventID: 5101}, "answer_file_alone_not_received"},
		{"/reply, too large", "/reply", commands.Request{Command: "reply", FileLost: true, FileTooLarge: true, EventID: 5101}, "file_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, receipt := questioned(t, "¿Qué le escribió?")
			tm.notices(reporterID)
			want := tm.text("en", tc.note, map[string]any{"MB": storage.MaxFileSize >> 20})
			for _, other := range []string{"file_not_received", "answer_file_not_received"} {
				if want == tm.text("en", other, nil) {
					t.Fatalf("%s says what %s says", tc.note, other)
				}
			}
			msg := tc.msg
			switch tc.press {
			case "":
			case "/reply":
				msg.Args = receipt // its code alone
			default:
				tm.as(reporterID, "Rosa", commands.Request{Callback: tc.press})
			}
			if r := tm.as(reporterID, "Rosa", msg); len(r) != 1 || r[0].Text != want {
				t.Fatalf("the file alone, lost: %q, want %q", texts(r), want)
			}
			if n := tm.notices("2002"); len(n) != 0 {
				t.Fatalf("Ana was told %q", n)
			}
			if !tc.msg.FileTooLarge {
				// Sent again as the note asks, the file is kept as a
				// tip's part, which the reporter can send (a reply or
				// after Answer: answer_file_as_tip says so); nothing
				// reaches Ana, and the question stays open.
				again := commands.Request{FileData: lostPNG, Attachment: &tips.Attachment{Kind: tips.Photo}, EventID: 5103}
				if tc.press == "" {
					again.ReplyToBot, again.ReplyToID = true, "m1"
				}
				r := tm.as(reporterID, "Rosa", again)
				if len(r) != 1 || press(r, "send:") == "" || tc.press != "/reply" && !strings.HasPrefix(r[0].Text, tm.text("en", "answer_file_as_tip", nil)) {
					t.Fatalf("the file sent again: %q", texts(r))
				}
				if n := tm.notices("2002"); len(n) != 0 {
					t.Fatalf("Ana was told %q", n)
				}
			}
			answer := commands.Request{Text: "Que me callara", EventID: 5102}
			switch tc.press {
			case "":
				answer.ReplyToBot, answer.ReplyToID = true, "m1"
			case "/reply":
				answer.Command, answer.Args, answer.Text = "reply", receipt+" Que me callara", ""
			}
			if r := tm.as(reporterID, "Rosa", answer); !tm.answered(r) {
				t.Fatalf("the words sent next: %q", texts(r))
			}
			if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué le escribió?", "Que me callara") {
				t.Fatalf("Ana was told %q", n)
			}
		})
	}
}
