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
		if s := do("tip", arg); s != en("tip_usage", nil) {
			t.Errorf("/tip %s: %q, want the usage", arg, s)
		}
	}
}
