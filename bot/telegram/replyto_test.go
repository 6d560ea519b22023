package telegram

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A reply to a message (a retracted warning's correction, to its copy)
// goes as one, on its first message only, and all the same if that
// message is gone.
// Mutation: send ignoring rep.ReplyTo → no reply_parameters.
func TestSendAsAReply(t *testing.T) {
	var mu sync.Mutex
	var params []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
		case strings.HasSuffix(r.URL.Path, "/sendMessage"):
			_ = r.ParseMultipartForm(1 << 20)
			mu.Lock()
			params = append(params, r.FormValue("reply_parameters"))
			mu.Unlock()
			fmt.Fprint(w, `{"ok":true,"result":{"message_id":9,"date":1,"chat":{"id":-5,"type":"supergroup"}}}`)
		}
	}))
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("palabra ", 1000) // several messages
	if _, err := a.Send(context.Background(), "-5", commands.Reply{Text: long, ReplyTo: "77"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(context.Background(), "-5", commands.Reply{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(params) < 3 || params[0] != `{"message_id":77,"allow_sending_without_reply":true}` || slices.ContainsFunc(params[1:], func(p string) bool { return p != "" }) {
		t.Fatalf("reply_parameters sent: %q, want the first message alone to reply", params)
	}
}
