package commands_test

import (
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A file alone sent with /reply and a code, not received, whose tip has
// no question open (none asked, the one asked answered, or expired), is
// told so: the file did not arrive, send it again as a tip's part
// (reply_file_alone_not_received); not answer_file_alone_not_received's
// "to answer the question, write your answer in words", as there is no
// question to answer. With a question open, that note stays (the
// /reply cases of TestAnAnswerOfALostFileAloneIsToldItWasNotReceived).
// Mutation: replyCommand saying answerFileAloneLost whatever the tip's
// questions (as before) -> every case fails.
func TestReplyOfALostFileToATipWithNoOpenQuestion(t *testing.T) {
	for _, tc := range []struct {
		name      string
		questions []string
		then      func(tm *team, receipt string)
	}{
		{"none asked", nil, func(*team, string) {}},
		{"answered", []string{"¿Qué le escribió?"}, func(tm *team, receipt string) {
			if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " Que me callara"}); !tm.answered(r) {
				t.Fatalf("the answer: %q", texts(r))
			}
		}},
		{"expired", []string{"¿Qué le escribió?"}, func(tm *team, _ string) { tm.clk.Add(8 * 24 * time.Hour) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, receipt := questioned(t, tc.questions...)
			tc.then(tm, receipt)
			tm.notices(reporterID)
			tm.notices("2002")
			want := tm.text("en", "reply_file_alone_not_received", nil)
			if want == tm.text("en", "answer_file_alone_not_received", nil) {
				t.Fatal("the notes say the same")
			}
			r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt, FileLost: true, EventID: 5101})
			if len(r) != 1 || r[0].Text != want {
				t.Fatalf("/reply CODE, its file lost: %q, want %q", texts(r), want)
			}
			if n := tm.notices("2002"); len(n) != 0 {
				t.Fatalf("Ana was told %q", n)
			}
		})
	}
}
