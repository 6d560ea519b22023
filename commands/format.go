package commands

import (
	"strings"
	"time"
	"unicode"

	"github.com/vigia-project/vigia/tips"
)

// age renders a duration the way people say it: "5 minutes", "3 hours".
func (c *Context) age(since time.Time) string {
	return c.mux.ageIn(c.Lang, c.mux.now().Sub(since))
}

// categoryName is the localised name of a category.
func (c *Context) categoryName(cat tips.Category) string {
	if _, ok := tips.ParseCategory(string(cat)); !ok {
		cat = tips.Other
	}
	return c.T("category_"+string(cat), nil)
}

// safe prepares reported text for display to investigators: dangerous
// Unicode neutralised, every link defanged, and every "/command" written
// in it made one no reader can tap (a tip saying "/next" would claim a
// tip as the investigator reading it).
// Stacked combining marks are cut (capMarks): the text sealed is not.
func safe(s string) string { return tips.DisarmCommands(tips.Defang(capMarks(tips.Neutralize(s)))) }

// maxMarks is how many combining marks a character keeps where text is
// shown: enough for every script's own (Vietnamese two, Arabic shadda and
// a vowel, Hebrew dagesh, vowel and shin dot, an emoji's keycap), Burmese
// included, which writes four on one consonant in everyday words
// (လျှို့ဝှက် "secret": medial ha, two vowels and the dot below).
const maxMarks = 4

// capMarks keeps at most maxMarks combining marks (nonspacing or
// enclosing) on each character: "Zalgo" text stacks dozens, which clients
// draw above and below the line, over the lines of the bot's own around
// it. Spacing marks and the zero-width joiner stack nothing and start no
// new character: marks after them count with the character before.
func capMarks(s string) string {
	n := 0
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me):
			if n++; n > maxMarks {
				return -1
			}
		case r == 0x200D || unicode.Is(unicode.Mc, r):
		default:
			n = 0
		}
		return r
	}, s)
}

// oneLine shows s on one line, its line breaks as "⏎": text that is one
// entry of a list (the audit log, a tip's history) must not start lines
// of its own, which would read as entries forged by whoever wrote it.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if lineBreak(r) {
			return '⏎'
		}
		return r
	}, s)
}

// member shows a team member as investigators read them: their member
// tag (storage.MemberTag) first, where no name can reach, then the name
// on one line. A colleague may take another's name, even written with a
// tag ("[K7QXM] Ana"); the tag shown first is still their own. Records
// made before tags show the name alone. The name is isolated: one
// written in Arabic or Hebrew would otherwise take the numbers written
// after it ("Claimed by [K7QXM] أحمد 5 minutes ago" read "… 5 أحمد
// minutes ago"), or turn a line it starts right to left.
func member(name, tag string) string {
	name = isolated(safe(name))
	if tag == "" {
		return name
	}
	return "[" + tag + "] " + name
}

// lineBreak reports whether r starts a new line where text is shown.
func lineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// QuoteMark starts every line of text someone wrote (a tip, a reporter's
// answer, a question) where investigators read it among the bot's lines.
// An adapter that cuts such a line between two messages starts the rest
// with it again (QuoteMark and a space), or the rest would open the next
// message as a line of the bot's own; so it does with any line it cuts
// (a history entry's note or answer of up to maxNote characters): the
// mark says the line goes on.
//
// The bar is followed by a LEFT-TO-RIGHT MARK: a line's first strong
// character sets its direction, and the bar has none, so a line of
// Arabic or Hebrew would be laid out right to left, the bar at its right
// edge, where it marks nothing. The mark makes every quoted line
// left-to-right, the bar first on the left; the text keeps its own
// direction inside. (Neutralize drops every direction mark from what
// people write: this one is always the bot's.)
const QuoteMark = "│\u200e"

// isolated shows s, text someone wrote or an entity a tip named, inside
// a line of the bot's own ("+52 55 1234 5678 · 4 reporters · …"), between
// FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE. Without them a line
// that starts with an Arabic or Hebrew entity is laid out right to left,
// and the numbers and separators after it change places with it ("4 ·
// #مخدرات reporters"); one that starts with the bot's words still moves
// the numbers written next to it. Isolated, the text keeps its own
// direction inside, the line takes its direction from the bot's words,
// and nothing outside moves (Telegram's and Discord's clients honour
// isolates). The text is shown on one line (an isolate ends with its
// line), and every direction control is dropped from it, so that it can
// neither close the isolate early nor leave one open for the rest of
// the line. A copy of it pasted into /entity or /search is read without
// the isolates (Neutralize drops them).
func isolated(s string) string {
	return "\u2068" + strings.Map(func(r rune) rune {
		if bidiControl(r) {
			return -1
		}
		return r
	}, oneLine(s)) + "\u2069"
}

// bidiControl reports whether r is a direction control: a mark (LRM, RLM,
// ALM), an embedding or override and its end, an isolate and its end.
func bidiControl(r rune) bool {
	return r == '\u200e' || r == '\u200f' || r == '\u061c' || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// quoted shows s as a block of quoted lines, each starting with
// QuoteMark: whatever s holds, no line of it can pass for one of the
// page's own ("Status: dismissed", "Answer: …", "Claimed by …"), which
// never start with the mark. Its line breaks are kept (a list, an
// address); an empty line keeps the mark, so the block reads as one.
func quoted(s string) string {
	lines := strings.Split(strings.Map(func(r rune) rune {
		if lineBreak(r) {
			return '\n'
		}
		return r
	}, strings.ReplaceAll(s, "\r\n", "\n")), "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = QuoteMark
		} else {
			lines[i] = QuoteMark + " " + l
		}
	}
	return strings.Join(lines, "\n")
}

// cutShort is s cut where a limit on what is shown of it fell, with an
// ellipsis: without the spaces the cut left at its end ("Halcones en la…",
// not "Halcones en la …"), which would stand apart from the words they
// followed.
func cutShort(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) + "…" }

// blank reports whether text would show nothing once relayed: only
// spaces, or characters Neutralize drops or Blank counts as blank (zero-
// width spaces, direction marks, fillers). Such a warning, question, note
// or answer is refused as empty, not stored for someone to read nothing.
func blank(text string) bool { return tips.Blank(tips.Neutralize(text)) }
