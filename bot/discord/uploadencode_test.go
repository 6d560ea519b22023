package discord

import (
	"context"
	"errors"
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
// Since 8b92a32 lockedRequest sees a global limit set after the look
// too (TestDiscordGlobalLimitAfterTheLookIsSeen_discord): either is
// enough here.
// Mutation: the upload encoded in the request's call again (after the
// look), and lockedRequest sending through s.RequestRaw -> the send
// returned after the 3 s limit with "context deadline exceeded" (either
// alone: passes).
func TestDiscordGlobalLimitWhileAnUploadIsEncodedIsSeen_revdiscord(t *testing.T) {
	api := &globalLimitAPI{limit: 3}
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	a.encoded = func() { drawGlobalLimit(t, a) }
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := a.Send(ctx, "123", commands.Reply{Files: []commands.File{{Attachment: tips.Attachment{Kind: tips.Photo}, Data: make([]byte, 1<<10)}}})
	took := time.Since(start)
	var rl *commands.RateLimitError
	if !errors.As(err, &rl) || took > 2*time.Second {
		t.Errorf("an upload under a global limit set as it was encoded: %v after %v, want a rate limit at once (deadline 1 s, limit 3 s)", err, took.Round(time.Millisecond))
	}
	if n := api.requestsTaken(); n != 0 {
		t.Errorf("%d uploads taken under the global limit", n)
	}
}
