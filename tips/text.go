package tips

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Neutralize makes text safe to relay: it drops bidirectional overrides and
// isolates (which can make "gpj.exe" read as "exe.jpg") and zero-width
// characters, replaces other control characters except newline and tab, and
// repairs invalid UTF-8.
func Neutralize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			return -1 // bidi embeddings, overrides, isolates and marks
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x00AD:
			return -1 // zero-width characters and soft hyphen
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
}

// urlPattern finds web links, with or without a scheme.
var urlPattern = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'` + "`" + `]+`)

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
func Defang(text string) string {
	text = urlPattern.ReplaceAllStringFunc(text, defangURL)
	// Bare domains ("evil.example") are linkified by chat clients too.
	return domainPattern.ReplaceAllStringFunc(text, func(d string) string {
		return strings.ReplaceAll(d, ".", "[.]")
	})
}

// domainPattern finds host names written without a scheme.
var domainPattern = regexp.MustCompile(`(?i)\b(?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,}\b`)

func defangURL(u string) string {
	scheme := ""
	rest := u
	if i := strings.Index(u, "://"); i >= 0 {
		scheme = strings.ToLower(u[:i])
		rest = u[i+3:]
		scheme = strings.Replace(scheme, "http", "hxxp", 1) + "://"
	}
	host, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	return scheme + strings.ReplaceAll(host, ".", "[.]") + path
}

// FirstLine returns the first non-empty line of text, cut to at most max
// runes with an ellipsis.
func FirstLine(text string, max int) string {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if utf8.RuneCountInString(line) <= max {
			return line
		}
		r := []rune(line)
		return string(r[:max-1]) + "…"
	}
	return ""
}
