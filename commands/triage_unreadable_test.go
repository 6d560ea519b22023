package commands_test

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A tip whose data key can no longer be opened (damaged, or sealed under
// a secret the bot no longer has): a decision on it gets a clear answer in
// the investigator's language, naming the way out, and changes nothing.
// Mutation: decide without its storage.ErrSealed case -> the generic
// "something went wrong" answer.
func TestDecisionOnUnreadableTipIsAnsweredClearly(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	tm.report("3001", "cobran piso en el mercado de la calle 5", "")
	c := tm.srv.Client()
	if err := c.HSet(ctx, "w:{tips}:tip:1", "k", "damaged").Err(); err != nil {
		t.Fatal(err)
	}
	before := c.HGet(ctx, "w:{tips}:tip:1", "s").Val()
	for _, lang := range []string{"en", "es"} {
		tm.as(adminID, "Ada", commands.Request{Command: "language", Args: lang})
		want := tm.text(lang, "triage_unreadable", map[string]any{"ID": "1"})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 dismissed"}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("%s: /triage of an unreadable tip answered %+v, want %q", lang, r, want)
		}
	}
	if s := c.HGet(ctx, "w:{tips}:tip:1", "s").Val(); s != before || before == "" {
		t.Fatalf("status %q after the refused decision, was %q", s, before)
	}
}
