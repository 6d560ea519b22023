package telegram

import (
	"encoding/json"
	"testing"

	"github.com/go-telegram/bot/models"
)

// A channel's own post is marked ChannelPost, for the engine to speak of
// a channel there (its /help: help_channel), not of a group; a group's
// anonymous admin's post, or a member's on behalf of a channel in a
// group, is not: it is in a group.
// Mutation: chatRequest not setting ChannelPost -> the channel's /help is
// not marked, the test fails.
func TestAChannelsPostIsMarkedAsOne(t *testing.T) {
	a := testAdapter()
	for _, c := range []struct {
		name, raw string
		channel   bool
	}{
		{"a channel's post", `{"update_id":1,"channel_post":{"message_id":5,"date":1,"chat":{"id":-1001,"type":"channel","title":"Noticias"},` +
			`"sender_chat":{"id":-1001,"type":"channel","title":"Noticias"},"text":"/help","entities":[{"type":"bot_command","offset":0,"length":5}]}}`, true},
		{"an anonymous admin's post", `{"update_id":2,"message":{"message_id":9,"date":1,"chat":{"id":-1002,"type":"supergroup","title":"G"},` +
			`"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},` +
			`"sender_chat":{"id":-1002,"type":"supergroup","title":"G"},"text":"/help","entities":[{"type":"bot_command","offset":0,"length":5}]}}`, false},
		{"a post on behalf of a channel in a group", `{"update_id":3,"message":{"message_id":11,"date":1,"chat":{"id":-1002,"type":"supergroup","title":"G"},` +
			`"from":{"id":136817688,"is_bot":true,"first_name":"Channel","username":"Channel_Bot"},` +
			`"sender_chat":{"id":-1003,"type":"channel","title":"C"},"text":"/help","entities":[{"type":"bot_command","offset":0,"length":5}]}}`, false},
	} {
		var u models.Update
		if err := json.Unmarshal([]byte(c.raw), &u); err != nil {
			t.Fatal(err)
		}
		req, _, ok := a.translate(&u)
		if !ok || req.Command != "help" || req.ChannelPost != c.channel {
			t.Errorf("%s: handled %v, command %q, ChannelPost %v; want %v", c.name, ok, req.Command, req.ChannelPost, c.channel)
		}
	}
}
