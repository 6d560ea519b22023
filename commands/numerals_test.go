package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Numbers typed on Arabic, Persian or CJK keyboards are the numbers they
// are, in every command that reads one: tip numbers, pages, counts,
// windows; written in letters of another script, they are still refused.
func TestNumbersInTheDigitsOfOtherKeyboards(t *testing.T) {
	tm := newTeam(t)
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	tm.report("7401", "cobran piso en el mercado 5512345678", "")
	do := func(cmd, args string) string {
		t.Helper()
		r := tm.as(adminID, "Ada", commands.Request{Command: cmd, Args: args})
		if len(r) == 0 {
			t.Fatalf("/%s %s: no answer", cmd, args)
		}
		return r[0].Text
	}
	for _, arg := range []string{"١", "۱", "１", "＃１", "#٠١", "١ ١", "۱ ۱", "１ １"} {
		if s := do("tip", arg); !strings.HasPrefix(s, "Tip #1 ·") {
			t.Errorf("/tip %s: %q", arg, s)
		}
	}
	if s := do("triage", "١ escalated"); s != en("triage_done", map[string]any{"ID": "1", "Status": en("status_escalated", nil)}) {
		t.Errorf("/triage ١ escalated: %q", s)
	}
	if s := do("note", "۱ revisado"); s != en("note_done", map[string]any{"ID": "1"}) {
		t.Errorf("/note ۱ revisado: %q", s)
	}
	for _, arg := range []string{"٣", "۳", "３"} {
		if s := do("recent", arg); !strings.Contains(s, "#1 ·") {
			t.Errorf("/recent %s: %q", arg, s)
		}
		if s := do("audit", arg); s == en("audit_usage", map[string]any{"Max": 50}) {
			t.Errorf("/audit %s: the usage", arg)
		}
	}
	for _, arg := range []string{"٧d", "۷d", "７ｄ", "٤٨h"} {
		if s := do("signals", arg); s == en("signals_usage", nil) {
			t.Errorf("/signals %s: the usage", arg)
		}
		if s := do("search", "piso window:"+arg); !strings.Contains(s, "#1 ·") {
			t.Errorf("/search piso window:%s: %q", arg, s)
		}
	}
	// Not digits: an ideograph, a roman numeral, a superscript.
	for _, arg := range []string{"一", "ⅰ", "¹"} {
		if s := do("tip", arg); s != en("tip_not_a_number", map[string]any{"ID": arg}) {
			t.Errorf("/tip %s: %q, want it named not a tip number", arg, s)
		}
	}
}

// Numbers typed in the digits of any script (a Hindi, Bengali, Thai,
// Tamil, Burmese… keyboard, as receipt codes are read) are the numbers
// they are in every command that reads one: each answers as it does to
// ASCII digits, never with its usage; the five runs of mathematical
// digits, one after another, are read each from its own zero.
// Mutation: asciiNumerals reading Arabic, Persian and full-width digits
// alone (as before) → "/tip ७" answered with the usage; DigitValue
// counting back ten digits at most (as before) → "/tip 𝟙" read as
// tip 0; /revoke reading ASCII ids alone → its usage.
func TestNumbersInTheDigitsOfEveryScript(t *testing.T) {
	tm := newTeam(t)
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	tm.report("7401", "cobran piso en el mercado 5512345678", "")
	as := func(user, cmd, args string) string {
		t.Helper()
		r := tm.as(user, "Ada", commands.Request{Command: cmd, Args: args})
		if len(r) == 0 {
			t.Fatalf("/%s %s: no answer", cmd, args)
		}
		return r[0].Text
	}
	do := func(cmd, args string) string { t.Helper(); return as(adminID, cmd, args) }
	usages := map[string]bool{}
	for _, id := range []string{"tip_usage", "recent_usage", "audit_usage", "signals_usage", "search_usage", "retract_usage",
		"publish_usage", "purge_usage", "revoke_usage", "triage_usage", "note_usage", "ask_usage", "wipe_usage"} {
		usages[en(id, map[string]any{"Max": 50})] = true
		usages[en(id, map[string]any{"MaxLabels": 10, "LabelLen": 40})] = true
	}
	for _, zero := range []rune{
		'०', // Devanagari
		'০', // Bengali
		'๐', // Thai
		'௦', // Tamil
		'၀', // Myanmar
		'០', // Khmer
		'߀', // N'Ko
		'𝟘', // mathematical double-struck, the second of five runs
		'𝟶', // mathematical monospace, the last
	} {
		// Each answers as to ASCII digits, asked right before.
		for _, c := range []struct{ user, cmd, args string }{
			{adminID, "tip", "1"}, {adminID, "tip", "#1"}, {adminID, "tip", "1 1"}, {adminID, "tip", "1 9"},
			{adminID, "recent", "3"}, {adminID, "signals", "7d"}, {adminID, "signals", "48h"}, {adminID, "search", "piso window:7d"},
			{adminID, "retract", "1"}, {adminID, "publish", "1"}, {adminID, "purge", "99"}, {adminID, "revoke", "telegram:99"},
			{"7401", "wipe", "30m"},
		} {
			typed := inDigits(c.args, zero)
			want, got := as(c.user, c.cmd, c.args), as(c.user, c.cmd, typed)
			if got != want || usages[got] {
				t.Errorf("/%s %s: %q, want %q (as /%s %s)", c.cmd, typed, got, want, c.cmd, c.args)
			}
		}
		if got := do("audit", inDigits("3", zero)); usages[got] || strings.Count(got, "\n") != 2 {
			t.Errorf("/audit %s: %q, want three entries", inDigits("3", zero), got)
		}
		if got := do("triage", inDigits("1 escalated", zero)); got != en("triage_done", map[string]any{"ID": "1", "Status": en("status_escalated", nil)}) {
			t.Errorf("/triage %s escalated: %q", inDigits("1", zero), got)
		}
		if got := do("note", inDigits("1", zero)+" revisado"); got != en("note_done", map[string]any{"ID": "1"}) {
			t.Errorf("/note %s revisado: %q", inDigits("1", zero), got)
		}
		if got := do("ask", inDigits("1", zero)+" ¿cuándo?"); usages[got] {
			t.Errorf("/ask %s: the usage", inDigits("1", zero))
		}
	}
}
