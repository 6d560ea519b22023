package telegram

import (
	"encoding/json"
	"testing"

	"github.com/go-telegram/bot/models"
)

// A code written across a post's text and a link it shows as words (the
// text ends with its first groups, "mira K7QD-9XMA", the rest in the
// address of the linked word: "…?c=2B4C-ZZ81") is handed on, for the
// engine to void and remove a live invitation: the engine reads the
// text and the links joined as well as each on its own
// (tips.MessageCodesIn), and so does codeLike, which decides what it
// sees of a channel's post, an anonymous admin's and an edit in a group.
// Mutation: codeLike reading the text and each link only on its own (as
// before) -> none of them is handed on (the invitation stays live in
// view).
func TestACodeAcrossTextAndHiddenLinkIsHandedOn(t *testing.T) {
	a := testAdapter()
	const text = `"text":"mira K7QD-9XMA","entities":[{"type":"text_link","offset":0,"length":4,"url":"https://example.org/i?c=2B4C-ZZ81"}]`
	for _, raw := range []string{
		// A channel's own post.
		`{"update_id":31,"channel_post":{"message_id":5,"date":1,"chat":{"id":-1001,"type":"channel","title":"Noticias"},
		"sender_chat":{"id":-1001,"type":"channel","title":"Noticias"},` + text + `}}`,
		// An anonymous admin's post in a group.
		`{"update_id":32,"message":{"message_id":15,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
		"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
		"sender_chat":{"id":-1001,"type":"supergroup","title":"G"},` + text + `}}`,
		// A member's message in a group, edited to hold it.
		`{"update_id":33,"edited_message":{"message_id":16,"date":1,"edit_date":2,"chat":{"id":-1001,"type":"supergroup","title":"G"},
		"from":{"id":4242,"is_bot":false,"first_name":"Ana"},` + text + `}}`,
	} {
		var u models.Update
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			t.Fatal(err)
		}
		if req, _, ok := a.translate(&u); !ok || len(req.HiddenLinks) != 1 {
			t.Errorf("update %d: a code across the text and a hidden link: handled %v, %+v", u.ID, ok, req)
		}
	}
}
