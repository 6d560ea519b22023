package telegram

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A 429 is waited out (retry_after) and the message still goes, a bounded
// number of times; the reply text is escaped HTML.
func TestSendRetriesAfter429AndEscapes(t *testing.T) {
	var calls, limited atomic.Int32
	var lastText atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
		case strings.HasSuffix(r.URL.Path, "/sendMessage"):
			calls.Add(1)
			if limited.Load() < 1 {
				limited.Add(1)
				fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`)
				return
			}
			_ = r.ParseMultipartForm(1 << 20)
			lastText.Store(r.FormValue("text"))
			fmt.Fprint(w, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"}}}`)
		}
	}))
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if a.username != "VigiaBot" {
		t.Fatalf("username %q", a.username)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.Send(ctx, "5", commands.Reply{Text: `<b>x</b> & "y"`}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d sendMessage calls, want 2", calls.Load())
	}
	if got := lastText.Load(); got != "&lt;b&gt;x&lt;/b&gt; &amp; &#34;y&#34;" {
		t.Fatalf("text sent as %q", got)
	}

	// Always limited: gives up after maxRetries instead of looping forever.
	limited.Store(-100)
	calls.Store(0)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":0}}`)
	})
	if _, err := a.Send(ctx, "5", commands.Reply{Text: "x"}); err == nil {
		t.Fatal("a send that is always limited succeeded")
	}
	if calls.Load() != maxRetries+1 {
		t.Fatalf("%d attempts, want %d", calls.Load(), maxRetries+1)
	}
}

func TestBadTokenIsUnauthorized(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
	}))
	defer srv.Close()
	if _, err := New(context.Background(), Options{Token: "1:x", APIURL: srv.URL}); err != ErrUnauthorized {
		t.Fatalf("err = %v", err)
	}
}
