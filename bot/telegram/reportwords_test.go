package telegram

import (
	"context"
	"html"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/locales"
)

// In a private chat, "/report <words>" and "/report@VigiaBot <words>"
// both keep the words as the tip, as the same words sent without the
// command would be (the draft started, its categories offered), not
// answered "write it as a message" with the words dropped, to be typed
// again; so do its aliases, its name in any case. A bare "/report"
// (spaces after it too) still explains how to send one, keeping nothing.
// Mutation: report() answering report_how whatever follows the command
// (as before) -> every form is told "write it as a message", nothing
// kept, the test fails.
func TestReportWithWordsInPrivateKeepsThem(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := func(id string) string { return html.EscapeString(msg.Localize("en", id, nil)) }
	const words = "cobran piso en Tonalá cada viernes"
	for i, c := range []struct{ name, body, want string }{
		{"/report <words>", `"text":"/report ` + words + `","entities":[{"type":"bot_command","offset":0,"length":7}]`, words},
		{"/report@VigiaBot <words>", `"text":"/report@VigiaBot ` + words + `","entities":[{"type":"bot_command","offset":0,"length":16}]`, words},
		{"/denunciar@vigiabot <words>", `"text":"/denunciar@vigiabot ` + words + `","entities":[{"type":"bot_command","offset":0,"length":19}]`, words},
		{"a bare /report", `"text":"/report","entities":[{"type":"bot_command","offset":0,"length":7}]`, ""},
		{"a bare /report@VigiaBot", `"text":"/report@VigiaBot  ","entities":[{"type":"bot_command","offset":0,"length":16}]`, ""},
	} {
		user := strconv.Itoa(600 + i)
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(700+i)+`,"message":{"message_id":`+strconv.Itoa(700+i)+`,"date":1,`+
			`"chat":{"id":`+user+`,"type":"private"},"from":{"id":`+user+`,"first_name":"R","language_code":"en"},`+c.body+`}}`), albumPlace{})
		_, answers := removedAndAnswered(api.take(), 0)
		d, err := st.Draft(context.Background(), st.Pseudonym(Platform, user))
		if c.name == "a bare /report" || c.name == "a bare /report@VigiaBot" {
			if len(answers) != 1 || answers[0] != en("report_how") || err == nil {
				t.Errorf("%s: answers %q, draft %+v (%v); want report_how and no draft", c.name, answers, d, err)
			}
			continue
		}
		if err != nil || d.Parts != 1 || d.Chars != len([]rune(c.want)) {
			t.Errorf("%s: draft %+v (%v), want 1 part of %d characters (%q)", c.name, d, err, len([]rune(c.want)), c.want)
		}
		if len(answers) != 1 || !strings.Contains(answers[0], en("draft_started")) {
			t.Errorf("%s: answers %q, want the draft started", c.name, answers)
		}
	}
}
