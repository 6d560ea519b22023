package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A group upgraded to a supergroup answers every call with its new chat id
// (migrate_to_chat_id). The errors Vigía returns, and so its logs, must not
// carry it: that id is the chat's, wherever the message was going.
func TestMigrateErrorCarriesNoChatID(t *testing.T) {
	const newChat = "-1009876543210"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
			return
		}
		_ = r.ParseMultipartForm(1 << 20)
		if strings.HasSuffix(r.URL.Path, "/sendMessage") && r.FormValue("text") == "ok" {
			fmt.Fprint(w, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":-4001,"type":"group"}}}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":`+newChat+`}}`)
	}))
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	digits := strings.TrimPrefix(newChat, "-100")
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if strings.Contains(err.Error(), digits) {
			t.Errorf("%s: the chat id is in %q", what, err)
		}
	}
	_, err = a.Send(ctx, "-4001", commands.Reply{Text: "x"})
	check("sendMessage", err)
	// The broadcaster still learns the new id, to move the subscription.
	var moved *commands.MovedError
	if !errors.As(err, &moved) || moved.To != newChat {
		t.Fatalf("sendMessage: %v is no MovedError to the new chat", err)
	}
	_, err = a.Send(ctx, "-4001", commands.Reply{Text: "ok", Files: []commands.File{{Attachment: tips.Attachment{Platform: Platform, Kind: tips.Photo, FileRef: "AgAD"}}}})
	check("sendPhoto", err)
	check("deleteMessage", a.DeleteMessage(ctx, "-4001", "7"))
	r := &replier{a: a, chatID: -4001, userID: 5, messageID: 7}
	_, err = r.IsChatAdmin(ctx)
	check("getChatMember", err)
	check("deleteMessage (request)", r.DeleteRequest(ctx))
	_, err = a.WipeChat(ctx, "4001", "7")
	check("deleteMessages", err)

	// Wrapped, as callers may pass it on.
	wrapped := fmt.Errorf("sending: %w", &bot.MigrateError{Message: "bad request: upgraded", MigrateToChatID: -1009876543210})
	if s := a.redact(wrapped); strings.Contains(s, digits) {
		t.Errorf("redact kept the chat id: %q", s)
	}
}
