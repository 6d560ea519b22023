package discord

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A global limit that comes in between the adapter's look at a request's
// bucket (waitBucket) and the request (another route's 429, or a
// Cloudflare ban, plainRateLimit: a minute or more) is seen as the request
// takes its bucket (lockedRequest): nothing is sent, and the caller is
// told at once it was rate limited, its deadline being short of the
// limit's end. Through discordgo's RequestRaw, its LockBucket slept the
// request to the limit's end, deaf to the context, and the caller was
// told an outcome unknown (context deadline exceeded) after it.
// Mutation: lockedRequest sending through s.RequestRaw (discordgo's own
// look and sleep) -> every case returned after the 8 s limit with
// "context deadline exceeded".
func TestDiscordGlobalLimitAfterTheLookIsSeen_discord(t *testing.T) {
	cases := map[string]func(a *Adapter, ctx context.Context) error{
		"channel send": func(a *Adapter, ctx context.Context) error {
			_, err := a.Send(ctx, "123", commands.Reply{Text: "aviso"})
			return err
		},
		"broadcast delete": func(a *Adapter, ctx context.Context) error {
			return a.DeleteMessageNoWait(ctx, "123", "77")
		},
		"interaction response": func(a *Adapter, ctx context.Context) error {
			r := &interactionReplier{a: a, i: commandInteraction().Interaction, userID: "50", ephemeral: true, slot: a.takeSlot()}
			return r.Reply(ctx, commands.Reply{Text: "respuesta"})
		},
		"interaction follow-up": func(a *Adapter, ctx context.Context) error {
			r := &interactionReplier{a: a, i: commandInteraction().Interaction, userID: "50", ephemeral: true, slot: a.takeSlot(), responded: true}
			return r.Reply(ctx, commands.Reply{Text: "respuesta"})
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			api := &globalLimitAPI{limit: 8}
			a := newTestAdapter(t, api, slowHandler{}, time.Hour)
			var once sync.Once
			a.looked = func() {
				once.Do(func() { drawGlobalLimit(t, a) })
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			err := call(a, ctx)
			took := time.Since(start)
			var rl *commands.RateLimitError
			if !errors.As(err, &rl) || took > 3*time.Second {
				t.Errorf("a global limit set after the look: %v after %v, want a rate limit at once (limit 8 s)", err, took.Round(time.Millisecond))
			}
			if n := api.requestsTaken(); n != 0 {
				t.Errorf("%d requests taken under the global limit", n)
			}
		})
	}
}
