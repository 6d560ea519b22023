package commands

import (
	"strings"
	"time"

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
// Unicode neutralised and every link defanged.
func safe(s string) string { return tips.Defang(tips.Neutralize(s)) }

// oneLine shows s on one line, its line breaks as "⏎": text that is one
// entry of a list (the audit log, a tip's history) must not start lines
// of its own, which would read as entries forged by whoever wrote it.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
			return '⏎'
		}
		return r
	}, s)
}

// blank reports whether text would show nothing once relayed: only
// spaces, or characters Neutralize drops or Blank counts as blank (zero-
// width spaces, direction marks, fillers). Such a warning, question, note
// or answer is refused as empty, not stored for someone to read nothing.
func blank(text string) bool { return tips.Blank(tips.Neutralize(text)) }
