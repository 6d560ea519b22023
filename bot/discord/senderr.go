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
func (a *Adapter) sendErr(err error) error {
	var re *discordgo.RESTError
	var rl *discordgo.RateLimitError
	switch {
	case errors.As(err, &rl):
		// With its wait: the broadcaster holds Discord back for so long.
		return fmt.Errorf("discord send: %w", &commands.RateLimitError{RetryAfter: rl.RetryAfter})
	case !errors.As(err, &re) || re.Response == nil:
	case gone(err, discordgo.ErrCodeCannotSendMessagesToThisUser):
		return fmt.Errorf("discord send: %w: %w", commands.ErrDestinationGone, errDMsClosed)
	case re.Response.StatusCode == http.StatusForbidden || re.Response.StatusCode == http.StatusNotFound:
		return fmt.Errorf("discord send: %w", commands.ErrDestinationGone)
	case re.Response.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("discord send: %w", commands.ErrRateLimited)
	case re.Response.StatusCode >= 400 && re.Response.StatusCode < 500:
		return fmt.Errorf("discord send: %w: %s", commands.ErrRefused, a.redact(err))
	}
	return fmt.Errorf("discord send: %s", a.redact(err))
}
