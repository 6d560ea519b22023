package tips

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// pictograph reports whether r is the picture of an emoji, or a skin
// tone one carries (what shows of "❤️", "👍🏽", "👨‍👩‍👧", "🏳️‍🌈": their
// variation selectors and joiners are invisible): the blocks emoji are
// drawn from (symbols and pictographs, dingbats, arrows, the technical
// and geometric shapes some are), less any character read as a code's
// letter or digit (regional indicators, "🅰", "Ⓜ": wideChar). Between a
// code's groups it separates them, as a dash does ("K7QD 🔥 9XMA 🔥 …").
func pictograph(r rune) bool {
	switch {
	case r < 0x2100:
		return r == 0xA9 || r == 0xAE || r == 0x203C || r == 0x2049
	case r < 0x2500:
		// Letterlike symbols to enclosed alphanumerics: some read as a
		// letter ("ℹ", "Ⓜ"), a table read (wideChar's) tells.
		return (r == 0x2122 || r == 0x2139 || r >= 0x2190 && r < 0x2200 || r >= 0x2300 && r < 0x2400) && !isCodeChar(r)
	case r >= 0x1F100 && r < 0x1F200:
		return !isCodeChar(r) // "🅰", regional indicators: letters (a table read too)
	}
	// None of these reads as a letter or digit
	// (TestPictographIsNoCodeChar): no lookup, but for the dingbats'
	// circled digits ("❼", "➐": dingbatDigit).
	if r >= 0x2776 && r < 0x2793 {
		_, digit := dingbatDigit(r)
		return !digit
	}
	return r >= 0x25A0 && r < 0x27C0 || r == 0x2934 || r == 0x2935 || r >= 0x2B00 && r < 0x2C00 ||
		r == 0x3030 || r == 0x303D || r == 0x3297 || r == 0x3299 || r >= 0x1F000 && r < 0x1FB00
}

// emojiAround reports whether s, spaces, punctuation and invisible
// characters around it aside (as NormalizeReceipt trims them), starts or
// ends with an emoji (pictograph).
func emojiAround(s string) bool {
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || invisible(r) })
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return first >= 0xA9 && pictograph(first) || last >= 0xA9 && pictograph(last)
}
