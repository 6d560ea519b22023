package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigia-project/vigia/tips"
)

// namesSender reports whether text, a reporter's own words, holds their
// own account's username (as "@name", or written out when it is long
// enough not to be a common word) or their full display name (two words
// or more: a first name alone is too common to tell). Reporters sign out
// of habit ("Saludos, Pedro Martínez"); investigators would read it. The
// platform gives the name with each message (Request.Name); it is never
// kept, only compared here. Case and accents aside.
func namesSender(name, text string) bool {
	if name == "" || text == "" {
		return false
	}
	folded := tips.Fold(text)
	var words []string
	for _, w := range strings.Fields(name) {
		if user, ok := strings.CutPrefix(w, "@"); ok {
			user = tips.Fold(user)
			if user == "" {
				continue
			}
			if containsWord(folded, "@"+user) || (utf8.RuneCountInString(user) >= 6 && containsWord(folded, user)) {
				return true
			}
			continue
		}
		words = append(words, w)
	}
	if len(words) < 2 {
		return false
	}
	full := tips.Fold(strings.Join(words, " "))
	return utf8.RuneCountInString(full) >= 6 && containsWord(folded, full)
}

// containsWord reports whether s holds w standing as words: not inside a
// longer word ("pedromartinez" does not hold "pedro"), nor a longer
// username.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if !wordRune(before) && !wordRune(after) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[start:])
		i = start + size
	}
}

func wordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || unicode.Is(unicode.Mn, r))
}
