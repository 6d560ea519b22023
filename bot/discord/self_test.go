package discord

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/tips"
)

// At READY the adapter tells Options.Self the bot's own user id and
// username: a DM mentioning the bot ("<@ID>", "@Vigia") then names no
// entity the engine counts.
// Mutation: onReady without the call to Self -> this test times out.
func TestDiscordTellsItsOwnHandlesAtReady(t *testing.T) {
	g := newTestGateway(t)
	own := new(tips.Own)
	a, err := New(Options{Token: "x", APIURL: g.srv.URL, Self: own.Add})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, silentHandler{}) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	mention := func() []tips.Entity { return own.Without(tips.Extract("pregunten a <@11> o @Vigia", "MX")) }
	waitFor(t, "the bot's own handles", func() bool { return len(mention()) == 0 })
	if n := len(tips.Extract("pregunten a <@11> o @Vigia", "MX")); n != 2 {
		t.Fatalf("the mentions are %d entities, not 2", n)
	}
}
