package discord

import (
	"context"
	"errors"
	"fmt"
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
// Since 8b92a32 lockedRequest sees a global limit set after the look
// too (TestDiscordGlobalLimitAfterTheLookIsSeen_discord): either is
// enough here.
// Mutation: the upload encoded in the request's call again (respond and
// followup encoding inside retry's call), and lockedRequest sending
// through s.RequestRaw -> both cases returned after the 8 s limit,
// "context deadline exceeded" (either alone: pass).
func TestDiscordGlobalLimitWhileAnAnswersUploadIsEncodedIsSeen_discord(t *testing.T) {
	for _, followup := range []bool{false, true} {
		t.Run(fmt.Sprintf("followup=%v", followup), func(t *testing.T) {
			api := &globalLimitAPI{limit: 8}
			a := newTestAdapter(t, api, slowHandler{}, time.Hour)
			a.encoded = func() { drawGlobalLimit(t, a) }
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
			if n := api.requestsTaken(); n != 0 {
				t.Errorf("%d uploads taken under the global limit", n)
			}
		})
	}
}
