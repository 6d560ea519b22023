package commands

import (
	"strconv"
	"strings"

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
// never passed to it.
func asciiNumerals(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' { // full-width ASCII forms: "１", "＃", "ｄ"
			return r - '！' + '!'
		}
		return r
	}, tips.ASCIIDigits(s))
}

// parseNumber reads a count or a page typed as a number from lo to hi.
func parseNumber(s string, lo, hi int) (int, bool) {
	v, err := strconv.Atoi(asciiNumerals(strings.TrimSpace(s)))
	return v, err == nil && v >= lo && v <= hi
}
