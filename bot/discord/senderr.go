package discord

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// errDMsClosed marks a DM Discord refused because the member does not take
// direct messages from the bot (50007: their privacy settings, or they
// left every server the bot shares with them): a destination gone too.
var errDMsClosed = errors.New("direct messages closed")

// sendErr wraps a send failure: a channel gone for the bot (403, 404) is
// commands.ErrDestinationGone (and, for a member's closed DMs, also
// errDMsClosed), a rate limit commands.ErrRateLimited,
// another refusal (a 4xx) commands.ErrRefused: not delivered. Anything
// else (a timeout, a 5xx) leaves the outcome unknown.
func (a *Adapter) sendErr(err error) error { return a.restErr("discord send", err) }

// errInteractionGone marks an answer Discord no longer takes through its
// interaction: the interaction was not acknowledged within its 3 s
// (10062 Unknown Interaction; its follow-ups then get 10015 Unknown
// Webhook), or its token expired (50027). Nothing went out.
var errInteractionGone = errors.New("interaction gone")

// replyErr wraps an interaction answer's failure as sendErr does a send's,
// and a gone interaction as errInteractionGone (a refusal: not delivered).
func (a *Adapter) replyErr(err error) error {
	if gone(err, discordgo.ErrCodeUnknownInteraction) || gone(err, discordgo.ErrCodeUnknownWebhook) ||
		gone(err, discordgo.ErrCodeInvalidWebhookTokenProvided) {
		return fmt.Errorf("discord reply: %w: %w", commands.ErrRefused, errInteractionGone)
	}
	return a.restErr("discord reply", err)
}

// restErr is sendErr's and replyErr's classification, its message
// starting with op; nothing in it is Discord's text.
func (a *Adapter) restErr(op string, err error) error {
	var re *discordgo.RESTError
	var rl *discordgo.RateLimitError
	switch {
	case errors.As(err, &rl):
		// With its wait: the broadcaster holds Discord back for so long.
		return fmt.Errorf("%s: %w", op, &commands.RateLimitError{RetryAfter: rl.RetryAfter})
	case !errors.As(err, &re) || re.Response == nil:
	case gone(err, discordgo.ErrCodeCannotSendMessagesToThisUser):
		return fmt.Errorf("%s: %w: %w", op, commands.ErrDestinationGone, errDMsClosed)
	case re.Response.StatusCode == http.StatusForbidden || re.Response.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s: %w", op, commands.ErrDestinationGone)
	case re.Response.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%s: %w", op, commands.ErrRateLimited)
	case re.Response.StatusCode >= 400 && re.Response.StatusCode < 500:
		return fmt.Errorf("%s: %w: %s", op, commands.ErrRefused, a.redact(err))
	}
	return fmt.Errorf("%s: %s", op, a.redact(err))
}
