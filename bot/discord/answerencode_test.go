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

// An interaction answer's upload (an export, a long answer's file) is
// encoded before its bucket is looked at, as a channel send's is
// (TestDiscordGlobalLimitWhileAnUploadIsEncodedIsSeen_revdiscord): a
// global limit that comes in while it is encoded is seen, and the answer
// comes back at once, told it was rate limited, nothing sent, as the
// interaction's response or as a follow-up. Encoded between the look and
// discordgo's, discordgo slept it to the limit's end, deaf to its context.
// Mutation: the upload encoded in the request's call again (respond and
// followup encoding inside retry's call) -> both cases returned after the
// 8 s limit, past their 5 s (commands.ReplyGrace).
func TestDiscordGlobalLimitWhileAnAnswersUploadIsEncodedIsSeen_discord(t *testing.T) {
	for _, followup := range []bool{false, true} {
		t.Run(fmt.Sprintf("followup=%v", followup), func(t *testing.T) {
			var mu sync.Mutex
			uploads := 0
			api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.Method == http.MethodGet { // another route, drawing a global 429
					w.Header().Set("X-RateLimit-Global", "true")
					w.Header().Set("X-RateLimit-Reset-After", "8")
					w.WriteHeader(http.StatusTooManyRequests)
					fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":8,"global":true}`)
					return
				}
				mu.Lock()
				uploads++
				mu.Unlock()
				fmt.Fprint(w, `{"id":"1","channel_id":"30","content":""}`)
			})
			a := newTestAdapter(t, api, slowHandler{}, time.Hour)
			a.encoded = func() {
				if _, err := a.s.ChannelMessages("999", 1, "", "", ""); err == nil {
					t.Error("the other route's request was not rate limited")
				}
			}
			r := &interactionReplier{a: a, i: commandInteraction().Interaction, userID: "50", ephemeral: true, slot: a.takeSlot(), responded: followup}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			err := r.Reply(ctx, commands.Reply{Files: []commands.File{{Attachment: tips.Attachment{Kind: tips.Document}, Data: make([]byte, 1<<10)}}})
			took := time.Since(start)
			var rl *commands.RateLimitError
			if !errors.As(err, &rl) || took > 2*time.Second {
				t.Errorf("an answer's upload under a global limit set as it was encoded: %v after %v, want a rate limit at once (limit 8 s)", err, took.Round(time.Millisecond))
			}
			mu.Lock()
			defer mu.Unlock()
			if uploads != 0 {
				t.Errorf("%d uploads taken under the global limit", uploads)
			}
		})
	}
}
