package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply with the code typed against an emoji or a flag ("CODE🇲🇽 El
// lunes", "🙏CODE🙏 …", as reporters type on a phone) delivers the answer,
// not the usage as if no code had been sent: what follows the code, the
// emoji that touched it included, reaches the investigator, the code
// never. Words before a code are still not read as one (the answer would
// start nowhere certain): the usage, nothing delivered.
// Mutation: replyCode without its look past the leading words (ReceiptSpans
// of the arguments) → /reply CODE🇲🇽 answers the usage, test fails.
func TestReplyReadsACodeTouchingEmoji(t *testing.T) {
	for _, c := range []struct{ args, answer func(code string) string }{
		{func(code string) string { return code + "🇲🇽 El lunes" }, func(string) string { return "🇲🇽 El lunes" }},
		{func(code string) string { return "🙏" + code + "🙏 El lunes" }, func(string) string { return "🙏 El lunes" }},
		{func(code string) string { return "🇲🇽" + strings.ReplaceAll(code, "-", " ") + "👍" }, func(string) string { return "👍" }},
	} {
		tm, receipt := questioned(t, "¿Cuándo?")
		args := c.args(receipt)
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: args}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", args, texts(r))
			continue
		}
		n := tm.notices("2002")
		if len(n) != 1 || n[0] != tm.notice("1", "¿Cuándo?", c.answer(receipt)) || strings.Contains(n[0], receipt) {
			t.Errorf("/reply %q: Ana was told %q", args, n)
		}
	}
	tm, receipt := questioned(t, "¿Cuándo?")
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: "mi código es " + receipt + " el lunes"}); len(r) != 1 || r[0].Text != tm.text("en", "reply_usage", nil) {
		t.Errorf("/reply mi código es CODE el lunes: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Errorf("/reply mi código es CODE el lunes: Ana was told %q", n)
	}
}
