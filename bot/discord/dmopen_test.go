package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// dmFailsAPI is a Discord REST API that fails to open any DM channel (a
// 500) and records any message posted.
type dmFailsAPI struct {
	mu    sync.Mutex
	posts int
}

func (s *dmFailsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/api/v9/users/@me/channels" {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"message":"500: Internal Server Error","code":0}`)
		return
	}
	s.posts++
	fmt.Fprint(w, `{"id":"5001","content":""}`)
}

// A message to a member whose DM channel Discord could not open is known
// not to have gone out: the send is an ErrRefused, not an outcome unknown.
// So an investigator's question to a Discord reporter that never left
// gives its place among the reporter's unanswered questions back, and the
// investigator is told it was not sent (ask_refused), instead of it being
// recorded as maybe delivered and holding that place for its 7 days.
// Mutation: send returning channel's error as it is -> it fails.
func TestDiscordDMNotOpenedIsRefused(t *testing.T) {
	api := &dmFailsAPI{}
	a := newTestAdapter(t, api, &recordingHandler{}, time.Hour)
	ids, err := a.Send(context.Background(), "u50", commands.Reply{Text: "¿Qué día?", Buttons: [][]commands.Button{{{Label: "Answer", Data: "ans:1:1"}}}})
	if len(ids) != 0 || !errors.Is(err, commands.ErrRefused) {
		t.Fatalf("a DM whose channel was not opened: ids %v, error %v, want an ErrRefused", ids, err)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.posts != 0 {
		t.Fatalf("%d messages posted", api.posts)
	}
}

// dmNoIDAPI is a Discord REST API that answers a DM channel's creation
// with a channel that has no id (body), and records the other calls.
type dmNoIDAPI struct {
	body  string
	mu    sync.Mutex
	calls []string
}

func (s *dmNoIDAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/api/v9/users/@me/channels" {
		fmt.Fprint(w, s.body)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, `{"message":"404: Not Found","code":0}`)
}

// A DM channel's creation answered with no channel ("null", "{}", an id
// of "" or "0") is a failed creation (errNoChannel), as a 500 is: nothing
// is sent, and the send is an ErrRefused (sent again later), never a message to
// /channels//messages, whose 404 read as the destination gone for good
// (commands.ErrDestinationGone: a reporter's follow-up route dropped); a delete
// is no ErrMessageGone either.
// Mutation: channel without its id check -> the post and the delete go
// to /channels//messages (/channels/0/...), and the send is "destination
// gone"; channel with an error of its own text -> not errNoChannel.
func TestDiscordDMChannelWithoutIDIsAFailedCreation(t *testing.T) {
	for _, body := range []string{`null`, `{}`, `{"id":""}`, `{"id":"0","type":1}`} {
		api := &dmNoIDAPI{body: body}
		a := newTestAdapter(t, api, &recordingHandler{}, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ids, err := a.Send(ctx, "u50", commands.Reply{Text: "¿Qué día?"})
		if len(ids) != 0 || !errors.Is(err, commands.ErrRefused) || !errors.Is(err, errNoChannel) || errors.Is(err, commands.ErrDestinationGone) {
			t.Errorf("%s: a DM whose channel has no id: ids %v, error %v, want an ErrRefused, errNoChannel", body, ids, err)
		}
		if err := a.DeleteMessage(ctx, "u50", "1234"); err == nil || errors.Is(err, commands.ErrMessageGone) {
			t.Errorf("%s: a delete in a DM whose channel has no id: %v, want a failure, not gone", body, err)
		}
		cancel()
		api.mu.Lock()
		if len(api.calls) != 0 {
			t.Errorf("%s: calls made with no channel: %v", body, api.calls)
		}
		api.mu.Unlock()
	}
}
