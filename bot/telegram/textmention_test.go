package telegram

import (
	"fmt"
	"slices"
	"testing"
)

// A mention of an account with no username, picked by its name (a
// text_mention: Telegram hands on the account, the text shows only the
// name), is kept as the link to that account, "tg://user?id=ID", as a
// hidden "tg://user?id=ID" text_link is: the name alone ("Juan") names
// no account, and the extortionist's is evidence. In a caption and a
// forward too. One to the sender's own account is not kept (investigators
// would read who reported), nor one with no account or a bad id; one the
// text shows already is not added twice. Before, every text_mention was
// dropped and the account lost.
func TestTextMentionIsKeptAsALinkToItsAccount(t *testing.T) {
	a := testAdapter()
	const sender = `"from":{"id":5550001,"first_name":"Rosa"}`
	mention := func(user string) string {
		return fmt.Sprintf(`[{"type":"text_mention","offset":11,"length":4,"user":%s}]`, user)
	}
	for _, c := range []struct {
		name, message string
		want          []string
	}{
		{"another's account", `"text":"me amenaza Juan","entities":` + mention(`{"id":777,"is_bot":false,"first_name":"Juan"}`), []string{"tg://user?id=777"}},
		{"in a caption", `"caption":"me amenaza Juan","caption_entities":` + mention(`{"id":777,"is_bot":false,"first_name":"Juan"}`) +
			`,"photo":[{"file_id":"P","file_unique_id":"a","width":1,"height":1}]`, []string{"tg://user?id=777"}},
		{"in a forward", `"text":"me amenaza Juan","entities":` + mention(`{"id":777,"is_bot":false,"first_name":"Juan"}`) +
			`,"forward_origin":{"type":"hidden_user","date":1,"sender_user_name":"Pedro"}`, []string{"tg://user?id=777"}},
		{"twice", `"text":"me amenaza Juan Juan","entities":[{"type":"text_mention","offset":11,"length":4,"user":{"id":777,"is_bot":false,"first_name":"Juan"}},` +
			`{"type":"text_mention","offset":16,"length":4,"user":{"id":777,"is_bot":false,"first_name":"Juan"}}]`, []string{"tg://user?id=777"}},
		{"shown in the text", `"text":"me amenaza Juan tg://user?id=777","entities":` + mention(`{"id":777,"is_bot":false,"first_name":"Juan"}`), nil},
		{"the sender's own", `"text":"me amenaza Rosa","entities":` + mention(`{"id":5550001,"is_bot":false,"first_name":"Rosa"}`), nil},
		{"no account", `"text":"me amenaza Juan","entities":[{"type":"text_mention","offset":11,"length":4}]`, nil},
		{"a bad id", `"text":"me amenaza Juan","entities":` + mention(`{"id":0,"is_bot":false,"first_name":"Juan"}`), nil},
	} {
		m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},`+sender+`,`+c.message+`}`)
		req, ok := a.request(1, m)
		if !ok || !slices.Equal(req.HiddenLinks, c.want) {
			t.Errorf("%s: links %q, want %q", c.name, req.HiddenLinks, c.want)
		}
	}
}

// In a group a text_mention is not kept: a /warn there is published to
// the communities once investigators approve it, and the member it names
// may be the one who told the group ("gracias Ana"); the poster showed
// only a name, and the account would travel with the warning. A hidden
// link the poster wrote behind words is kept as before.
func TestTextMentionInAGroupIsNotKept(t *testing.T) {
	a := testAdapter()
	const head = `{"message_id":1,"date":1,"chat":{"id":-1001234,"type":"supergroup","title":"Barrio"},"from":{"id":5550001,"first_name":"Rosa"},`
	m := decode(t, head+`"text":"/warn retén falso en la salida, gracias Ana","entities":[{"type":"bot_command","offset":0,"length":5},`+
		`{"type":"text_mention","offset":41,"length":3,"user":{"id":777,"is_bot":false,"first_name":"Ana"}}]}`)
	req, ok := a.request(1, m)
	if !ok || req.Command != "warn" {
		t.Fatalf("not read as /warn: %+v", req)
	}
	if len(req.HiddenLinks) != 0 {
		t.Errorf("a group's /warn keeps the mentioned member's account: %q", req.HiddenLinks)
	}
	m = decode(t, head+`"text":"/warn retén falso, ver aquí","entities":[{"type":"bot_command","offset":0,"length":5},`+
		`{"type":"text_link","offset":19,"length":4,"url":"https://example.org/reten"}]}`)
	if req, _ := a.request(1, m); !slices.Equal(req.HiddenLinks, []string{"https://example.org/reten"}) {
		t.Errorf("a group's hidden link: %q, want it kept", req.HiddenLinks)
	}
}
