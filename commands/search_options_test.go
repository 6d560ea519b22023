package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A /search filter it cannot read is named, in the member's language,
// before the usage: the filter given twice with two values (the values
// as read: the category's name, the window's length), a value that is no
// category or window (repeated made safe, at most 24 characters), a
// filter with nothing after its colon. Where the arguments hold a code,
// the value is not repeated: a receipt code would stay in the
// investigators' chat. Before, each got the usage alone, not saying what
// was not understood. Mutation: search answering the usage alone again
// (bad not put before it) -> every case fails.
func TestSearchNamesTheFilterNotUnderstood_options(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	say := func(lang, id string, data map[string]any) string { return tm.msg.Localize(lang, id, data) }
	days := func(lang string, n int) string { return tm.msg.Localize(lang, "age_days", nil, n) }
	for _, c := range []struct {
		lang, args, id string
		data           map[string]any
	}{
		{"en", "window:7d window:30d", "search_filter_twice_window", map[string]any{"First": days("en", 7), "Second": days("en", 30)}},
		{"es", "piso window:7d WINDOW:30d", "search_filter_twice_window", map[string]any{"First": days("es", 7), "Second": days("es", 30)}},
		{"fr", "piso category:extortion category:drugs", "search_filter_twice_category", map[string]any{
			"First": say("fr", "category_extortion", nil), "Second": say("fr", "category_drugs", nil)}},
		{"en", "category:banana", "search_filter_bad_category", map[string]any{"Text": "banana"}},
		{"pt-BR", "piso Category:banana", "search_filter_bad_category", map[string]any{"Text": "banana"}},
		{"en", "piso window:forever", "search_filter_bad_window", map[string]any{"Text": "forever"}},
		{"es", "window:0d", "search_filter_bad_window", map[string]any{"Text": "0d"}},
		// Long: cut; control characters and a command made harmless.
		{"en", "category:" + strings.Repeat("x", 300), "search_filter_bad_category", map[string]any{"Text": strings.Repeat("x", 24) + "…"}},
		{"en", "category:a\x1b[2Jb", "search_filter_bad_category", map[string]any{"Text": "a [2Jb"}},
		{"en", "category:\u202eabc", "search_filter_bad_category", map[string]any{"Text": "abc"}},
		// Nothing after the colon (the value written after a space).
		{"en", "category: extortion", "search_filter_empty", map[string]any{"Filter": "category:"}},
		{"fr", "piso window:", "search_filter_empty", map[string]any{"Filter": "window:"}},
		{"en", "piso window:\u200b", "search_filter_empty", map[string]any{"Filter": "window:"}},
		// Words shaped like a code of letters alone that no tip has: not
		// repeated, nor any group of them (a code with a digit, live or
		// not, is answered text_holds_code before: TestReceiptCodeInTeamText…).
		{"en", "category:KAQD-MXMA-RWTP-HWZN", "search_filter_unshown", map[string]any{"Filter": "category:"}},
		{"es", "category:kaqd mxma rwtp hwzn", "search_filter_unshown", map[string]any{"Filter": "category:"}},
		{"fr", "window:KAQDMXMARWTPHWZN", "search_filter_unshown", map[string]any{"Filter": "window:"}},
		{"pt-BR", "window:[KAQD]-[MXMA]-[RWTP]-[HWZN]", "search_filter_unshown", map[string]any{"Filter": "window:"}},
	} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: c.args, Language: c.lang})
		usage := say(c.lang, "search_usage", map[string]any{"Categories": ""})[:40]
		want := say(c.lang, c.id, c.data) + "\n\n"
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, want) || !strings.Contains(r[0].Text, usage) {
			t.Errorf("/search %q in %s: %q, want %q then the usage", c.args, c.lang, texts(r), want)
			continue
		}
		noCodeGroup(t, c.args, r[0].Text, "KAQD", "MXMA", "RWTP", "HWZN")
	}
	// The same filter twice with one value is that filter, as before.
	for _, args := range []string{"window:7d window:168h", "category:extortion category:EXTORTION"} {
		if r := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: args}); len(r) != 1 || !strings.Contains(r[0].Text, "#1 ") {
			t.Errorf("/search %s: %q, want tip #1", args, texts(r))
		}
	}
}

// A value /search cannot read is not repeated where the answer would
// show a code, though the arguments as typed hold none: C1 controls
// between its groups (shown as spaces once made safe), a letter in it
// before a dot (the host it makes shown in ASCII, the code glued whole
// in "xn--k7qd9xmar2tp4wzn-…"), a code given half to one filter and half
// to the same filter again. Before, each answer repeated the code or half
// of it. Mutations: the arguments read as typed only -> every case fails;
// the shown value not read -> the host's case fails; the filters' names
// not left out -> the halves' case fails.
func TestSearchRepeatsNoCodeOnceMadeSafe_revoptions(t *testing.T) {
	tm := newTeam(t)
	for _, c := range []struct{ args, filter string }{
		{"window:K7QD\u0080\u0080\u0080\u00809XMAR2TP4WZN", "window:"},
		{"piso category:K7QDé9XMAR2TP4WZN.zn", "category:"},
		{"window:K7QD-9XMA window:R2TP-4WZN", "window:"},
	} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: c.args, Language: "es"})
		want := tm.msg.Localize("es", "search_filter_unshown", map[string]any{"Filter": c.filter}) + "\n\n"
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, want) {
			t.Errorf("/search %q: %q, want %q then the usage", c.args, texts(r), want)
			continue
		}
		noCodeGroup(t, c.args, r[0].Text, "K7QD", "9XMA", "R2TP", "4WZN")
	}
}

// noCodeGroup fails t where answer, to "/search args", repeats one of a
// code's groups, in any case.
func noCodeGroup(t *testing.T, args, answer string, groups ...string) {
	t.Helper()
	for _, g := range groups {
		if strings.Contains(strings.ToUpper(answer), g) {
			t.Errorf("/search %q: the answer repeats %s", args, g)
		}
	}
}
