package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Deleting a message already deleted (400 "message to delete not found")
// is ErrMessageGone: a retraction counts it deleted. Another refusal
// ("message can't be deleted") is not.
// Mutation: DeleteMessage without the "not found" case → the first check
// fails.
func TestTelegramDeleteOfAMessageAlreadyGone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
			return
		}
		_ = r.ParseMultipartForm(1 << 20)
		w.WriteHeader(http.StatusBadRequest)
		if r.FormValue("message_id") == "7" {
			fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: message to delete not found"}`)
			return
		}
		fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: message can't be deleted"}`)
	}))
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	err = a.DeleteMessage(context.Background(), "-4001", "7")
	if !errors.Is(err, commands.ErrMessageGone) {
		t.Errorf("not found: %v, want ErrMessageGone", err)
	}
	err = a.DeleteMessage(context.Background(), "-4001", "8")
	if !errors.Is(err, commands.ErrRefused) || errors.Is(err, commands.ErrMessageGone) {
		t.Errorf("can't be deleted: %v, want a refusal", err)
	}
	if strings.Contains(err.Error(), "4001") || strings.Contains(err.Error(), "ABCDEFGH") {
		t.Errorf("an id or the token is in %q", err)
	}
}

// A group member's message already gone when the bot deletes it (its
// author or the chat's admins removed it) is not in view: removed, not
// "delete it now".
func TestGroupMessageAlreadyGoneIsRemoved(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: message to delete not found"}`)
	}))
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if err := (&replier{a: a, chatID: -4001, messageID: 7}).DeleteRequest(context.Background()); err != nil {
		t.Errorf("a message gone already: %v, want removed", err)
	}
}
