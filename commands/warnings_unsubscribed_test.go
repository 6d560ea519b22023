package commands_test

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A community that unsubscribes after a warning was published and before
// its turn gets nothing, and the report says it unsubscribed, not that it
// removed the bot; the counts still add up to the communities announced.
func TestBroadcastReportCountsUnsubscribedBeforeTheirTurn(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.publishTo(t, platform, "-1", "-2", "-3")
	tm.inGroup("50", "-2", true, commands.Request{Command: "unsubscribe"})
	tm.deliverAll(t)

	if got := platform.got["-2"]; len(got) != 0 {
		t.Fatalf("the community that unsubscribed got %q", got)
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 2, "Total": 3, "Gone": 0, "Unconfirmed": 0}, 3) +
		" " + tm.msg.Localize("en", "publish_report_unsubscribed", map[string]any{"Count": 1}, 1)
	if got := platform.got["2002"]; len(got) == 0 || got[len(got)-1] != report {
		t.Fatalf("report %q, want %q", got, report)
	}
}

// A subscription that will never open (sealed under a secret no longer
// kept, or damaged) is given up as gone, so the broadcast finishes and its
// report goes out; a Redis error, which may pass, would leave it pending.
func TestBroadcastFinishesPastAnUnreadableSubscription(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.publishTo(t, platform, "-1", "-2", "-3")
	ctx := context.Background()
	rdb := tm.srv.Client()
	fields, err := rdb.HKeys(ctx, "w:{bc}:subs").Result()
	if err != nil || len(fields) != 3 {
		t.Fatalf("subscriptions: %v %v", fields, err)
	}
	rdb.HSet(ctx, "w:{bc}:subs", fields[0], "damaged")
	tm.deliverAll(t)
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 2, "Total": 3, "Gone": 1, "Unconfirmed": 0}, 3)
	if got := platform.got["2002"]; len(got) == 0 || got[len(got)-1] != report {
		t.Fatalf("report %q, want %q", got, report)
	}
}
