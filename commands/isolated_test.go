package commands_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/bidi"

	"github.com/vigia-project/vigia/commands"
)

// lineDirection is the direction a client gives a line: that of its first
// character with a strong direction, the text inside isolates passed over
// (the Unicode bidi algorithm, rules P2 and P3).
func lineDirection(l string) bidi.Class {
	depth := 0
	for _, r := range l {
		switch r {
		case '\u2066', '\u2067', '\u2068':
			depth++
			continue
		case '\u2069':
			depth = max(depth-1, 0)
			continue
		}
		if depth > 0 {
			continue
		}
		p, _ := bidi.LookupRune(r)
		switch cl := p.Class(); cl {
		case bidi.L, bidi.R, bidi.AL:
			return cl
		}
	}
	return bidi.ON
}

// An entity written in Arabic (a hashtag) heads the lines of /signals and
// /entity and is named in alerts and their withdrawal. Each time it is
// isolated (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE), with nothing
// inside that could close the isolate, and the line reads left to right
// as the bot's words do: left bare at the start of a line, it made the
// line right to left, its counts and separators changing places.
func TestEntityLinesIsolateTheEntity(t *testing.T) {
	tm := newTeam(t)
	const tag = "#مخدرات"
	const want = "\u2068" + tag + "\u2069"
	tm.report("7001", tag+" venden en la esquina", "")
	tm.report("7002", "otra vez "+tag+" en el parque", "")
	code := tm.reportCode("7003", tag+"\u2069\u202e en la escuela")
	check := func(what, text string) {
		t.Helper()
		n := 0
		for _, l := range strings.Split(text, "\n") {
			if !strings.Contains(l, tag) || strings.HasPrefix(l, commands.QuoteMark) {
				continue
			}
			n++
			if !strings.Contains(l, want) || strings.Count(l, "\u2068") != 1 || strings.Count(l, "\u2069") != 1 || strings.ContainsRune(l, '\u202e') {
				t.Errorf("%s: the entity is not isolated, alone, in %q", what, l)
			}
			if d := lineDirection(l); d != bidi.L {
				t.Errorf("%s: the line %q reads right to left (class %d), not left to right", what, l, d)
			}
		}
		if n == 0 {
			t.Errorf("%s names no %s:\n%s", what, tag, text)
		}
	}
	alerts := tm.sentTo(invChat)
	if len(alerts) != 1 {
		t.Fatalf("alerts: %+v", alerts)
	}
	check("the alert", alerts[0].Text)
	check("/signals", tm.as(adminID, "Ada", commands.Request{Command: "signals"})[0].Text)
	check("/entity", tm.as(adminID, "Ada", commands.Request{Command: "entity", Args: tag})[0].Text)
	// The entity copied from the bot's line, isolates and all, is found.
	check("/entity as copied", tm.as(adminID, "Ada", commands.Request{Command: "entity", Args: want})[0].Text)

	tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	tm.retryFor(10 * time.Minute)
	var withdrawn []string
	for _, r := range tm.sentTo(invChat) {
		if strings.HasPrefix(r.Text, "Alert withdrawn") {
			withdrawn = append(withdrawn, r.Text)
		}
	}
	if len(withdrawn) != 1 {
		t.Fatalf("withdrawals: %q", withdrawn)
	}
	check("the withdrawal", withdrawn[0])
}

// What is isolated cannot end the isolate early, nor open another, nor
// override the direction of the rest of the line, nor start a line of
// its own, whatever it holds.
func TestIsolatedTextCannotCloseItsIsolate(t *testing.T) {
	for in, want := range map[string]string{
		"#مخدرات":                               "#مخدرات",
		"a\u2069 · verified":                    "a · verified",
		"\u202eexe.jpg\u202c":                   "exe.jpg",
		"\u2066\u2067\u2068x\u200e\u200f\u061c": "x",
		"\u202a\u202b\u202dy":                   "y",
		"two\nlines":                            "two⏎lines",
	} {
		if got := commands.Isolated(in); got != "\u2068"+want+"\u2069" {
			t.Errorf("isolated(%q) = %q, want %q", in, got, "\u2068"+want+"\u2069")
		}
	}
}

// A member's name written in Arabic is isolated wherever investigators
// read who did what: the claim and its age, the history, a refused
// decision, /queue and /team. Left bare, it took the numbers written
// after it ("Claimed by [K7QXM] 5 أحمد minutes ago").
func TestMemberNamesAreIsolated(t *testing.T) {
	tm := newTeam(t)
	const name = "أحمد"
	const want = "\u2068" + name + "\u2069"
	tm.join("2002", name)
	tm.join("2003", "Beto")
	tm.report("7401", "cobran piso en el mercado", "")
	tm.as("2002", name, commands.Request{Command: "next"})
	tm.as("2002", name, commands.Request{Command: "note", Args: "1 ٣ شهود"})
	check := func(what, text string) {
		t.Helper()
		n := 0
		for _, l := range strings.Split(text, "\n") {
			if !strings.Contains(l, name) || strings.HasPrefix(l, commands.QuoteMark) {
				continue
			}
			n++
			if !strings.Contains(l, want) || strings.Count(l, "\u2068") != 1 || strings.Count(l, "\u2069") != 1 {
				t.Errorf("%s: the name is not isolated, alone, in %q", what, l)
			}
			if d := lineDirection(l); d != bidi.L {
				t.Errorf("%s: the line %q reads right to left (class %d), not left to right", what, l, d)
			}
		}
		if n == 0 {
			t.Errorf("%s names no %s:\n%s", what, name, text)
		}
	}
	check("/tip", tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"})[0].Text)
	check("a decision on the claim", tm.as("2003", "Beto", commands.Request{Command: "triage", Args: "1 dismissed"})[0].Text)
	check("/queue", tm.as(adminID, "Ada", commands.Request{Command: "queue"})[0].Text)
	check("/team", tm.as(adminID, "Ada", commands.Request{Command: "team"})[0].Text)
}
