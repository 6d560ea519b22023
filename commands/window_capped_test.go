package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A window past the retention (/signals 91d, /search window:91d where
// tips are kept 90 days) is cut to it, and the reply says so, in the
// member's language, with signals or without; a window within it is not
// said to be cut. Before, it was cut silently ("Strongest signals over
// the last 90 days" to /signals 91d). Mutations: windowCapped's line
// left out of /signals -> the signals cases fail; left out of /search ->
// the search cases fail.
func TestWindowPastTheRetentionSaysItIsCut_options(t *testing.T) {
	tm := newTeam(t)
	capped := func(lang string) string {
		return tm.msg.Localize(lang, "window_capped", map[string]any{"Period": tm.msg.Localize(lang, "age_days", nil, 90)})
	}
	do := func(lang, cmd, args string) string {
		t.Helper()
		r := tm.as(adminID, "Ada", commands.Request{Command: cmd, Args: args, Language: lang})
		if len(r) != 1 {
			t.Fatalf("/%s %s: %q", cmd, args, texts(r))
		}
		return r[0].Text
	}
	// No signals yet.
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		want := tm.msg.Localize(lang, "signals_empty", nil) + "\n" + capped(lang)
		if s := do(lang, "signals", "91d"); s != want {
			t.Errorf("/signals 91d in %s, no signals: %q, want %q", lang, s, want)
		}
	}
	tm.report("7001", "me cobran piso desde el 55 1234 5678", tips.Extortion)
	tm.report("7002", "el 5512345678 cobra piso en el mercado", tips.Extortion)
	for _, c := range []struct {
		lang, cmd, args string
		cut             bool
	}{
		{"en", "signals", "91d", true},
		{"es", "signals", "2400h", true},
		{"fr", "signals", "99999999999999999999d", true},
		{"pt-BR", "signals", "90d", false},
		{"en", "signals", "2160h", false},
		{"en", "signals", "", false},
		{"es", "search", "piso window:91d", true},
		{"fr", "search", "window:365d", true},
		{"en", "search", "piso window:90d", false},
		{"pt-BR", "search", "piso", false},
	} {
		s := do(c.lang, c.cmd, c.args)
		if !strings.Contains(s, "#1") && !strings.Contains(s, "5678") {
			t.Errorf("/%s %s in %s lists nothing: %q", c.cmd, c.args, c.lang, s)
		}
		if got := strings.Contains(s, capped(c.lang)); got != c.cut {
			t.Errorf("/%s %s in %s: says the window is cut: %v, want %v:\n%s", c.cmd, c.args, c.lang, got, c.cut, s)
		}
	}
}
