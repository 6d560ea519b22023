package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// Discord's global 429, as its documentation shows it (Retry-After,
// X-RateLimit-Global, "global": true in the body, and no
// X-RateLimit-Reset-After, which is a bucket's), holds every route back
// until its end: a send on another channel within it is told at once it
// was rate limited, nothing sent. discordgo sets its global limit only
// from X-RateLimit-Reset-After: without it the global 429 held back only
// its own route, and every other route went out and drew a 429 of its
// own, each counted by Discord (and Cloudflare) against the bot.
// Mutation: plainRateLimit leaving a global 429 with no
// X-RateLimit-Reset-After as it is -> the send on the other channel was
// taken by Discord.
func TestDiscordGlobal429WithoutResetAfterHoldsEveryRoute_rev4(t *testing.T) {
	var mu sync.Mutex
	taken := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "/channels/1/") {
			w.Header().Set("Retry-After", "9")
			w.Header().Set("X-RateLimit-Global", "true")
			w.Header().Set("X-RateLimit-Scope", "global")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":8.5,"global":true}`)
			return
		}
		mu.Lock()
		taken++
		mu.Unlock()
		fmt.Fprint(w, `{"id":"1","channel_id":"2","content":""}`)
	})
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	for _, channel := range []string{"1", "2"} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		start := time.Now()
		_, err := a.Send(ctx, channel, commands.Reply{Text: "aviso"})
		took := time.Since(start)
		cancel()
		var rl *commands.RateLimitError
		if !errors.As(err, &rl) || took > 500*time.Millisecond {
			t.Errorf("a send on channel %s within a global limit of 8.5 s: %v after %v, want a rate limit at once", channel, err, took.Round(time.Millisecond))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if taken != 0 {
		t.Errorf("%d sends taken within Discord's global limit", taken)
	}
}
