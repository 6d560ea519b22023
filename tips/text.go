package tips

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Neutralize makes text safe to relay. It drops invisible format
// characters (bidirectional overrides and isolates, which can make
// "gpj.exe" read as "exe.jpg"; zero-width spaces; tag characters; the soft
// hyphen) and blank fillers, turns line and paragraph separators into
// newlines and other control characters into spaces, and repairs invalid
// UTF-8. The zero-width joiner stays: emoji sequences need it, and so do
// some scripts' conjuncts (Sinhala, Devanagari). So do, where they are
// what they are for, the zero-width non-joiner between two letters of a
// script that joins or forms conjuncts (Persian "می‌خواهم", Hindi, Bengali:
// keptNonJoiner) and the tag characters of an emoji flag such as
// Scotland's (emojiTags); elsewhere they can hide text, and go.
func Neutralize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.Contains(s, "\u200c") && !strings.Contains(s, "\U0001F3F4") {
		return strings.Map(neutralRune, s) // most text: nothing kept by context
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x200C && keptNonJoiner(s[:i], s[i+n:]):
			b.WriteRune(r)
		case r == 0x1F3F4:
			n += emojiTags(s[i+n:])
			b.WriteString(s[i : i+n])
		default:
			if r = neutralRune(r); r >= 0 {
				b.WriteRune(r)
			}
		}
		i += n
	}
	return b.String()
}

// neutralRune is Neutralize of one character, out of context: -1 drops it.
func neutralRune(r rune) rune {
	switch {
	case r == '\n' || r == '\t' || r == 0x200D:
		return r
	case r == 0x2028 || r == 0x2029 || r == 0x85:
		return '\n'
	case unicode.Is(unicode.Cf, r):
		return -1
	case r == 0x034F || r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0 || r == 0x180E:
		return -1 // combining grapheme joiner and Hangul fillers: invisible
	case unicode.IsControl(r):
		return ' '
	}
	return r
}

// nonJoinerScripts are the scripts whose words are written with the
// zero-width non-joiner: joining ones (Arabic for Persian, Urdu, Kurdish;
// Syriac, N'Ko, Mongolian), where it keeps two letters of a word unjoined,
// and Brahmic ones, where it keeps a consonant from forming a conjunct.
var nonJoinerScripts = []*unicode.RangeTable{unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian,
	unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya, unicode.Tamil,
	unicode.Telugu, unicode.Kannada, unicode.Malayalam, unicode.Sinhala}

// keptNonJoiner reports whether a zero-width non-joiner between before
// and after is part of a word: the letter before it (past the marks on
// it: vowel signs, a virama) and the letter after it are of a script
// written with it. Next to anything else (an ASCII letter, a full stop,
// a space) it only hides where one word ends, and goes.
func keptNonJoiner(before, after string) bool {
	next, _ := utf8.DecodeRuneInString(after)
	if !unicode.IsLetter(next) || !unicode.In(next, nonJoinerScripts...) {
		return false
	}
	for before != "" {
		prev, n := utf8.DecodeLastRuneInString(before)
		if !unicode.Is(unicode.M, prev) {
			return unicode.IsLetter(prev) && unicode.In(prev, nonJoinerScripts...)
		}
		before = before[:len(before)-n]
	}
	return false
}

// emojiTags is the length of the tags that make the black flag (U+1F3F4)
// before s a subdivision's flag ("🏴" and the tags "gbsct", then CANCEL
// TAG: Scotland's), or 0. Only the subdivision flags Unicode recommends
// for interchange are kept (England's, Scotland's, Wales's: what
// platforms draw); any other run of tags, though shaped like a
// subdivision code (up to seven tag letters), shows nothing, and can hide
// text.
func emojiTags(s string) int {
	for _, code := range subdivisionFlags {
		if strings.HasPrefix(s, code) {
			return len(code)
		}
	}
	return 0
}

// subdivisionFlags are the tag sequences, cancel tag included, of the
// subdivision flags emojiTags keeps: gbeng, gbsct, gbwls.
var subdivisionFlags = func() []string {
	var out []string
	for _, code := range []string{"gbeng", "gbsct", "gbwls"} {
		var b strings.Builder
		for _, c := range code {
			b.WriteRune(0xE0000 + c)
		}
		b.WriteRune(0xE007F)
		out = append(out, b.String())
	}
	return out
}()

// dropHostJoiners drops each zero-width joiner next to an ASCII letter
// or digit or a full stop, where no emoji or script needs one and it would
// keep a host name ("evil\u200d.com") from being seen, and defanged.
func dropHostJoiners(s string) string {
	hostRune := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(dots, r)
	}
	var b strings.Builder
	kept := 0 // s[kept:i] is still to be copied
	var prev rune
	for i, r := range s {
		if r == 0x200D {
			if next, _ := utf8.DecodeRuneInString(s[i+len("\u200d"):]); hostRune(prev) || hostRune(next) {
				b.WriteString(s[kept:i])
				kept = i + len("\u200d")
			}
		}
		prev = r
	}
	if kept == 0 {
		return s // nothing dropped
	}
	b.WriteString(s[kept:])
	return b.String()
}

// urlPattern finds web links, with or without a scheme.
var urlPattern = regexp.MustCompile(`(?i)\b(?:https?://|ftp://|tg://|www\.)[^\s<>"'` + "`" + `]+`)

// Links returns the web links in text, in order, without trailing punctuation.
func Links(text string) []string {
	var out []string
	for _, m := range urlPattern.FindAllString(text, -1) {
		m = strings.TrimRight(m, ".,;:!?)]}»")
		if m != "" {
			out = append(out, m)
		}
	}
	return out
}

// Defang rewrites every link in text so that no client turns it into a
// clickable link: "https://evil.example/x" becomes "hxxps://evil[.]example/x".
// Investigators read links; they should never open one by accident.
// Besides URLs it defangs any "scheme://", bare domains in any script
// (chat clients linkify "evil.example" and "t.me/x"), domains written
// with the full stops browsers accept in host names ("evil。example",
// "ｅｖｉｌ．ｅｘａｍｐｌｅ") and IPv4 addresses.
//
// None of what it rewrites spans a space, so it goes word by word, and a
// word that has no full stop and no "://" is left as it is without running
// a pattern: most words of a tip.
func Defang(text string) string {
	if strings.Contains(text, "\u200d") {
		text = dropHostJoiners(text)
	}
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	start := 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) && !asciiSpace(text[i]) {
			continue
		}
		if w := text[start:i]; strings.ContainsAny(w, dots) || strings.Contains(w, "://") {
			b.WriteString(defangWord(w))
		} else {
			b.WriteString(w)
		}
		if i < len(text) {
			b.WriteByte(text[i])
		}
		start = i + 1
	}
	return b.String()
}

// CommandJoiner is the WORD JOINER DisarmCommands puts after a slash: an
// invisible character that is no letter, digit or underscore.
const CommandJoiner = "\u2060"

// DisarmCommands keeps the "/word" in text someone wrote ("/next",
// "(/lock)", "/tip@VigiaBot") from being read as a bot command where the
// bot shows it: Telegram marks such a word as one (a bot_command entity),
// and a reader who taps it sends it as their own, as an investigator
// reading a tip that says "/next" would claim a tip, or "/lock" lock their
// second factor. A slash that could start a command (one not after a
// Latin letter, digit, underscore or another slash, before one of those)
// gets CommandJoiner after it: it reads the same, and a command is a
// slash followed at once by a letter, digit or underscore. Other slashes
// ("km/h", "https://", "1/2") are left as they are. Run on text already
// Neutralized: it holds no joiner of the writer's own.
func DisarmCommands(text string) string {
	if strings.IndexByte(text, '/') < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 8)
	kept := 0 // text[kept:i] is still to be copied
	for i := 0; i < len(text); i++ {
		if text[i] != '/' || i+1 >= len(text) || !commandByte(text[i+1]) {
			continue
		}
		if i > 0 && (commandByte(text[i-1]) || text[i-1] == '/') {
			continue // "km/h", "a_b/c", "//": no command starts there
		}
		b.WriteString(text[kept : i+1])
		b.WriteString(CommandJoiner)
		kept = i + 1
	}
	if kept == 0 {
		return text
	}
	b.WriteString(text[kept:])
	return b.String()
}

// commandByte reports whether c may follow a command's slash: an ASCII
// letter, digit or underscore.
func commandByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// Refang undoes Defang where it is unambiguous, for a value an
// investigator copies from the bot's output into a lookup:
// "hxxps://evil[.]example/x" is "https://evil.example/x" again; and
// DisarmCommands ("/\u2060next" is "/next").
func Refang(text string) string {
	text = refangReplacer.Replace(text)
	return refangScheme.ReplaceAllStringFunc(text, func(s string) string {
		return "http" + strings.ToLower(s[4:])
	})
}

var refangReplacer = strings.NewReplacer("/"+CommandJoiner, "/", "[.]", ".", "[。]", "。", "[．]", "．", "[｡]", "｡", "[:]//", "://")

var refangScheme = regexp.MustCompile(`(?i)\bhxxps?://`)

// asciiSpace says whether c is one of the spaces the patterns' \s and
// classes exclude (RE2's \s: tab, newline, form feed, carriage return,
// space): no match of Defang's patterns includes one, and \b sees one as
// it sees the start or end of the text.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// defangWord is Defang of text with no space in it (or only those that
// defanging a host name adds).
func defangWord(text string) string {
	// Each pattern runs only where what it matches can be.
	scheme := strings.Contains(text, "://")
	if scheme || hasWWW(text) {
		text = urlPattern.ReplaceAllStringFunc(text, defangURL)
	}
	// A scheme left over (not followed by anything URL-like) is defanged too.
	if scheme {
		text = schemePattern.ReplaceAllStringFunc(text, func(s string) string {
			scheme := s[:len(s)-3]
			if l := strings.ToLower(scheme); l == "hxxp" || l == "hxxps" {
				return s // already defanged
			}
			return defangScheme(scheme)
		})
	}
	// Bare domains ("evil.example") are linkified by chat clients too.
	if strings.Contains(text, ".") {
		text = domainPattern.ReplaceAllStringFunc(text, defangHost)
	}
	if strings.ContainsAny(text, dots[1:]) {
		text = altDomainPattern.ReplaceAllStringFunc(text, defangHost)
	}
	if strings.ContainsAny(text, "0123456789") {
		text = ipv4Pattern.ReplaceAllStringFunc(text, bracketDots)
	}
	return text
}

// hasWWW says whether text holds "www." in any case.
func hasWWW(text string) bool {
	for i := 0; i+4 <= len(text); i++ {
		if text[i]|0x20 == 'w' && text[i+1]|0x20 == 'w' && text[i+2]|0x20 == 'w' && text[i+3] == '.' {
			return true
		}
	}
	return false
}

// dots are the full stops IDNA (and so browsers) read as label separators.
const dots = ".。．｡"

// bracketDots writes every full stop in s between brackets: "a[.]b".
func bracketDots(s string) string {
	return dotReplacer.Replace(s)
}

var dotReplacer = strings.NewReplacer(".", "[.]", "。", "[。]", "．", "[．]", "｡", "[｡]")

// schemePattern finds link schemes, any of them ("tg://", "ton://",
// "intent://"): the bracket breaks what a client would link. Not only at a
// word's start: in "00tg://…" or "x_tg://…" a client may still link the
// "tg://" (\b saw none there), and a scheme longer than the 31 characters
// matched is cut to its last 31. A scheme of digits is not one, but
// bracketed all the same: nothing is lost by it.
var schemePattern = regexp.MustCompile(`(?i)[a-z0-9][a-z0-9+.-]{0,30}://`)

// defangScheme renders a scheme so no client links it: "hxxps://", "tg[:]//".
func defangScheme(scheme string) string {
	scheme = strings.ToLower(scheme)
	if scheme == "http" || scheme == "https" {
		return strings.Replace(scheme, "http", "hxxp", 1) + "://"
	}
	return scheme + "[:]//"
}

// domainPattern finds host names written without a scheme, in any script
// (so not with \b, which knows only ASCII letters). Combining marks count
// as letters: "e\u0301vil.example" is a host name too.
var domainPattern = regexp.MustCompile(`(?:[\p{L}\p{M}\p{N}-]+\.)+\p{L}{2,}`)

// altDomainPattern finds Latin host names written with other full stops
// (ideographic, fullwidth, halfwidth), which IDNA maps to ".". Only Latin
// labels: a Japanese sentence ends in "。" and goes on without a space.
var altDomainPattern = regexp.MustCompile(`(?:[\p{Latin}\p{N}-]+[` + dots + `])+\p{Latin}{2,}`)

// ipv4Pattern finds IPv4 addresses, which clients link like domains, and
// the whole run of dotted numbers around one ("1.2.3.4.5.6.7"): leaving
// the dots after the fourth number would leave "4.5.6.7" linkable.
var ipv4Pattern = regexp.MustCompile(`\d{1,3}(?:[` + dots + `]\d{1,3}){3,}`)

func defangURL(u string) string {
	scheme := ""
	rest := u
	if i := strings.Index(u, "://"); i >= 0 {
		scheme = defangScheme(u[:i])
		rest = u[i+3:]
	}
	host, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	return scheme + defangHost(host) + path
}

// defangHost brackets a host name's full stops and, if it is written with
// letters other than ASCII ones, adds the ASCII form a browser would go
// to: "аррӏе.com" in Cyrillic reads as apple.com, its ASCII form
// "xn--80ak6aa92e.com" does not.
func defangHost(host string) string {
	out := bracketDots(host)
	if a := asciiHost(host); a != "" {
		out += " (" + bracketDots(a) + ")"
	}
	return out
}

// asciiHost is the ASCII (punycode) form of a host name written with other
// letters, or "" if it is ASCII or has none.
func asciiHost(host string) string {
	ascii := true
	for i := 0; i < len(host); i++ {
		ascii = ascii && host[i] < utf8.RuneSelf
	}
	if ascii {
		return ""
	}
	a, err := idna.Lookup.ToASCII(host)
	if err != nil {
		if a, err = idna.Punycode.ToASCII(host); err != nil {
			return ""
		}
	}
	if a == host || !strings.Contains(a, "xn--") {
		return ""
	}
	return a
}

// FirstLine returns the first line of text that shows something, cut to
// at most max runes with an ellipsis (spaces the cut leaves before it
// dropped: "hola…", not "hola …"). A line Blank counts as showing
// nothing (a braille blank, joiners) is passed over like an empty one:
// the line that reads would be hidden behind it.
func FirstLine(text string, max int) string {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if Blank(line) {
			continue
		}
		if utf8.RuneCountInString(line) <= max {
			return line
		}
		r := []rune(line)
		cut := max - 1
		// Not between a letter and its marks (a vowel sign, a virama: the
		// word shown would be another), nor inside a joined sequence, a
		// flag or an emoji with its skin tone.
		for cut > 0 && splitsCharacter(r, cut) {
			cut--
		}
		if cut == 0 { // one joined run from the start: cut it where max falls
			cut = max - 1
		}
		// No space before the ellipsis: a cut after a word ends with it.
		return strings.TrimRightFunc(string(r[:cut]), unicode.IsSpace) + "…"
	}
	return ""
}

// splitsCharacter reports whether cutting r before r[i] splits what shows
// as one character: r[i] belongs to the one before it (continues), r[i-1]
// is a joiner or non-joiner, or r[i] is the second regional indicator of
// a flag (they pair from the start of their run: "🇲🇽🇨🇴" is two flags, and
// cut after its third it would show a lone letter in a box).
func splitsCharacter(r []rune, i int) bool {
	if continues(r[i]) || r[i-1] == 0x200C || r[i-1] == 0x200D {
		return true
	}
	run := 0 // regional indicators just before r[i]
	for j := i - 1; j >= 0 && regionalIndicator(r[j]); j-- {
		run++
	}
	return regionalIndicator(r[i]) && run%2 == 1
}

// continues reports whether r belongs to the character before it: a
// combining mark, a joiner or non-joiner, an emoji tag, or a skin tone
// (an emoji modifier: "👍🏽" is one emoji, "👍" alone another).
func continues(r rune) bool {
	return unicode.Is(unicode.M, r) || r == 0x200C || r == 0x200D || r >= 0xE0020 && r <= 0xE007F || r >= 0x1F3FB && r <= 0x1F3FF
}

// regionalIndicator reports whether r is one of the letters that pair
// into a flag (U+1F1E6 to U+1F1FF).
func regionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
