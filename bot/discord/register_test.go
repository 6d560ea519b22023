package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// commandsAPI answers the commands' bulk overwrite with a 429 (retry_after
// 50 ms) its first `limited` times, then takes them.
type commandsAPI struct {
	limited int32
	puts    atomic.Int32
}

func (c *commandsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPut || !strings.HasSuffix(r.URL.Path, "/commands") {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown","code":0}`)
		return
	}
	if c.puts.Add(1) <= c.limited {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":0.05,"global":false}`)
		return
	}
	fmt.Fprint(w, `[]`)
}

// The commands' registration at start waits out every 429 Discord
// answers within its deadline and sends them again: it is taken after
// six; Discord answering 429 until the deadline is ErrNotRegistered (exit
// status 2), only then.
// Mutation: register with retry's bounded retries (maxRetries, as before)
// -> six 429s in 300 ms end the start (ErrNotRegistered after 4 tries).
func TestDiscordRegistrationWaitsOutEvery429WithinItsDeadline(t *testing.T) {
	api := &commandsAPI{limited: 6}
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	a.appID = "20"
	if err := a.register(context.Background(), nil); err != nil {
		t.Fatalf("registration after six short 429s: %v (%d tries)", err, api.puts.Load())
	}
	if n := api.puts.Load(); n != 7 {
		t.Fatalf("%d tries, want 7", n)
	}

	api = &commandsAPI{limited: 1 << 30}
	a = newTestAdapter(t, api, silentHandler{}, time.Hour)
	a.appID = "20"
	a.registerTimeout = 3 * time.Second // room for 5 tries of 50 ms waits on a loaded machine
	err := a.register(context.Background(), nil)
	if !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("always limited: %v, want ErrNotRegistered", err)
	}
	if n := api.puts.Load(); n < 5 {
		t.Fatalf("gave up after %d tries, before the deadline", n)
	}
}
