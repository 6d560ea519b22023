package telegram

import (
	"context"
	"html"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/locales"
)

// A private message that replies to a message in another chat quoting
// none of its words ("reply in another chat", nothing selected) keeps the
// reporter's words and tells them the other message's did not come (the
// Bot API gives no text of it: only a quote), and how to add them; who
// wrote it and where are never read. Quoted, or its file lost (told
// file_not_received instead), it says nothing of the kind; nor does a
// message that replies to nothing elsewhere.
// Mutation: QuoteLost never set (as before) -> the words are kept and
// nothing is said of the other message's, the test fails.
func TestAReplyFromAnotherChatWithoutAQuoteIsToldSo_quotes(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	lost := html.EscapeString(msg.Localize("en", "quote_not_received", nil))
	const elsewhere = `"external_reply":{"origin":{"type":"user","date":1,"sender_user":{"id":9990001,"is_bot":false,"first_name":"Halcón","username":"halcon_55"}},"chat":{"id":-1009990002,"type":"supergroup","title":"Vecinos Tonalá"},"message_id":4},`
	for i, c := range []struct {
		name, fields string
		told         bool
	}{
		{"no quote", elsewhere, true},
		{"a quote", elsewhere + `"quote":{"text":"pagas o te quemamos","position":0},`, false},
		{"its photo, no quote", strings.Replace(elsewhere, `"message_id":4`, `"message_id":4,"photo":[{"file_id":"P","file_unique_id":"p","width":1,"height":1}]`, 1), false},
		{"no reply", "", false},
	} {
		user := strconv.Itoa(660 + i)
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(760+i)+`,"message":{"message_id":`+strconv.Itoa(760+i)+`,"date":1,`+
			`"chat":{"id":`+user+`,"type":"private"},"from":{"id":`+user+`,"first_name":"R","language_code":"en"},`+c.fields+`"text":"esto me mandaron"}}`), albumPlace{})
		_, answers := removedAndAnswered(api.take(), 0)
		if d, err := st.Draft(context.Background(), st.Pseudonym(Platform, user)); err != nil || d.Parts != 1 {
			t.Errorf("%s: draft %+v (%v), want the words kept", c.name, d, err)
		}
		if len(answers) != 1 || strings.Contains(answers[0], lost) != c.told || strings.Contains(answers[0], "Halcón") || strings.Contains(answers[0], "Vecinos") {
			t.Errorf("%s: answers %q (told the words were lost: want %v)", c.name, answers, c.told)
		}
	}
	m := decode(t, `{"message_id":1,"date":1,"chat":{"id":670,"type":"private"},"from":{"id":670,"first_name":"R"},"text":"mira esto",`+
		`"external_reply":{"origin":{"type":"hidden_user","date":1,"sender_user_name":"Halcón"}},"quote":{"text":"  ","position":0}}`)
	if req, _ := a.request(1, m); !req.QuoteLost || req.Text != "mira esto" || strings.Contains(mustJSON(req), "Halcón") {
		t.Errorf("a blank quote: %+v", req)
	}
}
