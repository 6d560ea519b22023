package commands_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A reporter's receipt code an investigator writes into what a team
// command keeps, sends or reads back (a /triage label, or the word where
// a status or an original was meant; a note; a question; a warning's text
// to publish; a search) is answered, in the member's language, that
// nothing was done, without repeating it: kept, it would be shown to
// everyone who reads the tip (an investigators' group); asked, another
// tip's code would tie that tip to this reporter; published, it would
// reach every community; and whoever holds a code can answer questions or
// delete its tip. Nothing changes, no question goes out, and Redis holds
// the code in no form. A code-like word with a digit that is no tip's (a
// payment reference) is answered the same: else the answer would say
// whether a code is live. Before, "/triage 1 verified CODE" kept it
// as a label, shown by /tip; "/triage 1 CODE" answered "Not understood:
// “CODE”"; /note and /ask kept it in the tip's history (and /ask sent it
// to the reporter); "/search code:CODE" repeated it among its hints.
// Mutation: holdsReceipt answering false -> every case fails.
func TestReceiptCodeInTeamTextIsNeitherKeptNorRepeated(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	tm.tipWithQuestions()                                                                      // #1, its reporter allows questions
	code := tm.reportCode("7005", "venden armas en la esquina")                                // #2
	tm.as("7009", "W", commands.Request{Command: "warn", Args: "retén falso en la carretera"}) // #3
	if err := tm.mux.IndexPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := tipRecords(t, tm)
	compact := strings.ReplaceAll(code, "-", "")
	forms := []string{
		code,
		strings.ToLower(strings.ReplaceAll(code, "-", " ")),
		"#" + code,
		"code:" + code,
		"[" + code + "]",
		strings.ReplaceAll(code, "-", "\u200b"),
	}
	cmds := []commands.Request{
		{Command: "triage", Args: "1 verified F"},
		{Command: "triage", Args: "1 verified high drugs urgente F"},
		{Command: "triage", Args: "1 F"},
		{Command: "triage", Args: "1 duplicate F"},
		{Command: "triage", Args: "1 duplicate of 2 F"},
		{Command: "triage", Args: "1 verified a b c d e f g h i j F"},
		{Command: "note", Args: "1 el código es F, me lo leyó"},
		{Command: "ask", Args: "1 ¿conoces F?"},
		{Command: "publish", Args: "3 Retén falso F"},
		{Command: "search", Args: "armas F"},
	}
	langs, n := []string{"en", "es", "fr", "pt-BR"}, 0
	for _, form := range forms {
		for _, req := range cmds {
			req.Args = strings.Replace(req.Args, "F", form, 1)
			req.Language = langs[n%len(langs)]
			n++
			r := tm.as("2002", "Ana", req)
			if want := tm.text(req.Language, "text_holds_code", nil); len(r) != 1 || r[0].Text != want {
				t.Errorf("/%s %s in %s: %q, want text_holds_code", req.Command, req.Args, req.Language, texts(r))
			}
			for _, x := range r {
				for _, g := range strings.Split(code, "-") {
					if strings.Contains(strings.ToUpper(x.Text), g) {
						t.Errorf("/%s %s: the answer repeats %s: %q", req.Command, req.Args, g, x.Text)
					}
				}
			}
		}
	}
	if after := tipRecords(t, tm); !maps.Equal(before, after) {
		for k, v := range after {
			if before[k] != v {
				t.Errorf("the tips' record %s changed: %q, was %q", k, v, before[k])
			}
		}
	}
	if q := tm.notices(reporterID); len(q) != 0 {
		t.Errorf("the reporter was asked %q", q)
	}
	for k, v := range keyspace(t, tm.srv, "w") {
		for _, f := range []string{code, compact, code[:9], code[10:]} {
			if strings.Contains(strings.ToUpper(k+" "+v), f) {
				t.Errorf("Redis key %s holds %q", k, f)
			}
		}
	}
	view := texts(tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"}))[0]
	if strings.Contains(view, code[:4]) {
		t.Errorf("/tip 1 shows the code: %s", view)
	}
	// A code-like word with a digit that is no tip's is answered as a
	// live code is, whatever the command: were it kept, the answer would
	// tell a team member whether a code they hold is a live tip's (an
	// oracle). Words shaped like a code of letters alone are kept.
	const unknown = "AB12-CD34-EF56-GH78"
	before = tipRecords(t, tm)
	for _, req := range cmds {
		req.Args = strings.Replace(req.Args, "F", unknown, 1)
		if r := tm.as("2002", "Ana", req); len(r) != 1 || r[0].Text != tm.text("en", "text_holds_code", nil) {
			t.Errorf("/%s %s (no tip's code): %q, want text_holds_code, as for a live code", req.Command, req.Args, texts(r))
		}
	}
	if after := tipRecords(t, tm); !maps.Equal(before, after) {
		t.Errorf("a code-like word that is no tip's changed the tips' records")
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "note", Args: "1 esta casa para mama"}); len(r) != 1 || r[0].Text != tm.text("en", "note_done", map[string]any{"ID": "1"}) {
		t.Errorf("/note with words shaped like an old code: %q, want note_done", texts(r))
	}
}

// tipRecords is every record of the tips and the broadcasts, with its
// content (keyspace), but those of updates handled, which every request
// adds to.
func tipRecords(t *testing.T, tm *team) map[string]string {
	t.Helper()
	out := keyspace(t, tm.srv, "w")
	maps.DeleteFunc(out, func(k, _ string) bool {
		return !(strings.HasPrefix(k, "w:{tips}:") || strings.HasPrefix(k, "w:{bc}:")) || strings.Contains(k, ":handled:")
	})
	return out
}

// A text to publish longer than one message is refused saying it must be
// shortened, in the member's language: a warning goes out as one text (a
// second /publish replaces the first), so "split it into parts"
// (message_too_long) was untrue. Nothing is published or approved.
// Mutation: publish answering message_too_long (as before) -> it fails.
func TestPublishTooLongSaysShortenIt(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	tm.as("7009", "W", commands.Request{Command: "warn", Args: "retén falso en la carretera"}) // #1
	before := tipRecords(t, tm)
	long := strings.Repeat("retén ", commands.DefaultLimits.MaxMessageRunes/6+1)
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + long, Language: lang})
		if want := tm.text(lang, "publish_too_long", map[string]any{"Max": commands.DefaultLimits.MaxMessageRunes, "ID": "1"}); len(r) != 1 || r[0].Text != want {
			t.Errorf("/publish 1 <%d characters> in %s: %q, want publish_too_long", len([]rune(long)), lang, texts(r))
		}
	}
	if after := tipRecords(t, tm); !maps.Equal(before, after) {
		t.Errorf("the tips' records changed")
	}
}

// A /warn longer than one message (Discord's text option takes up to
// 6000 characters) is refused saying it must be shortened, in the
// sender's language, naming the limit: a warning is reviewed and
// published whole, and parts sent one by one would each be a warning of
// their own, reviewed and published apart (some maybe not, or out of
// order), a community reading pieces. Nothing is kept, nor counted.
// Mutation: warn answering message_too_long ("split it into parts", as
// before) -> 4 failures.
func TestWarnTooLongSaysShortenIt_discord(t *testing.T) {
	tm := newTeam(t)
	before := tipRecords(t, tm)
	long := strings.Repeat("retén ", commands.DefaultLimits.MaxMessageRunes/6+1)
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		r := tm.as("7009", "W", commands.Request{Platform: "discord", Command: "warn", Args: long, Language: lang})
		if want := tm.mux.NamesAsShown(lang, tm.text(lang, "warn_too_long", map[string]any{"Max": commands.DefaultLimits.MaxMessageRunes})); len(r) != 1 || r[0].Text != want {
			t.Errorf("/warn <%d characters> in %s: %q, want warn_too_long", len([]rune(long)), lang, texts(r))
		}
	}
	if after := tipRecords(t, tm); !maps.Equal(before, after) {
		t.Errorf("a /warn over the limit changed the tips' records")
	}
	// At the limit it is kept, as one warning.
	tm.as("7009", "W", commands.Request{Platform: "discord", Command: "warn", Args: strings.Repeat("x", commands.DefaultLimits.MaxMessageRunes)})
	if after := tipRecords(t, tm); maps.Equal(before, after) {
		t.Errorf("a /warn at the limit was not kept")
	}
}
