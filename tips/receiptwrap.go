package tips

import (
	"strings"
	"unicode/utf8"
)

// maxWrap bounds the characters of a group's opener: "***" (bold
// italics), "**[".
const maxWrap = 4

// wrapPartner returns the character that closes r, r being one that
// may open each group of a code (brackets, quotes, markdown's "*", "_",
// "~", "`", Discord's spoiler "||"): "[K7QD]-[9XMA]-…", "\"K7QD\"
// \"9XMA\" …", "*K7QD*-*9XMA*-…", "||K7QD|| ||9XMA|| …"; 0 if r opens
// none.
func wrapPartner(r rune) rune {
	switch r {
	case '[':
		return ']'
	case '(':
		return ')'
	case '{':
		return '}'
	case '<':
		return '>'
	case '"', '\'', '`', '*', '_', '~', '|', '＂', '”', '’', 'ʼ', '＇', '′', '‛', '´':
		return r
	case '“':
		return '”'
	case '„':
		return '“'
	case '‟':
		return '”'
	case '‘':
		return '’'
	case '‚':
		return '‘'
	case '«':
		return '»'
	case '»':
		return '«'
	case '‹':
		return '›'
	case '›':
		return '‹'
	case '「':
		return '」'
	case '『':
		return '』'
	case '【':
		return '】'
	case '〔':
		return '〕'
	case '（':
		return '）'
	case '［':
		return '］'
	case '《':
		return '》'
	case '〈':
		return '〉'
	case '〖':
		return '〗'
	}
	return 0
}

// wrapOpener reports whether r may open each group of a code.
func wrapOpener(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiPartners[r] != 0 // (it runs on punctuation between words: no switch to walk)
	}
	return wrapPartner(r) != 0
}

// asciiPartners is wrapPartner of the ASCII characters.
var asciiPartners = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		t[c] = byte(wrapPartner(rune(c)))
	}
	return t
}()

// quoteMark reports whether r is a quotation mark: any closes any
// (keyboards and autocorrection pair them as they please: „K7QD“,
// „K7QD”, “K7QD"…), the apostrophe's look-alikes among them
// (apostrophe: "ʼK7QD-…ʼ", "´K7QD-…´").
func quoteMark(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '"' || r == '\''
	}
	return strings.ContainsRune("\"'“”„‟‘’‚‛«»‹›＂", r) || apostrophe(r)
}

// apostrophe reports whether r is written for an apostrophe: the
// typewriter's ('), the typographer's (’), or one of the characters
// keyboards, fonts and autocorrection put in its place: the modifier
// letter apostrophe (ʼ, U+02BC, which some keyboards type for it), the
// fullwidth one (＇, U+FF07, of East Asian keyboards), the prime (′,
// U+2032), the reversed comma quotation mark (‛, U+201B) and the acute
// accent typed alone (´, U+00B4, a dead key of Spanish and Portuguese
// keyboards).
func apostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '＇', '′', '‛', '´':
		return true
	}
	return false
}

// wrapCloses reports whether r closes open.
func wrapCloses(open, r rune) bool {
	if open < utf8.RuneSelf && r < utf8.RuneSelf {
		return r == rune(asciiPartners[open]) || quoteMark(open) && quoteMark(r)
	}
	return r == wrapPartner(open) || quoteMark(open) && quoteMark(r)
}

// wrapChar reports whether r opens or closes a group of a code.
func wrapChar(r rune) bool {
	return wrapOpener(r) || strings.ContainsRune("])}>」』】〕）］》〉〗", r)
}

// openerAt returns how many bytes the opener at text[i:] takes: at most
// maxWrap characters that may open a group.
func openerAt(text string, i int) int {
	j := i
	for n := 0; n < maxWrap && j < len(text); n++ {
		if c := text[j]; c < utf8.RuneSelf {
			if asciiPartners[c] == 0 {
				break
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		if !wrapOpener(r) {
			break
		}
		j += size
	}
	return j - i
}

// wrappedAt matches, at text[i:], a receipt code whose every group is
// wrapped alike, as receiptAt matches one that is not: an opener
// (openerAt) right before each group, its closer right after it
// ("[K7QD]-[9XMA]-[R2TP]-[4WZN]", "`K7QD` `9XMA` …", "__K7QD__-__9XMA__-…",
// "||K7QD||||9XMA||…"), spaces just inside them or not ("( K7QD ) (
// 9XMA ) …", innerSpaces). It returns where the last closer ends, and
// whether the code holds a letter and a digit (neither when the shape does
// not match). A code wrapped as a whole ("\"K7QD-9XMA-…\"") is
// receiptAt's, within its wrapper.
func wrappedAt(text string, i int) (end int, letter, digit bool) {
	rd, ok := wrappedReading(text, i)
	if !ok {
		return 0, false, false
	}
	end, letter, digit, _ = rd.read(text, len(text)+1)
	return end, letter, digit
}

// wrappedReading is wrappedAt's reading, ready to read its first group,
// or false where no reading is made.
func wrappedReading(text string, i int) (receiptReading, bool) {
	n := openerAt(text, i)
	if n == 0 || i+n >= len(text) {
		return receiptReading{}, false
	}
	j := i + n + innerSpaces(text, i+n)
	if j >= len(text) {
		return receiptReading{}, false
	}
	if c := text[j]; c < utf8.RuneSelf && c != '%' && c != '&' {
		if !asciiAlnum(text[j : j+1]) {
			return receiptReading{}, false // "* 🚨", "( ¿": no code's first character, no reading
		}
	} else if r, _, _ := charAt(text, j); !isCodeChar(r) {
		return receiptReading{}, false // "(¿qué?)": no code's first character, no reading
	}
	if j+4 < len(text) && asciiAlnum(text[j:j+4]) && text[j+4] < utf8.RuneSelf {
		// Four ASCII letters or digits, then no closer: a word
		// wrapped, no group ("**Urgente**", "[viernes]"), told
		// without a reading.
		// (A closer after spaces may be a wide one: "《 K7QD 》".)
		c := j + 4 + innerSpaces(text, j+4)
		closer, _ := utf8.DecodeRuneInString(text[c:])
		if last, _ := utf8.DecodeLastRuneInString(text[i : i+n]); c >= len(text) || !wrapCloses(last, closer) {
			return receiptReading{}, false
		}
	}
	return receiptReading{i: j, open: text[i : i+n]}, true
}

// innerSpaces returns how many ASCII spaces stand at text[i:], at most
// two: those a reporter may put just inside a group's wrapper ("( K7QD
// )", "[ K7QD ]"), as wrappedAt reads it.
func innerSpaces(text string, i int) int {
	n := 0
	for n < 2 && i+n < len(text) && text[i+n] == ' ' {
		n++
	}
	return n
}

// asciiAlnum reports whether s is of ASCII letters and digits alone.
func asciiAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !(c >= 'a' && c <= 'z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

// wrapClosedAt returns how many bytes the closer of open takes at
// text[i:] (its characters' partners, the other way round: "**[" is
// closed by "]**"), and whether it is there.
func wrapClosedAt(text string, i int, open string) (int, bool) {
	n := 0
	for o := open; o != ""; {
		r, size := utf8.DecodeLastRuneInString(o)
		o = o[:len(o)-size]
		if i+n >= len(text) {
			return 0, false
		}
		c, csize := utf8.DecodeRuneInString(text[i+n:])
		if !wrapCloses(r, c) {
			return 0, false
		}
		n += csize
	}
	return n, true
}

// codeAt is receiptAt, or wrappedAt where text[i:] starts with an
// opener: a candidate ReceiptSpans found at i read again.
func codeAt(text string, i int) (end int, letter, digit bool) {
	if r, _ := utf8.DecodeRuneInString(text[i:]); wrapOpener(r) {
		return wrappedAt(text, i)
	}
	return receiptAt(text, i)
}

// unwrapGroups returns s without its groups' wrappers (every character
// that opens or closes one) where s, spaces aside, starts with an opener
// and ends with its closer, as wrappedAt reads a code ("[K7QD]-[9XMA]-…"
// reads "K7QD-9XMA-…"); else s as it is.
func unwrapGroups(s string) string {
	t := strings.TrimFunc(s, spaceOrInvisible)
	n := openerAt(t, 0)
	if n == 0 || n >= len(t) {
		return s
	}
	// The closer ends t: the last character closes the first opener's.
	end := len(t)
	for o := t[:n]; o != ""; {
		r, size := utf8.DecodeRuneInString(o)
		o = o[size:]
		c, csize := utf8.DecodeLastRuneInString(t[:end])
		if end <= n || !wrapCloses(r, c) {
			return s
		}
		end -= csize
	}
	return strings.Map(func(r rune) rune {
		if wrapChar(r) {
			return -1
		}
		return r
	}, t)
}
