package telegram

import (
	"testing"
)

// A message the sender forwards from themselves (a tip drafted in their
// Saved Messages, or posted to a group before) is their own words: not
// marked forwarded from a person, so the engine checks it for their own
// name and username as any they write (a signature "Saludos, Rosa
// Gómez"), and a link to their own account in it is their "@username",
// which the engine tells them of, not "tg://user". Still never a
// command. A forward from anyone else, or from a hidden user whatever
// the name shown (another "Rosa Gómez"), stays someone else's words.
// Mutation: ownForward always false (as before) -> fails (the sender's
// own forward marked from a person, its link "tg://user"); ownForward
// reading the hidden user's name too -> fails.
func TestForwardFromTheSenderThemselvesIsTheirOwnWords(t *testing.T) {
	a := testAdapter()
	const from = `"from":{"id":5550001,"first_name":"Rosa","last_name":"Gómez","username":"rosa_gomez_mx"}`
	const text = `"text":"/cancel cobran piso, me amenazó tg://user?id=5550001. Saludos, Rosa Gómez","entities":[{"type":"bot_command","offset":0,"length":7}]`
	for _, c := range []struct {
		origin string
		own    bool
	}{
		{`{"type":"user","date":1,"sender_user":{"id":5550001,"first_name":"Rosa","last_name":"Gómez"}}`, true},
		{`{"type":"user","date":1,"sender_user":{"id":777,"first_name":"Rosa","last_name":"Gómez"}}`, false},
		{`{"type":"hidden_user","date":1,"sender_user_name":"Rosa Gómez"}`, false},
	} {
		m := decode(t, `{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},`+from+`,"forward_origin":`+c.origin+`,`+text+`}`)
		req, ok := a.request(1, m)
		if !ok || req.Command != "" || req.Forward != nil {
			t.Fatalf("%s: ok %v, command %q, forward %+v", c.origin, ok, req.Command, req.Forward)
		}
		link := "tg://user."
		if c.own {
			link = "@rosa_gomez_mx."
		}
		want := "/cancel cobran piso, me amenazó " + link + " Saludos, Rosa Gómez"
		if req.ForwardedFromPerson == c.own || req.Text != want {
			t.Errorf("%s: forwarded from a person %v (own %v), text %q, want %q", c.origin, req.ForwardedFromPerson, c.own, req.Text, want)
		}
	}
}
