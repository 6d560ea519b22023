package commands_test

import (
	"context"
	"strings"
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

// A duplicate mark naming a tip that can no longer be read (or whose
// chain runs through one) gets the same clear answer, naming that tip,
// and marks nothing.
// Mutation: the chain walk returning the storage.ErrSealed of Tip -> the
// generic "something went wrong" answer.
func TestDuplicateMarkOntoUnreadableTipIsAnsweredClearly(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	for _, u := range []string{"3001", "3002", "3003"} {
		tm.report(u, "cobran piso en el mercado de la calle 5", "")
	}
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "2 duplicate-of 1"})
	c := tm.srv.Client()
	if got := c.HGet(ctx, "w:{tips}:tip:2", "dup").Val(); got != "1" {
		t.Fatalf("#2 is a duplicate of %q, want #1: the chain was not built", got)
	}
	if err := c.HSet(ctx, "w:{tips}:tip:1", "k", "damaged").Err(); err != nil {
		t.Fatal(err)
	}
	before := c.HGet(ctx, "w:{tips}:tip:3", "s").Val()
	for _, named := range []string{"1", "2"} { // the tip itself, a tip whose chain runs through it
		want := tm.text("en", "triage_unreadable", map[string]any{"ID": "1"})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "3 duplicate-of " + named}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/triage 3 duplicate-of %s answered %+v, want %q", named, r, want)
		}
	}
	if s, dup := c.HGet(ctx, "w:{tips}:tip:3", "s").Val(), c.HGet(ctx, "w:{tips}:tip:3", "dup").Val(); s != before || before == "" || dup != "" {
		t.Fatalf("#3 is %q (duplicate of %q) after the refused marks, was %q", s, dup, before)
	}
}

// /publish of a duplicate warning whose chain to its original runs
// through a tip that can no longer be read gets the clear answer naming
// that tip, and nothing goes out: whether a warning beyond it is out
// already cannot be known.
// Mutation: original() returning Tip's storage.ErrSealed as it is -> the
// generic "something went wrong" answer.
func TestPublishThroughUnreadableTipIsAnsweredClearly(t *testing.T) {
	ctx := context.Background()
	tm := newTeamPublishing(t, 1)
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera, roban a los conductores"})
	tm.as("7002", "S", commands.Request{Command: "warn", Args: "Retén falso en la carretera: roban a los conductores"})
	tm.as("2003", "Bob", commands.Request{Command: "triage", Args: "2 duplicate-of 1"})
	c := tm.srv.Client()
	if got := c.HGet(ctx, "w:{tips}:tip:2", "dup").Val(); got != "1" {
		t.Fatalf("#2 is a duplicate of %q, want #1", got)
	}
	if err := c.HSet(ctx, "w:{tips}:tip:1", "k", "damaged").Err(); err != nil {
		t.Fatal(err)
	}
	want := tm.text("en", "triage_unreadable", map[string]any{"ID": "1"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2 Retén falso en la carretera"}); len(r) != 1 || r[0].Text != want || len(r[0].Buttons) > 0 {
		t.Fatalf("/publish 2 through an unreadable #1 answered %+v, want %q", r, want)
	}
	// /retract of it does not suggest it may still be published.
	r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "2"})
	hint := tm.text("en", "retract_none_dismiss", map[string]any{"ID": "2"})
	if len(r) != 1 || strings.Contains(r[0].Text, hint) || r[0].Text != tm.text("en", "retract_none", map[string]any{"ID": "2"}) {
		t.Fatalf("/retract 2 answered %+v", r)
	}
}
