package commands_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A duplicate mark names a tip whose chain of duplicates runs past the
// nine tips /triage follows: the mark is refused, saying so, rather than
// made onto a tip in the middle of the chain; so a way back to the tip
// beyond the bound (#11 -> … -> #10 -> #11) cannot close a cycle.
// Mutation: the chain's bound taken as its end (as before) -> /triage 12
// duplicate-of 1 marks #12 a duplicate of #9, and /triage 11
// duplicate-of 1 makes #9 -> #10 -> #11 -> #9.
func TestDuplicateMarkPastTheChainBoundIsRefused(t *testing.T) {
	ctx := context.Background()
	tm := newTeam(t)
	for i := 1; i <= 12; i++ {
		tm.report(strconv.Itoa(7000+i), "cobran piso en el mercado", "")
	}
	for i := 1; i <= 10; i++ { // #1 -> #2 -> … -> #11, one mark at a time
		tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: fmt.Sprintf("%d duplicate-of %d", i, i+1)})
	}
	c := tm.srv.Client()
	if got := c.HGet(ctx, "w:{tips}:tip:10", "dup").Val(); got != "11" {
		t.Fatalf("#10 is a duplicate of %q, want #11: the chain was not built", got)
	}
	for _, id := range []string{"12", "11"} {
		want := tm.text("en", "triage_duplicate_chain_too_long", map[string]any{"ID": id, "Other": "1", "Last": "9", "Max": 9})
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: id + " duplicate-of 1"}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/triage %s duplicate-of 1 answered %+v, want %q", id, r, want)
		}
		if got := c.HGet(ctx, "w:{tips}:tip:"+id, "dup").Val(); got != "" {
			t.Fatalf("#%s marked a duplicate of #%s", id, got)
		}
	}
}
