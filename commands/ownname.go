package commands

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigia-project/vigia/tips"
)

// namesSender reports whether text, a reporter's own words, holds their
// own account's username (written as a handle, whatever its length:
// "@name" or a Telegram link that opens it, handleLinked; or written
// bare when it is long enough not to be a common word) or their display
// name (two words or
// more: a first name alone is too common to tell). Reporters sign out
// of habit ("Saludos, Pedro Martínez"); investigators would read it. The
// platform gives the name with each message (Request.Name); it is never
// kept, only compared here. Case and accents aside, word by word: the
// display name's emoji, flags and brackets ("Pedro Martínez 🇲🇽") are
// not words, nor is the line break in a signature over two lines.
// Letters escaped in a link ("t.me/%76ecina") are read as the letters
// they stand for (tips.UnescapeUnreserved), as a browser opens it. Of a
// name of three words or more ("Pedro Martínez López", signed "Pedro
// Martínez"), two that follow each other count, with the particles and
// words under three letters between them ("María de la Cruz" of "María
// de la Cruz López"), but not a particle with one word ("de la Cruz",
// "del Río", "San Juan": places as often as not).
// Written in disguise it reads alike (ownFold): "_" escaped for markdown
// ("@informante\_anonimo"), a Cyrillic or Greek letter that looks like
// a Latin one ("@infоrmante" with a Cyrillic о), full-width; the display
// name surname first ("Pérez, Rosalinda", two words next to each other)
// or joined by "_" or an invisible character ("Rosalinda_Pérez").
func namesSender(name, text string) bool {
	if name == "" || text == "" {
		return false
	}
	folded := ownFold(text)
	unescaped := folded
	if strings.Contains(text, "%") {
		unescaped = ownFold(tips.UnescapeUnreserved(text))
	}
	var display []string
	for _, w := range strings.Fields(name) {
		if user, ok := strings.CutPrefix(w, "@"); ok {
			// A link with an escape in it ("t.me/%0Aname", "t.me/name%00",
			// "t.me/%40name", "t.me/s%2Fname") opens, and Extract reads,
			// the account as Telegram reads it (tips.TelegramUsername):
			// whatever its length.
			if strings.Contains(text, "%") && tips.LinksTelegramAccount(text, user) {
				return true
			}
			user = ownFold(user)
			if user == "" {
				continue
			}
			for _, s := range []string{folded, unescaped} {
				if containsWord(s, "@"+user) || handleLinked(s, user) || (utf8.RuneCountInString(user) >= 6 && containsWord(s, user)) {
					return true
				}
				if unescaped == folded {
					break
				}
			}
			continue
		}
		display = append(display, w)
	}
	words := foldedWords(ownFold(strings.Join(display, " ")))
	if len(words) < 2 {
		return false
	}
	said := foldedWords(folded)
	// The text's words with "_" taken out: a name written joined
	// ("Rosalinda_Pérez", or "Rosalinda\u200bPérez", the invisible
	// character folded away) is one of them.
	glued := make([]string, len(said))
	for i, w := range said {
		glued[i] = strings.ReplaceAll(w, "_", "")
	}
	if utf8.RuneCountInString(strings.Join(words, " ")) >= 6 && (containsName(said, glued, words) ||
		len(words) == 2 && containsName(said, glued, []string{words[1], words[0]})) { // "Pérez, Rosalinda"
		return true
	}
	if len(words) > 2 {
		// Two of the name's words that follow each other, with only
		// particles between them ("María de la Cruz", "Pedro San Juan").
		for i := 0; i < len(words); i++ {
			if !surnameLike(words[i]) {
				continue
			}
			j := i + 1
			for j < len(words) && !surnameLike(words[j]) {
				j++
			}
			if j < len(words) && containsName(said, glued, words[i:j+1]) {
				return true
			}
			// Surname first ("Martínez, Pedro" of "Pedro Martínez
			// López"), of two words next to each other: with particles
			// between, a place as often as not ("Cruz, María").
			if j == i+1 && j < len(words) && containsName(said, glued, []string{words[j], words[i]}) {
				return true
			}
		}
	}
	return false
}

// namedBySender reports whether text names the sender of req: their
// account (Request.Name, namesSender) or the nickname they are known by
// where they wrote (Request.Nickname). A nickname counts as a display
// name does (two words or more, case and accents aside: a one-word
// nickname is too common to tell), never as a username, whatever "@" it
// starts with: it is no handle anyone can open.
func namedBySender(req *Request, text string) bool {
	if namesSender(req.Name, text) {
		return true
	}
	if req.Nickname == "" {
		return false
	}
	words := strings.Fields(req.Nickname)
	for i, w := range words {
		words[i] = strings.TrimLeft(w, "@")
	}
	return namesSender(strings.Join(words, " "), text)
}

// telegramHosts are the hosts a Telegram link to an account is written
// on ("t.me/name", "telegram.me/name", "telegram.dog/name"), with "/"
// after them.
var telegramHosts = []string{"t.me/", "telegram.me/", "telegram.dog/"}

// handleLinked reports whether s, folded text, holds user as a link that
// opens that Telegram account: on one of telegramHosts, as its public
// preview ("t.me/s/user") or "user.t.me", or "tg://resolve?domain=user".
// Written so, a name of any length is a handle, not a word that happens
// to be spelled as one ("t.me/sol" is the account, "sol" a word). Each
// place s holds user as a word is looked at once, and only the few bytes
// before and after it: linear in s.
func handleLinked(s, user string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], user)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(user)
		i = end
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if wordRune(before) || wordRune(after) {
			continue
		}
		head := s[:start]
		// "user.t.me", a full stop after it ("user.t.me.com" is not)
		if rest, ok := strings.CutPrefix(s[end:], ".t.me"); ok && !hostRune(strings.TrimPrefix(rest, ".")) && !strings.HasSuffix(head, ".") && !strings.HasSuffix(head, "-") {
			return true
		}
		if strings.HasSuffix(head, "domain=") && strings.Contains(s[max(0, start-64):start], "resolve") {
			return true // tg://resolve?domain=user (a pair or two before it at most)
		}
		if h, ok := strings.CutSuffix(head, "s/"); ok {
			head = h // the public preview: "t.me/s/user"
		}
		for _, host := range telegramHosts {
			if h, ok := strings.CutSuffix(head, host); ok {
				h = strings.TrimSuffix(h, "www.")
				if r, _ := utf8.DecodeLastRuneInString(h); r == utf8.RuneError || !hostRune(string(r)) {
					return true
				}
			}
		}
	}
}

// hostRune reports whether s starts with a character that goes on a host
// name ("evilt.me" is not "t.me"): a letter, a digit, "-" or ".".
func hostRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.')
}

// ownNameSent is the note, after a paragraph break, telling a reporter
// that text, their own words already kept as they are (an answer
// delivered, a tip spooled while Redis was down: no draft to cancel),
// holds their own name (namedBySender); "" if it does not, or if the
// message is a forward (someone else's words).
func (c *Context) ownNameSent(text string) string {
	if c.Request.Forward != nil || c.Request.ForwardedFromPerson || !namedBySender(&c.Request, text) {
		return ""
	}
	return "\n\n" + c.T("own_name_sent", nil)
}

// foldedWords returns the words of s, folded text (runs of letters,
// digits, marks and underscores).
func foldedWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !wordRune(r) })
}

// ownFold folds s as namesSender compares it with a reporter's name:
// markdown escapes taken out ("informante\_anonimo", as Telegram users
// type "_"), and the Cyrillic and Greek letters that look like Latin ones
// read as those (tips.FoldLookalikes: "@infоrmante" with a Cyrillic о).
// Linear in s.
func ownFold(s string) string {
	return tips.FoldLookalikes(unescapeMarkdown(s))
}

// markdownEscaped are the characters a backslash escapes in Telegram's
// MarkdownV2 (and Discord's markdown): "\_", "\.", "\*".
const markdownEscaped = "_*[]()~`>#+-=|{}.!\\"

// unescapeMarkdown returns s without the backslashes that escape one of
// markdownEscaped.
func unescapeMarkdown(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(markdownEscaped, s[i+1]) >= 0 {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// containsName reports whether words, a text's, hold run word after word
// (containsRun), or one word that is run joined: glued, the text's words
// with "_" taken out, holds run's words put together.
func containsName(words, glued, run []string) bool {
	return containsRun(words, run) || slices.Contains(glued, strings.Join(run, ""))
}

// containsRun reports whether words holds run, word after word.
func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		if slices.Equal(words[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// nameParticles are the short words between a name's parts ("Juan del
// Río", "João dos Santos", "van Dijk", "Pedro San Juan"): beside another
// word they are no name, and a place as often as not ("San Juan", "Santa
// Cruz", "del Valle").
var nameParticles = []string{"del", "las", "los", "dos", "das", "van", "von", "der", "den", "des", "les",
	"della", "delle", "dei", "degli", "dal", "dalla", "san", "santa", "santo", "sao"}

// surnameLike reports whether w, a folded word of a display name, may
// stand for the name beside another of its words: three letters or more,
// and no particle.
func surnameLike(w string) bool {
	return utf8.RuneCountInString(w) >= 3 && !slices.Contains(nameParticles, w)
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
