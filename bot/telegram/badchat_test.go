package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A chat id that is no number (a route or subscription damaged) is never
// sent to: the send is refused, not of unknown outcome (an /ask question
// to it was recorded as asked, keeping its place among the open ones,
// and a warning to it counted unconfirmed, never tried again), and so is
// a delete.
// Mutation: sendTo's "bad chat id" error without commands.ErrRefused (as
// before) → the send check fails.
func TestTelegramBadChatIDIsRefused(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
			return
		}
		calls.Add(1)
		fmt.Fprint(w, `{"ok":true,"result":{"message_id":5,"date":0,"chat":{"id":1,"type":"private"}}}`)
	}))
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, chat := range []string{"", "tg-4001", "4001.5"} {
		ids, err := a.Send(context.Background(), chat, commands.Reply{Text: "¿Dónde?"})
		if !errors.Is(err, commands.ErrRefused) || len(ids) != 0 {
			t.Errorf("send to %q: %v %v, want refused", chat, ids, err)
		}
		if _, err := a.SendNoWait(context.Background(), chat, commands.Reply{Text: "¿Dónde?"}); !errors.Is(err, commands.ErrRefused) {
			t.Errorf("send (no wait) to %q: %v, want refused", chat, err)
		}
		if err := a.DeleteMessage(context.Background(), chat, "7"); !errors.Is(err, commands.ErrRefused) {
			t.Errorf("delete in %q: %v, want refused", chat, err)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests sent to a chat with no id", n)
	}
}
