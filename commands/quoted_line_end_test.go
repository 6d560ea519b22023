package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/locales"
)

// A quoted block (QuoteMark lines: a tip's forward source, a question, an
// answer) is not isolated, because nothing follows it on its line: each
// message puts it at the end of a line, and a line break ends a paragraph
// for the bidirectional algorithm, so text in Arabic or Hebrew in it
// cannot move anything of the bot's. This checks that every language
// keeps it so; a message that wrote anything after one on its line
// would need it isolated (as isolated does).
func TestQuotedBlocksEndTheirLine(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	const block = "\u2502\u200e QUOTED"
	for id, fields := range map[string][]string{
		"answer_notify":     {"Question", "Answer"},
		"tip_forward":       {"Source"},
		"tip_open_question": {"Question"},
		"form_not_received": {"Text"},
	} {
		data := map[string]any{"ID": "1"}
		for _, f := range fields {
			data[f] = block
		}
		for _, lang := range locales.Supported {
			text := msg.Localize(lang, id, data)
			if n := strings.Count(text, block); n != len(fields) {
				t.Fatalf("%s %s: %d quoted blocks in %q", lang, id, n, text)
			}
			for _, rest := range strings.Split(text, block)[1:] {
				if rest != "" && !strings.HasPrefix(rest, "\n") {
					t.Errorf("%s %s: %q follows a quoted block on its line", lang, id, strings.SplitN(rest, "\n", 2)[0])
				}
			}
		}
	}
}
