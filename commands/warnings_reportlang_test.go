package commands_test

import (
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// The reports of a broadcast go in the language of the investigator they
// are for, not the bot's default: how the delivery goes to the one who
// approved it (Spanish here), how the withdrawal goes to the one who
// retracted it (French).
func TestBroadcastReportsInTheInvestigatorsLanguage(t *testing.T) {
	tm := newTeamPublishing(t, 1)                          // the bot's default language is English
	platform := &community{flaky: map[string]int{"-2": 1}} // -2 waits a round: a progress report is due
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.clk.Add(time.Second) // subscribed later: sent after -1
	tm.inGroup("50", "-2", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Beto")
	tm.as("2002", "Ana", commands.Request{Command: "language", Args: "es"})
	tm.as("2003", "Beto", commands.Request{Command: "language", Args: "fr"})
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1")
	tm.deliverAll(t)

	progress := tm.msg.Localize("es", "publish_progress", map[string]any{"ID": "1", "Delivered": 1, "Total": 2}, 2)
	report := tm.msg.Localize("es", "publish_report", map[string]any{"ID": "1", "Delivered": 2, "Total": 2, "Gone": 0, "Unconfirmed": 0}, 2)
	if got := platform.got["2002"]; len(got) != 2 || got[0] != progress || got[1] != report {
		t.Fatalf("told the approver %q, want %q then %q", got, progress, report)
	}

	tm.as("2003", "Beto", commands.Request{Command: "retract", Args: "1"})
	tm.deliverAll(t)
	done := tm.msg.Localize("fr", "retract_done", map[string]any{"ID": "1", "Total": 2, "Deleted": 2, "Count": 2, "Gone": 0, "Unconfirmed": 0}, 2)
	if got := platform.got["2003"]; len(got) == 0 || got[len(got)-1] != done {
		t.Fatalf("told the retractor %q, want %q", got, done)
	}
}
