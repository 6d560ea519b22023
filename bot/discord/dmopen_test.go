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
