package commands_test

import (
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// The same words are not the answer recorded when a question was asked
// since it: the reporter answered ¿Qué día? "Sí" (delivered, Ana told),
// Ana asked ¿Siguen ahí?, and "/reply CODE Sí" came once its time had
// ended, or once it was answered "No": the words are meant for the newer
// question. They were taken for the first answer sent again (its words'
// mark, AnsweredWith): told "delivered" (answer_done), though no question
// took them and the investigators were told nothing. They are told the
// time ended (answer_expired), or that no question is open (answer_none),
// as before the look for the words; the first answer untold ("qu:<n>",
// its outcome not known) is still found, as
// TestUnknownReplyCommandSentAgainIsTheSameAnswer_answers has it.
// Mutation: AnsweredWith matching every answered question's words, not
// only the newest one's or one still untold (d2e7138 as merged) → this
// fails (answer_done for both).
func TestReplySameWordsAfterANewerQuestionIsNotTheOldAnswer_rev5(t *testing.T) {
	for _, newer := range []string{"expired", "answered"} {
		t.Run(newer, func(t *testing.T) {
			tm, receipt := questioned(t, "¿Qué día?")
			if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " Sí", EventID: 717171}); !tm.answered(r) {
				t.Fatalf("/reply Sí: %q", texts(r))
			}
			tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Siguen ahí?"})
			want := tm.text("en", "answer_expired", map[string]any{"Period": "7 days"})
			if newer == "expired" {
				tm.clk.Add(8 * 24 * time.Hour)
			} else {
				if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " No", EventID: 717172}); !tm.answered(r) {
					t.Fatalf("/reply No: %q", texts(r))
				}
				want = tm.text("en", "answer_none", nil)
			}
			tm.notices(reporterID)
			tm.notices("2002")
			r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " Sí", EventID: 717173})
			if len(r) != 1 || r[0].Text != want {
				t.Fatalf("/reply Sí after a newer question %s: %q, want %q", newer, texts(r), want)
			}
			if n := tm.notices("2002"); len(n) != 0 {
				t.Fatalf("Ana was told %q", n)
			}
		})
	}
}
