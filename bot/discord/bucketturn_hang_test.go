package discord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A send whose request hangs at Discord holds its bucket's turn until its
// own context ends, no longer: a send waiting behind it with a shorter
// deadline comes back at that deadline, told it was rate limited (nothing
// went out), and one with a longer deadline goes once the hung request is
// cut. Nothing is left behind: no bucket's turn is kept once no request
// holds or waits for it.
// Mutations: give not deferred in retryUpTo -> the patient send is never
// sent; take not leaving on its context's end -> a turn kept for the
// bucket.
func TestDiscordHungRequestHoldsItsBucketOnlyToItsDeadline_revdiscord(t *testing.T) {
	arrived := make(chan struct{})
	var mu sync.Mutex
	posts := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		posts++
		first := posts == 1
		mu.Unlock()
		if first { // hangs until the client gives up on it
			io.Copy(io.Discard, r.Body) // (the server sees the client gone once the body is read)
			close(arrived)
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"2","channel_id":"777","content":""}`)
	})
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	send := func(d time.Duration) <-chan error {
		done := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			_, err := a.Send(ctx, "777", commands.Reply{Text: "aviso"})
			done <- err
		}()
		return done
	}
	hung := send(700 * time.Millisecond)
	<-arrived
	brief, patient := send(100*time.Millisecond), send(10*time.Second)
	var rl *commands.RateLimitError
	if err := <-brief; !errors.As(err, &rl) {
		t.Errorf("a send waiting behind a hung one, past its deadline: %v, want a rate limit (nothing sent)", err)
	}
	if err := <-hung; err == nil {
		t.Errorf("the hung send was told sent")
	}
	if err := <-patient; err != nil {
		t.Errorf("a send waiting behind a hung one, its deadline later: %v, want sent once the hung one is cut", err)
	}
	a.turns.mu.Lock()
	defer a.turns.mu.Unlock()
	if len(a.turns.turns) != 0 {
		t.Errorf("turns kept with no request on them: %v", a.turns.turns)
	}
}
