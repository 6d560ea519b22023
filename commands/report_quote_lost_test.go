package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A bare /report sent as a reply to a message in another chat, quoting
// none of its words (Request.QuoteLost), is told that message did not
// come (quote it, or forward it), then how to send a tip: the reporter
// meant to report it, and report_how alone read as if it had been taken.
// A bare /report replying to nothing elsewhere is answered as before.
// Mutation: report not reading QuoteLost (as before) -> report_how
// alone, the test fails.
func TestABareReportWhoseQuoteWasLostIsToldSo_quotes(t *testing.T) {
	e := newEnv(t, nil)
	how := e.text("es", "report_how", nil)
	r := e.do("7460", commands.Request{Command: "report", CommandAtStart: true, QuoteLost: true})
	if want := e.text("es", "quote_not_received", nil) + "\n\n" + how; len(r) != 1 || r[0].Text != want {
		t.Errorf("a bare /report, its quote lost: %q, want %q", texts(r), want)
	}
	if r := e.do("7461", commands.Request{Command: "report", CommandAtStart: true}); len(r) != 1 || r[0].Text != how {
		t.Errorf("a bare /report: %q", texts(r))
	}
}
