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
	// On behalf of a linked channel: not the group's admin; dropped, as before.
	if _, _, ok := translate(`{"update_id":7,"message":{"message_id":11,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"G"},
	"from":{"id":136817688,"is_bot":true,"first_name":"Channel","username":"Channel_Bot"},
	"sender_chat":{"id":-1002,"type":"channel","title":"C"},
	"text":"/subscribe","entities":[{"type":"bot_command","offset":0,"length":10}]}}`); ok {
		t.Fatal("a message on behalf of another chat was taken as the group's admin's")
	}
}
