package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A community that unsubscribes after a warning was published and before
// its turn gets nothing, and the report says it unsubscribed, not that it
// removed the bot; the counts still add up to the communities announced.
func TestBroadcastReportCountsUnsubscribedBeforeTheirTurn(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	for _, chat := range []string{"-1", "-2", "-3"} {
		tm.inGroup("50", chat, true, commands.Request{Command: "subscribe"})
	}
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1")
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
