package commands

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/vigia-project/vigia/tips"
)

// asciiNumerals returns what was typed as a number (a tip number, a page,
// a count, a window such as "7d", a delay) with the digits and signs of
// other keyboards as the ASCII ones they are: full-width forms, which CJK
// keyboards type ("１２", "＃１２", "７ｄ"), and the decimal digits of
// every script (tips.DigitValue: Arabic-Indic and Persian "١٢", "۱۲",
// Devanagari "१२", Bengali "১২", Thai "๑๒"…), as receipt codes are read.
// Every command reads its numbers through it, so "/tip १२" names tip 12
// as "/tip 12" does; text that is not a number (a note, a question) is
// never passed to it. Invisible format characters go (direction marks a
// right-to-left keyboard leaves, a zero-width space or a byte order mark
// copied with a number): "/tip \u200e12" is the tip the user sees, not
// "12 is not a tip number".
func asciiNumerals(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '！' && r <= '～': // full-width ASCII forms: "１", "＃", "ｄ"
			return r - '！' + '!'
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, tips.ASCIIDigits(s))
}

// parseNumber reads a count or a page typed as a number from lo to hi.
func parseNumber(s string, lo, hi int) (int, bool) {
	v, err := strconv.Atoi(asciiNumerals(strings.TrimSpace(s)))
	return v, err == nil && v >= lo && v <= hi
}
