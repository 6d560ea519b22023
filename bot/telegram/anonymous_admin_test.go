package telegram

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/commands"
)

// An anonymous group admin posts as the group itself, from
// GroupAnonymousBot (a bot): their /subscribe is handled as the group's
// admin's, as a channel's own post is. A member posting on behalf of
// another chat (a linked channel) is not an admin of the group.
func TestAnonymousAdminPostsAsTheGroup(t *testing.T) {
	a := testAdapter()
	translate := func(raw string) (commands.Request, *replier, bool) {
		t.Helper()
		var u models.Update
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			t.Fatal(err)
		}
		return a.translate(&u)
	}
	req, w, ok := translate(`{"update_id":5,"message":{"message_id":9,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
	"sender_chat":{"id":-1001,"type":"supergroup","title":"G"},
	"text":"/subscribe Ciudad Juárez, norte","entities":[{"type":"bot_command","offset":0,"length":10}]}}`)
	if !ok || req.Command != "subscribe" || req.Args != "Ciudad Juárez, norte" || req.ChatID != "-1001" || req.ChatKind != commands.Group || !req.Addressed {
		t.Fatalf("anonymous admin's /subscribe: handled %v, %+v", ok, req)
	}
	if admin, err := w.IsChatAdmin(context.Background()); !admin || err != nil {
		t.Fatalf("anonymous admin not taken as the group's admin: %v %v", admin, err)
	}
	if !req.PostedAsChat { // (its warnings count as one reporter with every other chat's)
		t.Fatalf("posted as the chat, not marked so: %+v", req)
	}
	if req.UserID == "1087968824" || req.Name != "" {
		t.Fatalf("the request names GroupAnonymousBot as the sender: %+v", req)
	}
	if w.messageID != 9 {
		t.Fatalf("the message cannot be deleted: %+v", w)
	}
	// Not a command: left alone, as a channel's posts are.
	if _, _, ok := translate(`{"update_id":6,"message":{"message_id":10,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
	"sender_chat":{"id":-1001,"type":"supergroup","title":"G"},"text":"hola a todos"}}`); ok {
		t.Fatal("an anonymous admin's ordinary message was handled")
	}
	// One with code-like words (an invitation code pasted in the wrong
	// chat): handed on, for the engine to void and remove a live one.
	req, w, ok = translate(`{"update_id":6,"message":{"message_id":10,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
	"sender_chat":{"id":-1001,"type":"supergroup","title":"G"},"text":"entren al equipo con K7QD-9XMA-2B4C-ZZ81"}}`)
	if !ok || req.Addressed || req.Command != "" || req.Text != "entren al equipo con K7QD-9XMA-2B4C-ZZ81" || w.messageID != 10 {
		t.Fatalf("an anonymous admin's message with a code: handled %v, %+v", ok, req)
	}
	// On behalf of another chat (a linked channel, a member's own): handled
	// as that chat's, not as the group's admin.
	req, w, ok = translate(`{"update_id":7,"message":{"message_id":11,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":136817688,"is_bot":true,"first_name":"Channel","username":"Channel_Bot"},
	"sender_chat":{"id":-1002,"type":"channel","title":"C"},
	"text":"/subscribe","entities":[{"type":"bot_command","offset":0,"length":10}]}}`)
	if !ok || req.Command != "subscribe" || req.UserID != "chan-1002" || !req.PostedAsChat {
		t.Fatalf("/subscribe on behalf of another chat: handled %v, %+v", ok, req)
	}
	if admin, err := w.IsChatAdmin(context.Background()); admin || err != nil {
		t.Fatalf("a message on behalf of another chat was taken as the group's admin's: %v %v", admin, err)
	}
	// A tip to the bot on behalf of a member's own channel (its name may
	// name them): handed on, for the engine to remove; chatter is not.
	req, w, ok = translate(`{"update_id":8,"message":{"message_id":12,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":136817688,"is_bot":true,"first_name":"Channel","username":"Channel_Bot"},
	"sender_chat":{"id":-1004444,"type":"channel","title":"Rosalinda R.","username":"rosa_r"},
	"text":"@VigiaBot el Chapo cobra piso en la 5a","entities":[{"type":"mention","offset":0,"length":9}]}}`)
	if !ok || !req.Addressed || req.Command != "" || req.UserID != "chan-1004444" || req.Name != "" || w.messageID != 12 {
		t.Fatalf("a tip on behalf of a member's channel: handled %v, %+v", ok, req)
	}
	if _, _, ok := translate(`{"update_id":9,"message":{"message_id":13,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":136817688,"is_bot":true,"first_name":"Channel","username":"Channel_Bot"},
	"sender_chat":{"id":-1004444,"type":"channel","title":"Rosalinda R."},"text":"buenos días"}}`); ok {
		t.Fatal("chatter on behalf of a channel was handled")
	}
	// The same from an anonymous admin (posted as the group).
	req, _, ok = translate(`{"update_id":10,"message":{"message_id":14,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
	"sender_chat":{"id":-1001,"type":"supergroup","title":"G"},
	"text":"@VigiaBot el Chapo cobra piso en la 5a","entities":[{"type":"mention","offset":0,"length":9}]}}`)
	if !ok || !req.Addressed || req.Command != "" {
		t.Fatalf("a tip to the bot from an anonymous admin: handled %v, %+v", ok, req)
	}
	// An anonymous admin's message linking words to a code-like word (an
	// invitation pasted as a link): handed on with its link, for the
	// engine to void and remove a live one.
	req, _, ok = translate(`{"update_id":12,"message":{"message_id":15,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
	"sender_chat":{"id":-1001,"type":"supergroup","title":"G"},
	"text":"entren aquí","entities":[{"type":"text_link","offset":0,"length":11,"url":"https://example.org/i?c=K7QD-9XMA-2B4C-ZZ81"}]}}`)
	if !ok || len(req.HiddenLinks) != 1 {
		t.Fatalf("an anonymous admin's code-like word in a hidden link: handled %v, %+v", ok, req)
	}
	// A channel's own announcement naming the bot, with a command in it:
	// the channel's post, not a tip in view (only its command is for the
	// bot, and only at its start).
	req, _, ok = translate(`{"update_id":11,"channel_post":{"message_id":5,"date":1,"chat":{"id":-1001,"type":"channel","title":"Noticias"},` +
		`"sender_chat":{"id":-1001,"type":"channel","title":"Noticias"},"text":"Reporten en privado: envien /report a @VigiaBot",` +
		`"entities":[{"type":"bot_command","offset":28,"length":7},{"type":"mention","offset":38,"length":9}]}}`)
	if ok && (req.Addressed || req.ReplyToBot) {
		t.Fatalf("a channel's announcement naming the bot taken as addressed to it: %+v", req)
	}
}

// An anonymous admin's post edited to put a code in view (words linked to
// an invitation, or the code written out) is handed on as an edit of the
// group's conversation, for the engine to void and remove a live one, as
// a member's edit is; edited to anything else, it is left alone.
func TestAnonymousAdminsEditWithACodeIsHandled(t *testing.T) {
	a := testAdapter()
	edit := func(body string) (commands.Request, *replier, bool) {
		t.Helper()
		var u models.Update
		raw := `{"update_id":21,"edited_message":{"message_id":15,"date":1,"edit_date":2,"chat":{"id":-1001,"type":"supergroup","title":"G"},
		"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
		"sender_chat":{"id":-1001,"type":"supergroup","title":"G"},` + body + `}}`
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			t.Fatal(err)
		}
		return a.translate(&u)
	}
	req, w, ok := edit(`"text":"entren aquí","entities":[{"type":"text_link","offset":0,"length":11,"url":"https://example.org/i?c=K7QD-9XMA-2B4C-ZZ81"}]`)
	if !ok || len(req.HiddenLinks) != 1 || !req.Edited || req.Addressed || req.ChatID != "-1001" || w == nil || w.messageID != 15 {
		t.Fatalf("an anonymous admin's post edited to link a code: handled %v, %+v", ok, req)
	}
	if req, _, ok := edit(`"text":"el código es K7QD-9XMA-2B4C-ZZ81"`); !ok || !req.Edited || req.Addressed {
		t.Fatalf("an anonymous admin's post edited to hold a code: handled %v, %+v", ok, req)
	}
	if _, _, ok := edit(`"text":"reunión el jueves"`); ok {
		t.Fatal("an anonymous admin's post edited without a code is handed on")
	}
}
