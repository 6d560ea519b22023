package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /search of emoji or symbols alone says those are not searchable, as
// /search of a word too short to look for says it was left out, before
// the usage; with a searchable word beside them, the list says they were
// not looked for.
func TestSearchSymbolsAloneSaySo(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", "")
	search := func(args string) string {
		t.Helper()
		return tm.as(adminID, "Ada", commands.Request{Command: "search", Args: args})[0].Text
	}
	usage := tm.msg.Localize("en", "search_usage", map[string]any{"Categories": ""})[:40]
	for args, words := range map[string]string{
		"😀":       "😀",
		"😀 !!! 😀": "😀 !!!",
		"🔫 💊":     "🔫 💊",
	} {
		want := tm.msg.Localize("en", "search_words_symbols", map[string]any{"Words": words})
		if s := search(args); !strings.HasPrefix(s, want+"\n\n") || !strings.Contains(s, usage) {
			t.Errorf("/search %s: want %q, then the usage:\n%s", args, want, s)
		}
	}
	skipped := tm.msg.Localize("en", "search_words_skipped", map[string]any{"Words": "a"})
	symbols := tm.msg.Localize("en", "search_words_symbols", map[string]any{"Words": "😀"})
	if s := search("a 😀"); !strings.HasPrefix(s, skipped+"\n"+symbols+"\n\n") {
		t.Errorf("/search a 😀: want %q and %q, then the usage:\n%s", skipped, symbols, s)
	}
	if s := search("mercado 😀"); !strings.Contains(s, "#1 ") || !strings.Contains(s, symbols) {
		t.Errorf("/search mercado 😀 lacks #1 and %q:\n%s", symbols, s)
	}
	if s := search("mercado"); strings.Contains(s, symbols[:15]) {
		t.Errorf("/search mercado says symbols were not searched:\n%s", s)
	}
}
