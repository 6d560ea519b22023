package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// groupAPI is a fake Bot API for one group: it numbers the messages it
// takes, and fails the sendMessage calls numbered in fail with a 500.
type groupAPI struct {
	mu    sync.Mutex
	calls int
	texts []string
	fail  map[int]bool
}

func (g *groupAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseMultipartForm(1 << 22)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/getMe"):
		fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
	case strings.HasSuffix(r.URL.Path, "/sendMessage"):
		g.calls++
		if g.fail[g.calls] {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
			return
		}
		g.texts = append(g.texts, r.FormValue("text"))
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":1,"chat":{"id":-100,"type":"supergroup"}}}`, 100+len(g.texts))
	}
}

// A long text goes out as several messages: Send returns the id of every
// one (also of those sent before a later one failed), and a short first
// line (the warning's header) stays with the text under it.
func TestSendReturnsEveryMessageOfALongText(t *testing.T) {
	api := &groupAPI{fail: map[int]bool{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	header := "⚠️ Community warning, verified on 2026-01-02"
	body := strings.Repeat("Retén falso en la carretera a Toluca km 23, roban a conductores. ", 100)
	ids, err := a.Send(context.Background(), "-100", commands.Reply{Text: header + "\n\n" + body})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(api.texts) || len(ids) < 2 || ids[0] != "101" || ids[1] != "102" {
		t.Fatalf("ids %v for %d messages", ids, len(api.texts))
	}
	if first := api.texts[0]; !strings.HasPrefix(first, header) || len(first) < 2000 {
		t.Fatalf("the header went alone: first message of %d bytes: %.80q", len(first), first)
	}
	api.mu.Lock()
	api.calls, api.texts, api.fail = 0, nil, map[int]bool{2: true}
	api.mu.Unlock()
	ids, err = a.Send(context.Background(), "-100", commands.Reply{Text: header + "\n\n" + body})
	if err == nil || len(ids) != 1 || ids[0] != "101" {
		t.Fatalf("a send failing on its second message: ids %v, %v", ids, err)
	}
}

// A 5xx leaves a send's outcome unknown (Telegram may have taken it); a
// 4xx says it was refused, a 429 too.
func TestSendTellsRefusedFromUnknown(t *testing.T) {
	for _, c := range []struct {
		status  int
		body    string
		refused bool
	}{
		{500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`, false},
		{502, `bad gateway`, false},
		{400, `{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}`, true},
		{429, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":0}}`, true},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/getMe") {
				fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
				return
			}
			w.WriteHeader(c.status)
			fmt.Fprint(w, c.body)
		}))
		a, err := New(context.Background(), Options{Token: "123:ABCDEFGHIJKLMNOPQRSTUVWXYZ", APIURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Send(context.Background(), "-100", commands.Reply{Text: "x"})
		if err == nil || errors.Is(err, commands.ErrRefused) != c.refused {
			t.Errorf("%d: %v, refused %v, want %v", c.status, err, errors.Is(err, commands.ErrRefused), c.refused)
		}
		srv.Close()
	}
}
