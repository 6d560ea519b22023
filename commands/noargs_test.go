package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Team commands that take nothing after them (/queue, /team, /dead)
// answer words after them with how to use them, in the member's
// language, rather than run as if the words were not there: "/queue
// extortion" does not filter the queue, and must not seem to. Without
// words they run as before.
// Mutation: the check in queue (or team, dead) removed → fails (the
// summary answers "/queue extortion").
func TestCommandsWithoutArgumentsAnswerWordsAfterThemWithTheirUsage(t *testing.T) {
	tm := newTeam(t)
	tm.report("7401", "cobran piso en el mercado 5512345678", "")
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		for _, c := range []struct{ cmd, args string }{
			{"queue", "extortion"},
			{"queue", " urgent  high "},
			{"team", "telegram:1001"},
			{"dead", "10"},
		} {
			r := tm.as(adminID, "Ada", commands.Request{Command: c.cmd, Args: c.args, Language: lang})
			want := tm.msg.Localize(lang, c.cmd+"_usage", nil)
			if len(r) != 1 || r[0].Text != want {
				t.Errorf("%s: /%s %s answered %+v, want %q", lang, c.cmd, c.args, r, want)
			}
			if lang != "en" && want == tm.msg.Localize("en", c.cmd+"_usage", nil) {
				t.Errorf("%s: %s_usage is not translated", lang, c.cmd)
			}
		}
	}
	for _, cmd := range []string{"queue", "team", "dead"} {
		r := tm.as(adminID, "Ada", commands.Request{Command: cmd})
		if len(r) == 0 || r[0].Text == tm.msg.Localize("en", cmd+"_usage", nil) {
			t.Errorf("/%s alone answered %+v, want it run", cmd, r)
		}
	}
}
