package commands_test

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Revoking a member one of whose claimed tips can no longer be read (its
// key damaged) still revokes them, says so, and puts their other claims
// back on the queue: the unreadable tip, which cannot be decided, does not
// stop the others.
// Mutation: /revoke returning Decide's storage.ErrSealed -> the generic
// "something went wrong" answer, and #2 stays claimed by the revoked member.
func TestRevokeReleasesClaimsPastAnUnreadableTip(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	tm.report("3001", "cobran piso en el mercado de la calle 5", "")
	tm.report("3002", "retén falso en el km 23", "")
	for _, id := range []string{"1", "2"} {
		tm.as("2002", "Ana", commands.Request{Command: "triage", Args: id + " claimed"})
	}
	c := tm.srv.Client()
	for _, id := range []string{"1", "2"} {
		if s := c.HGet(ctx, "w:{tips}:tip:"+id, "s").Val(); s != "claimed" {
			t.Fatalf("#%s is %q, want claimed: the test claims nothing", id, s)
		}
	}
	if err := c.HSet(ctx, "w:{tips}:tip:1", "k", "damaged").Err(); err != nil {
		t.Fatal(err)
	}
	want := tm.text("en", "revoke_done", map[string]any{"What": "telegram:2002"})
	if r := tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2002"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/revoke answered %+v, want %q", r, want)
	}
	if s := c.HGet(ctx, "w:{tips}:tip:2", "s").Val(); s != "new" {
		t.Fatalf("the revoked member's readable claim #2 is %q, want new (back on the queue)", s)
	}
}
