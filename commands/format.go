package commands

import (
	"time"

	"github.com/vigia-project/vigia/tips"
)

// age renders a duration the way people say it: "5 minutes", "3 hours".
func (c *Context) age(since time.Time) string {
	d := c.mux.now().Sub(since)
	switch {
	case d < time.Hour:
		return c.T("age_minutes", nil, max(int(d/time.Minute), 0))
	case d < 48*time.Hour:
		return c.T("age_hours", nil, int(d/time.Hour))
	default:
		return c.T("age_days", nil, int(d/(24*time.Hour)))
	}
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
