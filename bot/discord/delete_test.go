package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Deleting a message already gone (404, Unknown Message) is ErrMessageGone:
// a retraction counts it deleted. A channel gone (404, Unknown Channel) is
// not, and no error carries the ids.
// Mutation: DeleteMessage without the Unknown Message case → the first
// check fails.
func TestDiscordDeleteOfAMessageAlreadyGone(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		if strings.Contains(r.URL.Path, "/messages/111") {
			fmt.Fprint(w, `{"message":"Unknown Message","code":10008}`)
			return
		}
		fmt.Fprint(w, `{"message":"Unknown Channel","code":10003}`)
	})
	a := newTestAdapter(t, api, nil, 0)
	err := a.DeleteMessage(context.Background(), "30", "111")
	if !errors.Is(err, commands.ErrMessageGone) {
		t.Errorf("unknown message: %v, want ErrMessageGone", err)
	}
	err = a.DeleteMessage(context.Background(), "30", "222")
	if err == nil || errors.Is(err, commands.ErrMessageGone) {
		t.Errorf("unknown channel: %v", err)
	}
	if strings.Contains(err.Error(), "222") || strings.Contains(err.Error(), "/30/") {
		t.Errorf("an id is in %q", err)
	}
}

// A retraction's delete hit by a 429 comes back at once with its wait
// (DeleteMessageNoWait), for the broadcaster to hold Discord back and
// delete the copy in a later round: one call, not four.
// Mutation: DeleteMessageNoWait waiting out maxRetries 429s → four calls.
func TestDiscordRetractionDeleteDoesNotWaitOutA429(t *testing.T) {
	api := &recordingAPI{limited: 100}
	a := newTestAdapter(t, api, nil, 0)
	var _ commands.NoWaitRemover = a
	err := a.DeleteMessageNoWait(context.Background(), "30", "111")
	var rl *commands.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("a 429: %v, want a RateLimitError with its wait", err)
	}
	if calls, _ := api.snapshot(); len(calls) != 1 {
		t.Fatalf("calls: %v, want one", calls)
	}
}
