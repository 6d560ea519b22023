package discord

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// limiterKeys lists the rate limiter's bucket keys (discordgo keeps them
// unexported: reflect reads them).
func limiterKeys(a *Adapter) []string {
	a.rl.RLock()
	defer a.rl.RUnlock()
	var keys []string
	for _, k := range reflect.ValueOf(a.s.Ratelimiter).Elem().FieldByName("buckets").MapKeys() {
		keys = append(keys, k.String())
	}
	return keys
}

// No interaction's token stays in the rate limiter: its response, a
// deferral, its follow-ups (with a file too) and the deletion of an
// unanswered deferral are filed under buckets named by the interaction's
// id. Mutation: discordgo's InteractionRespond, FollowupMessageCreate and
// InteractionResponseDelete back -> the keys hold every token.
func TestDiscordLimiterKeepsNoInteractionToken(t *testing.T) {
	handlers := []Handler{
		slowHandler{}, // the response
		slowHandler{delay: 50 * time.Millisecond}, // a deferral, then a follow-up
		silentHandler{}, // a deferral, deleted
		replyHandler{commands.Reply{Text: "a", Files: []commands.File{stored("x")}}}, // a response, a file's follow-up
	}
	for n, h := range handlers {
		api := &recordingAPI{}
		a := newTestAdapter(t, api, h, 10*time.Millisecond)
		if _, ok := h.(silentHandler); ok {
			a.o.DeferAfter = time.Hour
		}
		for k := range 3 {
			ic := commandInteraction()
			ic.ID = fmt.Sprint(1000 + 10*n + k)
			ic.Token = fmt.Sprintf("itoken-%d-%d-secret", n, k)
			a.onInteraction(a.s, ic)
		}
		calls, _ := api.snapshot()
		if len(calls) < 3 {
			t.Fatalf("handler %d: calls %v", n, calls)
		}
		keys := limiterKeys(a)
		if len(keys) == 0 {
			t.Fatalf("handler %d: no bucket at all", n)
		}
		for _, k := range keys {
			if strings.Contains(k, "itoken-") {
				t.Fatalf("handler %d: a bucket key holds an interaction's token: %q (calls %v)", n, k, calls)
			}
		}
	}
}
