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
	"github.com/vigia-project/vigia/tips"
)

// A send's upload is encoded before its bucket is looked at: a global
// limit that comes in while it is encoded (another route's 429, or a
// Cloudflare ban, plainRateLimit: a minute or more) is seen, and the send
// comes back at once, told it was rate limited, nothing sent. Encoded
// between the look and discordgo's, discordgo slept it to the limit's end,
// deaf to its context, then failed it with the context (an outcome
// unknown, not a rate limit).
// Mutation: the upload encoded in the request's call again (after the
// look) -> the send returned after the 3 s limit with "context deadline
// exceeded".
func TestDiscordGlobalLimitWhileAnUploadIsEncodedIsSeen_revdiscord(t *testing.T) {
	var mu sync.Mutex
	uploads := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet { // another route, drawing a global 429
			w.Header().Set("X-RateLimit-Global", "true")
			w.Header().Set("X-RateLimit-Reset-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":3,"global":true}`)
			return
		}
		mu.Lock()
		uploads++
		mu.Unlock()
		fmt.Fprint(w, `{"id":"1","channel_id":"123","content":""}`)
	})
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	a.encoded = func() {
		if _, err := a.s.ChannelMessages("999", 1, "", "", ""); err == nil {
			t.Error("the other route's request was not rate limited")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := a.Send(ctx, "123", commands.Reply{Files: []commands.File{{Attachment: tips.Attachment{Kind: tips.Photo}, Data: make([]byte, 1<<10)}}})
	took := time.Since(start)
	var rl *commands.RateLimitError
	if !errors.As(err, &rl) || took > 2*time.Second {
		t.Errorf("an upload under a global limit set as it was encoded: %v after %v, want a rate limit at once (deadline 1 s, limit 3 s)", err, took.Round(time.Millisecond))
	}
	mu.Lock()
	defer mu.Unlock()
	if uploads != 0 {
		t.Errorf("%d uploads taken under the global limit", uploads)
	}
}
