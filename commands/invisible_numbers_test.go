package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// withMarks puts mark before and after each digit of args: what a
// keyboard of a right-to-left language (direction marks), or a number
// copied from a message or a web page (a zero-width space, a word
// joiner, a byte order mark, isolates), leaves around digits, unseen.
func withMarks(args string, mark rune) string {
	var b strings.Builder
	for _, r := range args {
		if r >= '0' && r <= '9' {
			b.WriteRune(mark)
			b.WriteRune(r)
			b.WriteRune(mark)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// A number with an invisible format character around its digits is the
// number the user sees, in every command that reads one: each answers as
// to the plain digits, never with its usage nor "1 is not a tip number"
// (found with the real binary: "/tip \u200e1" answered so, "/signals
// \u202e7d" and "/search piso window:7d\u200b" with the usage, the last
// naming "window:7d" as no window).
// Mutation: asciiNumerals keeping format characters (as before) -> every
// case fails.
func TestNumbersWithInvisibleMarksAreTheNumbers(t *testing.T) {
	tm := newTeam(t)
	tm.report("7401", "cobran piso en el mercado 5512345678", "")
	as := func(user, cmd, args string) string {
		t.Helper()
		r := tm.as(user, "Ada", commands.Request{Command: cmd, Args: args})
		if len(r) == 0 {
			t.Fatalf("/%s %q: no answer", cmd, args)
		}
		return r[0].Text
	}
	for _, mark := range []rune{
		'\u200e', // left-to-right mark
		'\u200f', // right-to-left mark
		'\u202e', // right-to-left override
		'\u2068', // first strong isolate
		'\u200b', // zero-width space
		'\u200d', // zero-width joiner
		'\u2060', // word joiner
		'\ufeff', // byte order mark
	} {
		for _, c := range []struct{ user, cmd, args string }{
			{adminID, "tip", "1"}, {adminID, "tip", "#1"}, {adminID, "tip", "1 1"},
			{adminID, "recent", "3"}, {adminID, "signals", "7d"}, {adminID, "signals", "48h"},
			{adminID, "search", "piso window:7d"},
			{adminID, "retract", "1"}, {adminID, "publish", "1"}, {adminID, "purge", "99"},
			{"7401", "wipe", "30m"},
		} {
			typed := withMarks(c.args, mark)
			if want, got := as(c.user, c.cmd, c.args), as(c.user, c.cmd, typed); got != want {
				t.Errorf("/%s %q: %q, want %q (as /%s %s)", c.cmd, typed, got, want, c.cmd, c.args)
			}
		}
		// (The audit log grows with each command: not the usage is enough.)
		if got := as(adminID, "audit", withMarks("3", mark)); got == tm.msg.Localize("en", "audit_usage", map[string]any{"Max": 50}) {
			t.Errorf("/audit %q: the usage", withMarks("3", mark))
		}
		if got, want := as(adminID, "note", withMarks("1", mark)+" revisado"), tm.msg.Localize("en", "note_done", map[string]any{"ID": "1"}); got != want {
			t.Errorf("/note %q revisado: %q, want %q", withMarks("1", mark), got, want)
		}
	}
	if got, want := as(adminID, "triage", withMarks("1", '\u200e')+" escalated"), tm.msg.Localize("en", "triage_done", map[string]any{"ID": "1", "Status": tm.msg.Localize("en", "status_escalated", nil)}); got != want {
		t.Errorf("/triage with a direction mark: %q, want %q", got, want)
	}
}
