package discord

import (
	"context"
	"errors"
	"testing"
)

// An investigators' channel that is a forum (or a media channel, or a
// category) takes no message of the bot's: every alert sent there would
// be refused. Run refuses it at start, with ErrNoPostChannel (main names
// VIGIA_INVESTIGATOR_CHATS); one post of a forum (a thread) is a channel
// the bot posts in like any other, and so is a text channel, or one
// Discord does not describe (an answer that is no channel, "null" too:
// nothing to dereference).
// Mutations: Run without checkInvestigatorChannels → the forum, media and
// category channels are taken, Run running on; checkInvestigatorChannels
// without its nil check → "null" panics the start.
func TestDiscordInvestigatorChannelMustTakeMessages(t *testing.T) {
	for _, c := range []struct {
		name, channel string
		refused       bool
	}{
		{"forum", `{"id":"90","type":15,"guild_id":"60"}`, true},
		{"media", `{"id":"90","type":16,"guild_id":"60"}`, true},
		{"category", `{"id":"90","type":4,"guild_id":"60"}`, true},
		{"post of a forum", `{"id":"90","type":11,"guild_id":"60","parent_id":"80"}`, false},
		{"text", `{"id":"90","type":0,"guild_id":"60"}`, false},
		{"not described", ``, false},
		{"described as null", `null`, false},
	} {
		g := newTestGateway(t)
		if c.channel != "" {
			g.channels = map[string]string{"90": c.channel}
		}
		a, err := New(Options{Token: "x", APIURL: g.srv.URL, InvestigatorChannels: []string{"90"}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx, silentHandler{}) }()
		// Run returns, or connects (the commands registered after the check).
		var runErr error
		returned := false
		waitFor(t, c.name+": Run's start", func() bool {
			select {
			case runErr = <-done:
				returned = true
				return true
			default:
				return a.Connected()
			}
		})
		cancel()
		if !returned {
			runErr = <-done
		}
		if c.refused && (!returned || !errors.Is(runErr, ErrNoPostChannel)) {
			t.Errorf("%s: Run ran on (returned %v, %v), want it to return ErrNoPostChannel", c.name, returned, runErr)
		}
		if !c.refused && (returned || runErr != nil) {
			t.Errorf("%s: Run returned %v at start", c.name, runErr)
		}
	}
}
