package telegram

import (
	"context"
	"html"
	"strconv"
	"testing"

	"github.com/vigia-project/vigia/locales"
)

// /help typed under its name in one language ("/ayuda") is answered in
// that language, whatever the chat's: whoever typed the word reads it.
// "/help" itself, the name in every language's command menu, keeps the
// chat's language (the app's here); so does a word several languages
// share.
func TestHelpInTheLanguageOfItsWord(t *testing.T) {
	mux, _ := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ app, chat, text, want string }{
		{"en", "private", "/ayuda", "es"},
		{"en", "private", "/AYUDA", "es"},
		{"en", "private", "/aide", "fr"},
		{"es", "private", "/ajuda", "pt-BR"},
		{"fr", "private", "/ayuda@VigiaBot", "es"},
		{"es", "private", "/help", "es"},
		{"pt-br", "private", "/help", "pt-BR"},
		{"en", "supergroup", "/ayuda@VigiaBot", "es"},
		{"es", "supergroup", "/help@VigiaBot", "es"},
	}
	for i, c := range cases {
		id := strconv.Itoa(500 + i)
		user := strconv.Itoa(7000 + i) // each a chat of its own: no language chosen before
		chat := user
		if c.chat != "private" {
			chat = "-100" + user
		}
		a.handle(context.Background(), mux, update(t, `{"update_id":`+id+`,"message":{"message_id":`+id+`,"date":1,`+
			`"chat":{"id":`+chat+`,"type":"`+c.chat+`"},"from":{"id":`+user+`,"first_name":"x","language_code":"`+c.app+`"},`+
			`"text":`+mustJSON(c.text)+`,"entities":`+cmdEntity("", c.text)+`}}`), albumPlace{})
		msgID := "help"
		if c.chat != "private" {
			msgID = "help_group" // (tips go to a private chat)
		}
		want := html.EscapeString(msg.Localize(c.want, msgID, nil))
		if calls := api.take(); len(calls) != 1 || calls[0].fields["text"] != want {
			t.Errorf("%s from a %s app in a %s chat: %+v, want the help in %s", c.text, c.app, c.chat, calls, c.want)
		}
	}
}
