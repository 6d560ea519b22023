package tips

import "strings"

// UnescapeUnreserved decodes in s each percent escape of a letter, a
// digit or one of "-._~" (RFC 3986's unreserved characters), as browsers
// and Telegram's and Discord's clients read a link: "t.me/%76ecina" opens
// t.me/vecina, "https://%74.me/vecina" too. Other escapes ("%2F", "%20",
// a byte of a non-ASCII letter) are kept as written: decoding them would
// change where a link points. One pass, no escape decoded twice
// ("%2576" stays "%2576"); s is returned as is when it holds no "%".
func UnescapeUnreserved(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		if c, ok := unreservedEscape(s[i:]); ok {
			b.WriteByte(c)
			s = s[i+3:]
		} else {
			b.WriteByte('%')
			s = s[i+1:]
		}
		i = strings.IndexByte(s, '%')
	}
	b.WriteString(s)
	return b.String()
}

// unreservedEscape reads the escape s starts with ("%76"): its character,
// if it is unreserved.
func unreservedEscape(s string) (byte, bool) {
	if len(s) < 3 {
		return 0, false
	}
	hi, ok1 := hexDigit(s[1])
	lo, ok2 := hexDigit(s[2])
	if !ok1 || !ok2 {
		return 0, false
	}
	c := hi<<4 | lo
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		return c, true
	}
	return 0, false
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
