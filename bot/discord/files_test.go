package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// uploadAPI is a Discord REST API that records each message as "content"
// or "file:<data>", prefixed "response:" for an interaction's response, and
// refuses (413) a file that holds "huge".
type uploadAPI struct {
	mu    sync.Mutex
	calls []string
}

func (u *uploadAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := ""
	var payload []byte
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			if p.FormName() == "payload_json" {
				payload = data
			} else {
				call = "file:" + string(data)
			}
		}
	} else {
		payload, _ = io.ReadAll(r.Body)
	}
	if call == "" {
		var m struct {
			Content string `json:"content"`
			Data    struct {
				Content string `json:"content"`
			} `json:"data"`
		}
		_ = json.Unmarshal(payload, &m)
		call = m.Content + m.Data.Content
	}
	if strings.Contains(r.URL.Path, "/callback") {
		call = "response:" + call
	}
	u.mu.Lock()
	u.calls = append(u.calls, call)
	u.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(call, "file:huge"):
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		fmt.Fprint(w, `{"message":"Request entity too large","code":40005}`)
	case call == "file:down":
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"message":"upstream","code":0}`)
	case strings.Contains(r.URL.Path, "/callback"):
		w.WriteHeader(http.StatusNoContent)
	default:
		fmt.Fprint(w, `{"id":"1","channel_id":"2","content":""}`)
	}
}

func (u *uploadAPI) snapshot() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.calls...)
}

func stored(data string) commands.File {
	return commands.File{Attachment: tips.Attachment{Platform: tips.Stored, Kind: tips.Photo}, Data: []byte(data)}
}

// replyHandler answers every request with one reply.
type replyHandler struct{ rep commands.Reply }

func (h replyHandler) Handle(ctx context.Context, _ commands.Request, w commands.Replier) {
	_ = w.Reply(ctx, h.rep)
}

func (replyHandler) Commands() []*commands.Command { return nil }

// A file Discord refuses (over its upload limit) is replaced by the
// engine's notice (in the reader's language) and the files after it still go, by DM as in answer to
// a slash command; a failure that is not a refusal still fails the reply.
func TestDiscordRefusedFileIsReplacedByNotice(t *testing.T) {
	notice := "Falta un archivo"
	tip := commands.Reply{Text: "tip", Files: []commands.File{stored("huge"), stored("fine")}, FileMissing: notice}

	api := &uploadAPI{}
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	if _, err := a.Send(context.Background(), "123", tip); err != nil {
		t.Fatalf("send: %v", err)
	}
	if got, want := api.snapshot(), []string{"tip", "file:huge", render(notice)[0], "file:fine"}; !slices.Equal(got, want) {
		t.Fatalf("DM calls %q, want %q", got, want)
	}
	api = &uploadAPI{}
	a = newTestAdapter(t, api, silentHandler{}, time.Hour)
	if _, err := a.Send(context.Background(), "123", commands.Reply{Text: "tip", Files: []commands.File{stored("down"), stored("fine")}}); err == nil {
		t.Fatal("a 503 passed as a refusal")
	}

	for _, c := range []struct {
		rep  commands.Reply
		want []string
	}{
		{tip, []string{"response:tip", "file:huge", render(notice)[0], "file:fine"}},
		// The refused file was to be the first answer: the notice is.
		{commands.Reply{Files: []commands.File{stored("huge")}, FileMissing: notice}, []string{"response:file:huge", "response:" + render(notice)[0]}},
	} {
		api = &uploadAPI{}
		a = newTestAdapter(t, api, replyHandler{c.rep}, time.Hour)
		i := commandInteraction()
		i.Locale = discordgo.SpanishES
		a.onInteraction(a.s, i)
		if got := api.snapshot(); !slices.Equal(got, c.want) {
			t.Fatalf("interaction calls %q, want %q", got, c.want)
		}
	}
}
