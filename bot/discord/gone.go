package discord

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// A member whose Send press (a button on an ephemeral answer in a
// server) Discord dropped gets their receipt by DM (instead); with their
// DMs closed too, nothing else reaches them. Discord invalidates a
// dropped interaction's token (no follow-up then), but the ephemeral
// message the button is on was posted through an earlier interaction,
// whose token may edit it for 15 minutes: the answer replaces that
// message, which only the member sees. An answer is never put in a
// message that is not ephemeral. Past the 15 minutes, pressing Send again
// still gives the receipt.

// tokenLife is how long Discord takes an interaction's token, with a
// margin; tokensKept bounds how many are kept (in memory only).
const (
	tokenLife  = 14 * time.Minute
	tokensKept = 1000
)

// heldToken is an ephemeral interaction's token, kept to edit its
// messages later (editInstead), with the member it came from: only they
// see its messages, and only a press of theirs may have it used.
type heldToken struct {
	appID, token, userID string
	at                   time.Time
}

// holdToken keeps an ephemeral interaction's token for tokenLife, and
// forgets it then (a timer: it does not stay in memory once useless);
// past tokensKept, the new one is not kept.
func (a *Adapter) holdToken(i *discordgo.Interaction, userID string) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tokens == nil {
		a.tokens = map[string]heldToken{}
	}
	if len(a.tokens) >= tokensKept {
		return // each held one goes at its expiry (below)
	}
	a.tokens[i.ID] = heldToken{appID: i.AppID, token: i.Token, userID: userID, at: now}
	time.AfterFunc(a.tokenLife, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if t, ok := a.tokens[i.ID]; ok && t.at.Equal(now) {
			delete(a.tokens, i.ID) // not one held again since
		}
	})
}

// insteadEdited puts rep in the ephemeral message the member pressed a
// button on (editInstead), after the answers put there before it, while
// they fit in one message; false if it cannot. Callers hold r.mu.
func (r *interactionReplier) insteadEdited(ctx context.Context, rep commands.Reply) bool {
	text := rep.Text
	if r.edited != "" {
		text = r.edited + "\n\n" + text
	}
	chunks := render(text)
	if len(chunks) != 1 || len(rep.Files) > 0 || !r.editInstead(ctx, chunks[0], buttons(rep.Buttons)) {
		return false
	}
	r.edited = text
	return true
}

// editInstead replaces the ephemeral message the interaction's button is
// on with text (and buttons), through the token of the interaction that
// posted it; false if there is none such still valid, or it came from
// another member than the one pressing (the message is not theirs: what
// the press answers must not reach another member). Callers hold r.mu.
func (r *interactionReplier) editInstead(ctx context.Context, text string, components []discordgo.MessageComponent) bool {
	m := r.i.Message
	if r.i.Type != discordgo.InteractionMessageComponent || m == nil || m.Flags&discordgo.MessageFlagsEphemeral == 0 || m.InteractionMetadata == nil {
		return false // only a message only the member sees
	}
	r.a.mu.Lock()
	t, ok := r.a.tokens[m.InteractionMetadata.ID]
	life := r.a.tokenLife
	r.a.mu.Unlock()
	if !ok || t.userID != r.userID || time.Since(t.at) >= life {
		return false
	}
	if components == nil {
		components = []discordgo.MessageComponent{} // the buttons go: they were the draft's
	}
	// As Discord documents it: that interaction's response is edited as
	// @original (Edit Original Interaction Response), one of its
	// follow-ups (their metadata name the response) by its id (Edit
	// Followup Message).
	id := "@original"
	if m.InteractionMetadata.OriginalResponseMessageID != "" {
		id = m.ID
	}
	//
	// discordgo's WebhookMessageEdit files every edit, whatever its token,
	// under one bucket (webhooks//), which it holds for each request's
	// whole round trip: under load, edits of unrelated interactions would
	// wait on each other, and on one's limit. The edit is sent here to the
	// same URL with the same body, under the bucket of this press's slot
	// its own follow-ups use (followupBucket: a name with no token; the
	// interaction is gone, nothing else goes through it), so the limiter
	// holds no token and no bucket more than the presses answered at once.
	bucket := r.followupBucket()
	err := r.a.retry(ctx, bucket, func(opts ...discordgo.RequestOption) error {
		p, err := encode(&discordgo.WebhookEdit{Content: &text, Components: &components, AllowedMentions: noMentions()}, nil)
		if err != nil {
			return err
		}
		_, err = r.a.lockedRequest("PATCH", discordgo.EndpointWebhookMessage(t.appID, t.token, id), p, bucket, opts...)
		return err
	})
	if err != nil {
		r.a.log.Warn("discord could not put an answer in the member's ephemeral message", "error", r.a.redact(err))
		return false
	}
	return true
}
