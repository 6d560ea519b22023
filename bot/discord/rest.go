package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// discordgo's own REST methods (Channel, Guild, ChannelMessages,
// UserChannelCreate, ChannelEdit, ApplicationCommandBulkOverwrite...) take
// their bucket through its LockBucket, which sleeps out a global limit or
// an exhausted bucket deaf to the request's context: a global limit set
// between waitBucket's look and the request (another route's 429, or a
// Cloudflare ban of a minute or more: plainRateLimit) held the caller past
// its deadline. So the adapter sends every request itself, to the URL and
// under the bucket discordgo's method names, through lockedRequest, which
// sends nothing under such a limit and lets retryUpTo wait within the
// context, or say so.

// restJSON is a discordgo REST method sent through lockedRequest: data
// (nil for no body) encoded as JSON, the answer decoded into out (nil
// for none), as discordgo's method decodes it. Callers hold a.rl for
// reading (retryUpTo's call does), and bucket is the one the retry looked
// at.
func (a *Adapter) restJSON(method, uri string, data any, bucket string, out any, opts ...discordgo.RequestOption) error {
	var p payload
	if data != nil {
		body, err := discordgo.Marshal(data)
		if err != nil {
			return err
		}
		p = payload{"application/json", body}
	}
	body, err := a.lockedRequest(method, uri, p, bucket, opts...)
	if err != nil || out == nil {
		return err
	}
	if err := discordgo.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %s", discordgo.ErrJSONUnmarshal, err)
	}
	return nil
}

// getChannel is discordgo's Channel.
func (a *Adapter) getChannel(id string, opts ...discordgo.RequestOption) (ch *discordgo.Channel, err error) {
	endpoint := discordgo.EndpointChannel(id)
	err = a.restJSON(http.MethodGet, endpoint, nil, endpoint, &ch, opts...)
	return ch, err
}

// deleteChannel is discordgo's ChannelDelete, the channel it answers
// with not read.
func (a *Adapter) deleteChannel(id string, opts ...discordgo.RequestOption) error {
	endpoint := discordgo.EndpointChannel(id)
	return a.restJSON(http.MethodDelete, endpoint, nil, endpoint, nil, opts...)
}

// editChannel is discordgo's ChannelEdit, the channel it answers with
// not read.
func (a *Adapter) editChannel(id string, data *discordgo.ChannelEdit, opts ...discordgo.RequestOption) error {
	endpoint := discordgo.EndpointChannel(id)
	return a.restJSON(http.MethodPatch, endpoint, data, endpoint, nil, opts...)
}

// getGuild is discordgo's Guild.
func (a *Adapter) getGuild(id string, opts ...discordgo.RequestOption) (g *discordgo.Guild, err error) {
	endpoint := discordgo.EndpointGuild(id)
	err = a.restJSON(http.MethodGet, endpoint, nil, endpoint, &g, opts...)
	return g, err
}

// channelMessages is discordgo's ChannelMessages with no "around": up to
// limit messages before or after a message id (either may be "").
func (a *Adapter) channelMessages(channelID string, limit int, before, after string, opts ...discordgo.RequestOption) (msgs []*discordgo.Message, err error) {
	endpoint := discordgo.EndpointChannelMessages(channelID)
	v := url.Values{}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if after != "" {
		v.Set("after", after)
	}
	if before != "" {
		v.Set("before", before)
	}
	uri := endpoint
	if len(v) > 0 {
		uri += "?" + v.Encode()
	}
	err = a.restJSON(http.MethodGet, uri, nil, endpoint, &msgs, opts...)
	return msgs, err
}

// dmChannelBucket is the bucket discordgo files UserChannelCreate under.
var dmChannelBucket = discordgo.EndpointUserChannels("")

// createDMChannel is discordgo's UserChannelCreate.
func (a *Adapter) createDMChannel(userID string, opts ...discordgo.RequestOption) (ch *discordgo.Channel, err error) {
	data := struct {
		RecipientID string `json:"recipient_id"`
	}{userID}
	err = a.restJSON(http.MethodPost, discordgo.EndpointUserChannels("@me"), data, dmChannelBucket, &ch, opts...)
	return ch, err
}

// selfBucket is the bucket discordgo files User under.
var selfBucket = discordgo.EndpointUsers

// getSelf is discordgo's User("@me").
func (a *Adapter) getSelf(opts ...discordgo.RequestOption) (u *discordgo.User, err error) {
	err = a.restJSON(http.MethodGet, discordgo.EndpointUser("@me"), nil, selfBucket, &u, opts...)
	return u, err
}

// overwriteCommands is discordgo's ApplicationCommandBulkOverwrite to
// endpoint (the application's global or guild commands, and their
// bucket), the commands it answers with not read.
func (a *Adapter) overwriteCommands(endpoint string, cmds []*discordgo.ApplicationCommand, opts ...discordgo.RequestOption) error {
	return a.restJSON(http.MethodPut, endpoint, cmds, endpoint, nil, opts...)
}
