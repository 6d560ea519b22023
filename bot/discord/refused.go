package discord

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// RefusedError is Discord closing the gateway with a code it documents as
// not to be retried (close codes 4010 to 4014; 4004, a token rejected, is
// ErrUnauthorized): connecting again only meets the same refusal, so the
// adapter stops reconnecting and Run returns it. Its text names the cause
// and what fixes it, never the token.
type RefusedError struct {
	Code int // the gateway's close code
}

func (e *RefusedError) Error() string {
	prefix := "discord gateway refused the bot (close code " + strconv.Itoa(e.Code) + ", "
	switch e.Code {
	case 4010:
		return prefix + "invalid shard): Vigía connects as shard 0 of 1, which Discord should always take; update Vigía"
	case 4011:
		return prefix + "sharding required): the bot is in too many servers for one gateway connection (Discord requires sharding from 2,500), and Vigía does not shard; remove the bot from servers it does not serve"
	case 4012:
		return prefix + "invalid API version): Discord no longer takes the gateway version this Vigía speaks; update Vigía"
	case 4013:
		return prefix + "invalid intents): Discord does not know the intents this Vigía asks for; update Vigía"
	case 4014:
		return prefix + "disallowed intents): Vigía asks only for GUILDS, GUILD_MESSAGES and DIRECT_MESSAGES, none of them privileged, so no intent is to be enabled; look in the Developer Portal for a restriction on the application (its Bot page), or update Vigía"
	}
	return prefix + "not to be retried)"
}

// refusal returns what Run reports for an error of Open that connecting
// again cannot mend: ErrUnauthorized for a token Discord rejects (the
// gateway's close 4004, or a 401 asking for the gateway's URL), a
// *RefusedError for close codes 4010 to 4014, nil for anything else (a
// network failure, Discord's own trouble, a close it allows to retry).
func refusal(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return nil
	}
	switch ce.Code {
	case 4004: // Authentication failed
		return ErrUnauthorized
	case 4010, 4011, 4012, 4013, 4014:
		return &RefusedError{Code: ce.Code}
	}
	return nil
}
