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

// "/report <words>" sent as a reply in another chat, quoting words of
// the message it answers there (a threat), keeps those words in the tip,
// first, as quoted; so does a bare "/report" so sent, the quote its
// tip. Who wrote them (the other message's origin) is not kept, and a
// link in them to the reporter's own account names no one. Mutation:
// withElsewhere left to messages without a command (as before) -> the
// quote is dropped (a bare "/report" answered report_how), the test
// fails.
func TestReportInAReplyFromAnotherChatKeepsTheQuote_telegram(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	const quote = "te vamos a matar tg://user?id=650\nsi no pagas"
	const kept = "> te vamos a matar tg://user\n> si no pagas"
	for i, c := range []struct{ name, body, want string }{
		{"/report <words>", `"text":"/report me llegó esto","entities":[{"type":"bot_command","offset":0,"length":7}]`, kept + "\n\nme llegó esto"},
		{"a bare /report", `"text":"/report","entities":[{"type":"bot_command","offset":0,"length":7}]`, kept},
	} {
		user := strconv.Itoa(650 + i)
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(750+i)+`,"message":{"message_id":`+strconv.Itoa(750+i)+`,"date":1,`+
			`"chat":{"id":`+user+`,"type":"private"},"from":{"id":`+user+`,"first_name":"R","language_code":"en"},`+
			`"external_reply":{"origin":{"type":"user","date":1,"sender_user":{"id":9990001,"is_bot":false,"first_name":"Halcón","username":"halcon_55"}},"chat":{"id":-1009990002,"type":"supergroup","title":"Vecinos Tonalá"},"message_id":4},`+
			`"quote":{"text":`+strconv.Quote(strings.Replace(quote, "650", user, 1))+`,"position":0},`+c.body+`}}`), albumPlace{})
		_, answers := removedAndAnswered(api.take(), 0)
		d, err := st.Draft(context.Background(), st.Pseudonym(Platform, user))
		if err != nil || d.Parts != 1 || d.Chars != len([]rune(c.want)) {
			t.Errorf("%s: draft %+v (%v), want 1 part of %d characters (%q)", c.name, d, err, len([]rune(c.want)), c.want)
		}
		if len(answers) != 1 || strings.Contains(answers[0], "Halcón") || strings.Contains(answers[0], "Vecinos") {
			t.Errorf("%s: answers %q", c.name, answers)
		}
	}
	// What reaches the engine: the quote apart, the command's words as typed.
	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":650,"type":"private"},"from":{"id":650,"first_name":"R"},`+
		`"external_reply":{"origin":{"type":"hidden_user","date":1,"sender_user_name":"Halcón"}},"quote":{"text":`+strconv.Quote(quote)+`,"position":0},`+
		`"text":"/report me llegó esto","entities":[{"type":"bot_command","offset":0,"length":7}]}`)
	req, _ := a.request(1, m)
	if req.Command != "report" || req.Args != "me llegó esto" || req.Quote != "te vamos a matar tg://user\nsi no pagas" || strings.Contains(mustJSON(req), "Halcón") {
		t.Errorf("request: command %q args %q quote %q", req.Command, req.Args, req.Quote)
	}
}
