package tips

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// receiptAlphabet is Crockford's base32: no I, L, O or U, so a code read
// aloud or copied by hand survives. 16 symbols of 5 bits each give 80 bits.
const receiptAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// receiptLen is the number of symbols in a receipt code.
const receiptLen = 16

// NewReceipt draws a receipt code with 80 bits of randomness from r
// (crypto/rand.Reader in production; a MAC where the code is derived, so
// it reads exactly ten bytes), formatted as four groups of four. A code
// holds a digit: in one of letters alone (one draw in 400) the last letter
// becomes a digit, since a code sent without /status is told from words
// by its digits, and one not recognised would be kept in a tip, for
// investigators to read. That leaves a code 79.994 bits of entropy: the
// likeliest codes, fifteen letters then a 0 or a 1, are four times as
// likely as one drawn with a digit elsewhere (78 bits against a guess of
// them).
func NewReceipt(r io.Reader) (string, error) {
	code, err := drawReceipt(r)
	if err != nil || strings.ContainsAny(code, "0123456789") {
		return code, err
	}
	last := strings.IndexByte(receiptAlphabet, code[len(code)-1])
	return code[:len(code)-1] + string(receiptAlphabet[last%10]), nil
}

func drawReceipt(r io.Reader) (string, error) {
	buf := make([]byte, 10) // 80 bits
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", fmt.Errorf("receipt randomness: %w", err)
	}
	var acc uint64
	var bits uint
	var b strings.Builder
	for _, c := range buf {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			if b.Len() > 0 && (b.Len()+1)%5 == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(receiptAlphabet[(acc>>bits)&31])
		}
	}
	return b.String(), nil
}

// NormalizeReceipt turns what a reporter typed into the canonical code, or
// returns false if it cannot be one. It forgives case, spaces, dashes, the
// letters Crockford maps to digits (O to 0, I and L to 1), a slashed zero
// (Ø, ø, and its look-alikes ∅ and ⌀) as 0, full-width forms,
// Cyrillic and Greek look-alikes, the digits of every script (lookAlikes),
// "fancy text" letters (mathematical, circled, parenthesised, squared,
// small capitals: wideChar), upside-down text (readTurned) and accents on
// every character or so ("ŚÁJ́Ǵ-…"), or on any in capitals with no space
// ("ÁBCD-…", receiptAt).
func NormalizeReceipt(s string) (string, bool) {
	code, ok := normalizeReceipt(s, false, false)
	if !ok && hasKeycap(s) {
		// A keycap between its groups ("K7QD 1️⃣ 9XMA 2️⃣ …"), as
		// receiptAt reads it: read once more with keycaps standing
		// apart as separators (first as digits: a code spelled out
		// in them, "J C J H 0️⃣ X 1️⃣ 9️⃣ …", has keycaps apart too,
		// and one read with a keycap as a separator would hold
		// seventeen characters or more read as digits).
		code, ok = normalizeReceipt(s, false, true)
	}
	if !ok && hasFlag(s) && !flagAround(s) {
		// A flag between its groups ("K7QD 🇲🇽 9XMA 🇲🇽 …"), as
		// receiptAt reads it: read once more with flags as separators
		// (first as letters: a code in regional letters joined,
		// "🇯🇨🇯🇭-…", has pairs of them too). One against the code
		// ("CODE🇲🇽 El lunes") is the reporter's, as an emoji is
		// (emojiAround).
		code, ok = normalizeReceipt(s, true, false)
	}
	return code, ok
}

// flagAround reports whether s, spaces, punctuation and invisible
// characters around it aside, starts or ends with a flag (flagAt).
func flagAround(s string) bool {
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || invisible(r) })
	return flagAt(s, 0) > 0 || len(s) >= 8 && flagAt(s, len(s)-8) > 0
}

// normalizeReceipt is NormalizeReceipt; with flags, two regional
// indicator letters one after the other (a flag) are a separator; with
// keycaps, so is a keycap no letter or digit follows (keycapAt).
func normalizeReceipt(s string, flags, keycaps bool) (string, bool) {
	if emojiAround(s) {
		// Emoji separate a code's groups ("K7QD 🔥 9XMA …"), as
		// ReceiptSpans finds them: one against the code ("🙏CODE🙏 sí",
		// "CODE👍") is the reporter's, no part of it (/reply keeps it
		// with the answer).
		return "", false
	}
	if len(s) > 256 { // a code with a 3-byte zero-width space between every character is 73
		// Invisible characters, however many between its characters,
		// are not part of it (receiptSpans reads across them): a code
		// padded with five zero-width spaces after each character is
		// the code. Only what is left is bounded.
		if len(s) > 16<<10 {
			return "", false
		}
		s = strings.Map(func(r rune) rune {
			if invisible(r) || pictograph(r) { // (emoji too: separators, however many)
				return -1
			}
			return r
		}, s)
		if len(s) > 256 {
			// A run of spaces and line breaks (quote markers that start
			// a line among them) is one separator, however long, as
			// separatorsAt reads it: one space of it is left.
			s = squeezeRuns(s)
		}
		if len(s) > 256 {
			return "", false
		}
	}
	if strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, '&') >= 0 {
		s = unescape(s) // as a link has it: "%4B7QD%2D…", "K7QD%252D…"; as HTML: "&#75;7QD&ndash;…"
	}
	// Wrappers around each of its groups ("[K7QD]-[9XMA]-…",
	// "||K7QD|| ||9XMA|| …"), as wrappedAt reads it.
	if r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(s, spaceOrInvisible)); wrapOpener(r) {
		s = unwrapGroups(s)
	}
	// Punctuation around it ("CODE." at the end of a sentence) and
	// separators of any kind (en dashes, no-break spaces, zero-width
	// characters copied with it) are not part of it.
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || invisible(r) })
	// Upside-down ("ʞㄥΌᗡ…" for "K7QD…"): read as with the screen turned.
	s, ok := readTurned(s)
	if !ok {
		return "", false
	}
	var b strings.Builder
	letters, accented, marked := 0, 0, true // (a mark before the first character bears on none)
	lower, spaced := false, strings.ContainsFunc(s, unicode.IsSpace)
	// Spelled out, a separator that shows between every two characters
	// ("Á B C D - …"), as receiptAt reads it: no prose.
	apart, together := false, false
	line := false // (at a line's start: a quote marker is a separator, quoteAt)
	for i := 0; i < len(s); {
		quote := quoteAt(s, i, line)
		n := separatorAt(s, i)
		if quote {
			n = 1
		}
		if n == 0 && flags {
			n = flagAt(s, i)
		}
		if n == 0 && keycaps {
			n = keycapAt(s, i)
		}
		if n > 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			if !invisible(r) {
				apart = true
			}
			line = lineBreak(r) || s[i:i+n] == partSeparator || line && (quote || invisible(r) || unicode.IsSpace(r))
			i += n
			continue
		}
		line = false
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= utf8.RuneSelf { // (no ASCII character is one: no map to ask)
			if c, ok := smallCapitals[r]; ok {
				r = c // (upper-cased, "ʀ" would be "Ʀ", "ǫ" an accented O)
			}
		}
		lower = lower || r >= 'a' && r <= 'z' || r >= utf8.RuneSelf && unicode.IsLower(r)
		r = lookAlike(halfWidth(unicode.ToUpper(r)))
		acc := false
		if r > 127 && !groupSeparator(r) {
			if c, ok, a := wideChar(r); ok {
				r, acc = c, a // "𝐒", "Ⓢ", "Ś": S
			} else if mark(r) {
				if !marked && !unicode.Is(unicode.Me, r) {
					accented, marked = accented+1, true
				}
				continue // "J́": the accent on a J; "J⃝": no accent (marksAt)
			}
		}
		if r >= 'A' && r <= 'Z' {
			letters++ // (O, I and L too, as receiptAt counts them)
		}
		switch {
		case groupSeparator(r):
			apart = apart || !invisible(r)
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(receiptAlphabet, r) {
			return "", false
		}
		if marked = acc; acc {
			accented++
		}
		together, apart = together || b.Len() > 0 && !apart, false
		if b.Len() > 0 && (b.Len()+1)%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	if b.Len() != receiptLen+3 || (lower || spaced) && together && accented > 0 && accented*2 < letters {
		return "", false // (a few accents, not in capitals or with spaces: words, as receiptAt reads them)
	}
	return b.String(), true
}

// ReceiptSpans finds what may be receipt codes within a text: four groups
// of four letters or digits (full-width too, and Arabic-Indic and Persian
// digits), with a letter and a digit among them, standing as a word,
// written as NormalizeReceipt reads them: the groups apart or not
// (dashes, spaces of any kind, the minus sign), zero-width characters
// anywhere, and percent-escaped characters as a
// link has them ("?q=ABCD%2DEFGH%2D…", "%20ABCD%20…", "%41BCD…"), escaped
// twice as a link within a link has them ("?u=…%253FABCD%252D…"), emoji
// between the groups ("ABCD 🔥 EFGH 🔥 …": pictograph; keycaps standing
// apart too, "ABCD 1️⃣ EFGH 2️⃣ …": keycapAt), or each group
// wrapped alike in brackets, quotes or markdown ("[ABCD]-[EFGH]-…",
// "||ABCD|| ||EFGH|| …": wrappedAt, the span then taking the
// wrappers). Candidates start
// at every word and may overlap ("digo ABCD-…": the one from "digo"
// would hide the code). A scan, not a regular expression: it runs on
// every message, and an expression cost 18 µs on a 350-byte one.
func ReceiptSpans(text string) [][2]int {
	return receiptSpans(text, false)
}

// receiptSpans is ReceiptSpans; with lettersAlone, words shaped like a
// code of letters alone (OldReceipt) are found too.
func receiptSpans(text string, lettersAlone bool) [][2]int {
	return receiptSpansBefore(text, lettersAlone, len(text), 0)
}

// receiptSpansBefore is receiptSpans of the candidates starting before
// until (linkSpans: those crossing into a link's address start before
// it, and reading them from each character of a long address cost
// seconds); if most > 0, once most are read, of the words of one
// character only the first of a run, and those that repeat none read
// just before (repeatsRead), up to a bound (maxLoneSpans:
// receiptCandidates).
func receiptSpansBefore(text string, lettersAlone bool, until, most int) [][2]int {
	return scanReceipts(text, lettersAlone, until, most, nil, nil)
}

// receiptSpansInParts is receiptSpansBefore(text, true, len(text),
// maxReceiptSpans) of text, texts joined (joinParts), parts where each
// of them starts in it (partStarts): the bounds counted from each one's
// start, so that each is read within the join as it is read alone, and
// a code that starts in one and runs on into the next is read however
// many words the parts before it hold. The work is at most what each
// part costs alone.
func receiptSpansInParts(text string, parts []int) [][2]int {
	return scanReceipts(text, true, len(text), maxReceiptSpans, parts, nil)
}

// scanReceipts is receiptSpansBefore; with starts, the readings are not
// made but where each would start is appended to *starts (linkStarts),
// with how many code characters stand before it, then the scan's end.
// With parts (ascending), if most > 0, most and maxLoneSpans are
// counted afresh from each of them (receiptSpansInParts).
func scanReceipts(text string, lettersAlone bool, until, most int, parts []int, starts *[]linkStart) [][2]int {
	var out [][2]int
	base := 0 // (len(out) where the part being read starts)
	codes := 0
	prevWord, prevRegional := false, false
	wrapEnd := 0 // (where the last code read with its groups wrapped ends)
	run := 0     // (words of one character in a row, if most > 0: loneRead)
	// (If most > 0: the last words of one character, repeatsRead, and
	// how many more of them that repeat none may be read past most.)
	lone := loneStarts{left: maxLoneSpans}
	for i := 0; i < until; {
		for len(parts) > 0 && parts[0] <= i {
			base, lone.left, parts = len(out), maxLoneSpans, parts[1:]
		}
		r, size, escaped := charAt(text, i)
		_, code := codeChar(r)
		if !code && r >= utf8.RuneSelf {
			_, code, _ = wideChar(r)
		}
		if escaped && !code {
			// In a link ("?q=K7QD%2D9XMA…", "…%20K7QD"): an escape
			// of no letter or digit stands between words.
			prevWord = false
			i += size
			continue
		}
		// A flag and a word written against each other ("🇲🇽K7QD-…")
		// are two words: regional indicators are letters, but of
		// their own.
		start := code && (!prevWord || prevRegional != regional(r))
		if start && most > 0 {
			// (The run of words of one character counted from the
			// text's start: a flood's run reaches the bound long.)
			first := loneRead(text, i+size, &run)
			if loneCodeChar(text, i+size) {
				// (Those before the bound are kept too: a flood
				// reaches it long before it ends.)
				kept := i >= wrapEnd
				if len(out)-base >= most && !first {
					switch {
					case kept && lone.repeatsRead(text, i):
						start = false
					case lone.left > 0:
						lone.left--
					default:
						start, kept = false, false
					}
				}
				lone.add(i, kept)
			}
		}
		if start {
			n := len(out)
			if starts != nil {
				*starts = append(*starts, linkStart{at: i, codes: codes})
				if strayFront(text, i+size) {
					// (strayAt's reading, read across a link too)
					*starts = append(*starts, linkStart{at: i + size, stray: true, word: i, codes: codes + 1})
				}
			} else if end, letter, digit := receiptAt(text, i); letter && (digit || lettersAlone) {
				out = append(out, [2]int{i, end})
				if end < len(text) && ' ' < text[end] && text[end] < utf8.RuneSelf {
					// The word goes on past it ("abcdK7QD9XMA-R2TP-4WZN"
					// reads ABCD-K7QD-9XMA-R2TP): the code may be
					// four on, with some of its dashes.
					out = gluedAt(text, i, out, 0)
				}
			} else {
				if end, letter, digit := strayAt(text, i+size); letter && digit {
					// A stray letter or digit typed right against a
					// code ("tK7QD9XMA…"): the code after it, as
					// receiptAlone reads it in a message alone.
					out = append(out, [2]int{i + size, end})
				}
				// Two stray characters against its front, or some
				// against its end ("tkK7QD9XMA…", "…4WZNx"; a
				// word of seventeen may be either).
				out = gluedAt(text, i, out, 0)
			}
			if starts == nil {
				// Many against a code as it is shown, which the
				// word's own reading may not see ("abcd89NW-HA9P-…"
				// reads "ABCD-89NW-HA9P-…").
				out = shownGluedAt(text, i, out)
			}
			if i < wrapEnd {
				// Within a code whose groups are wrapped in separators
				// ("_K7QD_-_9XMA_-…", "|K7QD| |9XMA| …"): its groups
				// read again less their first opener and last closer,
				// which would be left when it is cut (wrappedAt's
				// reading takes them).
				kept := slices.DeleteFunc(out[n:], func(sp [2]int) bool { return sp[1] <= wrapEnd })
				out = out[:n+len(kept)]
			}
		} else if !code && !prevWord && wrapOpener(r) {
			// A code with each of its groups wrapped ("[K7QD]-[9XMA]-…",
			// "**K7QD** **9XMA** …", Discord's "||K7QD||"): from the
			// opener, as the wrappers go with it.
			if starts != nil {
				*starts = append(*starts, linkStart{at: i, wrapped: true, codes: codes})
			} else if end, letter, digit := wrappedAt(text, i); letter && (digit || lettersAlone) && (i >= wrapEnd || end > wrapEnd) {
				// (Not one within the last: "**[K7QD]** **[9XMA]** …"
				// reads again from its second "*", "*" parting groups,
				// and would leave the first when cut.)
				out, wrapEnd = append(out, [2]int{i, end}), end
			}
		}
		if code {
			codes++
		}
		// An accent after a letter ("e\u0301", as some keyboards send
		// "é") is of its word. "_" parts words as other punctuation
		// does: a code wrapped whole in it ("_K7QD-…_", "__K7QD-…__",
		// markdown's italics and underline) or against it ("…4WZN_x")
		// is read as one in "*" or "~" is.
		if code || r < 0x300 || !prevWord {
			prevWord, prevRegional = code, regional(r)
		} else {
			prevWord = mark(r)
		}
		i += size
	}
	if starts != nil {
		*starts = append(*starts, linkStart{at: until, codes: codes}) // (where the scan ends)
	}
	return out
}

// maxLoneReads bounds the words of one character in a row read once
// receiptCandidates' bound is reached, whatever they are (loneRead): a
// code spelled out after a word or two of one character ("o código é
// K 7 Q D …", "y a K 7 …") is read, however many such words the text
// holds before. Past them, a word of one character is read unless it
// repeats one read just before (repeatsRead), maxLoneSpans of them.
const maxLoneReads = 3

// loneRead reports whether the word starting with the code character
// that ends at text[j:] is among those read whatever they are once
// receiptCandidates' bound is reached: a word of two characters or more
// is (and ends the run *lone counts), one of one character
// (loneCodeChar) only among the first maxLoneReads of a run.
func loneRead(text string, j int, lone *int) bool {
	if !loneCodeChar(text, j) {
		*lone = 0
		return true
	}
	*lone++
	return *lone <= maxLoneReads
}

// maxLoneSpans bounds the words of one character scanReceipts reads past
// receiptCandidates' bound that are past the first maxLoneReads of their
// run and repeat no word read just before (repeatsRead): as many as the
// bound, so that every word of one character of a message of 4,096
// characters (2,048 at most) is read or found read already, a code
// spelled out anywhere in it among them ("Q W E R T Y … K 7 Q D …"),
// and a flood of them that repeats nothing costs twice what it cost
// before (some 2,000 readings, as a message of them did before
// maxReceiptSpans). Past that, in longer texts (64 kB), only the first
// maxLoneReads of a run, as before. A draft's parts joined are each
// counted so from their own start (receiptSpansInParts).
const maxLoneSpans = maxReceiptSpans

// loneStarts holds where the last loneRing words of one character
// (loneCodeChar) that scanReceipts read, or found read already
// (repeatsRead), start, which text they repeat (periods, one for each
// length of a period in bytes), and how many more of them may be read
// past the bound (maxLoneSpans).
type loneStarts struct {
	at      [loneRing]int // (-1: none, one not read, or one read within a wrapped code's reach)
	n       int
	left    int
	periods [maxLonePeriod + 1]period
}

// loneRing is how many words of one character repeatsRead looks back
// at: a flood's period ("A 1 ", "K 7 Q D ", "Ⓐ ① ") holds up to eight.
const loneRing = 8

// maxLonePeriod bounds, in bytes, the period of a text repeatsRead
// finds repeated: eight characters parted by a separator each, or
// fewer written wide ("Ⓐ ① ", "🇦 ① ").
const maxLonePeriod = 16

// loneReach bounds, in periods of a repeated text, how far the readings
// from a word of one character in it read on: each period starts with
// a character of a code, which a reading takes as one (sixteen), or as
// a separator between two groups (five at most between each two: three
// gaps), and reads at most one more to see the code ends there; the
// stray characters gluedAt, strayAt and shownGluedAt read around a word
// are fewer than forty. Twice that, for room.
const loneReach = 64

func (l *loneStarts) add(i int, kept bool) {
	if !kept {
		i = -1
	}
	l.at[l.n%loneRing] = i
	l.n++
}

// repeatsRead reports whether the text from text[i:], a word of one
// character, repeats what the scan read from one of the last loneRing
// such words, p bytes before (p at most maxLonePeriod): text[i-p:]
// repeats with period p, loneReach periods on or up to its end. Its
// readings would then be those already made, p bytes on, and a code
// read from it one with its own sixteen characters repeating with a
// period of eight or fewer, as no drawn code has but about once in
// 32^8. A flood of such words ("A 1 A 1 …", "K 7 Q D K 7 Q D …",
// "Ⓐ ① …") is so read once, a period of it, not at each of its
// characters, and a code spelled out within it or after it ("A 1 A 1
// K 7 Q D - 9 X M A …"), which repeats no period of it, is read. Each
// of text's bytes is found repeated at most once for each length of a
// period (periods: one remembered for each, as a text that repeats
// with one ("A A A A A A A B " with 16 bytes) may repeat with shorter
// ones over a few words, and one remembered for them all was found
// again, some 1,000 bytes, at every word), so that the scan stays
// linear.
func (l *loneStarts) repeatsRead(text string, i int) bool {
	for k := 1; k <= loneRing && k <= l.n; k++ {
		s := l.at[(l.n-k)%loneRing]
		p := i - s
		if s < 0 || p > maxLonePeriod {
			continue
		}
		if text[i:min(len(text), i+p)] != text[s:min(len(text), s+p)] {
			continue // (the next period differs: most of them)
		}
		ok, n := l.periods[p].holds(text, s, p, min(len(text), i+loneReach*p))
		periodRead(n)
		if ok {
			return true
		}
	}
	return false
}

// periodRead is told how many bytes each call of period.holds found
// repeated anew (a test's hook: linear).
var periodRead = func(n int) {}

// period is what repeatsRead last found of its text with a period of p
// bytes: text[from:ok] repeats with period p (text[x] == text[x-p] for
// from+p <= x < ok).
type period struct{ p, from, ok int }

// holds reports whether text[s:end] repeats with period p, comparing
// only the bytes it has not yet compared for that period from s on, and
// how many bytes it found repeated anew.
func (c *period) holds(text string, s, p, end int) (bool, int) {
	if c.p != p || s < c.from || c.ok < s+p {
		c.p, c.from, c.ok = p, s, s+p
	}
	from := c.ok
	for c.ok < end && text[c.ok] == text[c.ok-p] {
		c.ok++
	}
	return c.ok >= end, c.ok - from
}

// loneCodeChar reports whether no letter or digit of a code follows
// the one that ends at text[j:] (its accents aside): a word of one
// character, as a code spelled out has ("K 7 Q D …", "K\u200b7\u200b…",
// "Ⓚ⑦ⓠⓓ" aside), and a flood of such words one at every character
// ("Ⓐ ① Ⓐ ① …", "A🔥A🔥…"), each read sixteen characters on
// (receiptCandidates reads no more of those that repeat one read just
// before once maxReceiptSpans code-like words are read: repeatsRead).
func loneCodeChar(text string, j int) bool {
	if j < len(text) && text[j] >= utf8.RuneSelf {
		n, _ := marksAt(text, j)
		j += n
	}
	if j >= len(text) {
		return true
	}
	r, _, _ := charAt(text, j)
	return !isCodeChar(r)
}

// strayAt is receiptAt at text[i:], a word's second character, where a
// code starts there as it is shown or typed, its first group four ASCII
// letters or digits in a row, and runs into no link ("/", "?", "=", "#",
// "%", "&": linkSpans reads those): a code with one character typed
// against its front. No match otherwise: not a code spelled out or
// escaped, nor prose after a number ("18. a b c …").
func strayAt(text string, i int) (end int, letter, digit bool) {
	if !strayFront(text, i) {
		return 0, false, false
	}
	end, letter, digit = receiptAt(text, i)
	if strayInLink(text, i, end) {
		return 0, false, false
	}
	return end, letter, digit
}

// maxStrays bounds the stray characters gluedAt reads typed against a
// code's front, and against its end, where the code's word is no longer
// than a code and 2×maxStrays: those may stand on one side alone
// ("tkqK7QD9XMA…", "…4WZNxyz", four at most), as a word of twenty
// letters and digits holding the code has them.
const maxStrays = 2

// maxShownStrays bounds the stray characters shownGluedAt reads typed
// against each end of a code written as it is shown, its groups parted
// by dashes ("abcK7QD-9XMA-…", "codigoK7QD-…", "númeroK7QD-…",
// "…-4WZNxyz").
const maxShownStrays = 8

// gluedAt appends to out (while it holds fewer than most, if most > 0)
// the readings of a code in the word at text[i:] with stray characters
// typed against it, at most 2×maxStrays of them in all, counted as
// characters (strayChar): before it ("tkK7QD9XMA…", "t_K7QD9XMA…",
// "ñúaK7QD9XMA…", "tkqK7QD…") and letters of any script or digits after
// it ("…4WZNx", "tK7QD-…-4WZNxy", "…4WZNxyz", "…4WZNñ"),
// that receiptAt and strayAt do not read: one for each number of them
// before it, as any may be the code's (the stray characters are kept
// when it is cut). Only a code as it is shown or typed, one word: ASCII
// alone, no space between its groups (prose parts its words so:
// "demandent 5000 pesos" would read "eman-dent-5000-peso" and an "s"),
// its first and last groups four letters or digits in a row, a letter
// and a digit in it, into no link ("/?=#%&", as strayAt), so that no
// spelled or escaped text, nor a reading across a link (linkSpans) or
// from one text into the next (partSeparator) is read so; a word of
// more than sixteen letters and digits and four of them is none (a
// hash, a long number), unless it holds the code as it is shown
// (shownGluedAt, which scanReceipts reads too).
func gluedAt(text string, i int, out [][2]int, most int) [][2]int {
	next := i
	for b := 0; b <= 2*maxStrays && next < len(text); b++ {
		if most > 0 && len(out) >= most {
			return out
		}
		s := next
		size, _ := strayChar(text, s)
		next += size
		if !strayFront(text, s) || !gluedRoom(text, s) {
			continue
		}
		rd := receiptReading{i: s, glued: true}
		end, letter, digit, _ := rd.read(text, len(text)+1)
		if !letter || !digit || rd.spaced || !asciiText(text[s:end]) || !asciiAlnum(text[end-4:end]) || strayInLink(text, s, end) {
			continue
		}
		t, e := 0, end
		for e < len(text) && b+t <= 2*maxStrays {
			size, ok := strayChar(text, e)
			if !ok {
				break
			}
			t, e = t+1, e+size
		}
		if b+t > 2*maxStrays || t == 0 && b == 0 || !wordEndsAt(text, e) {
			continue // (none: receiptAt's)
		}
		if readAlready(out, i, [2]int{s, end}) {
			// receiptAt's or strayAt's, letters of no code after it; one
			// before it is strayAt's but where it bears an accent written
			// after it ("e\u0301K7QD…": strayAt reads from the accent).
			continue
		}
		out = append(out, [2]int{s, end})
	}
	return out
}

// gluedRoom reports whether text[s:] starts with receiptLen bytes none
// of which is outside ASCII, a space or a link's ("/?=#%&"): a reading
// gluedAt keeps is at least that long (receiptLen characters, each a
// byte, as no escape is: "%" and "&" run into a link) and holds none of
// them (asciiText, rd.spaced, strayInLink), so where this fails the
// reading is not made. A byte loop instead of the reading's: prose has a
// space within sixteen bytes of nearly every word (the scan runs gluedAt
// at every one), and the reading ran across it before failing.
func gluedRoom(text string, s int) bool {
	if s+receiptLen > len(text) {
		return false
	}
	for _, c := range []byte(text[s : s+receiptLen]) {
		switch {
		case c >= utf8.RuneSelf, c == ' ', '\t' <= c && c <= '\r':
			return false
		case c == '/', c == '?', c == '=', c == '#', c == '%', c == '&':
			return false
		}
	}
	return true
}

// strayChar returns the bytes the character at text[j:] takes, with the
// accents written after it ("e\u0301"), and whether it is a letter of any
// script or a digit: a stray character a reporter may type against a
// code ("códigoK7QD-…", "reçu", "número", "…4WZNñ"). A byte of no
// character (invalid UTF-8) is one, of neither.
func strayChar(text string, j int) (size int, ok bool) {
	r, size := utf8.DecodeRuneInString(text[j:])
	n, _ := marksAt(text, j+size)
	return size + n, unicode.IsLetter(r) || unicode.IsDigit(r)
}

// shownGluedAt appends to out the reading of a code written as it is
// shown in the word at text[i:], its four groups of four ASCII letters
// or digits parted by one dash each, a letter and a digit among them,
// with more stray characters typed against it than strayAt reads,
// more than maxStrays on one side, at most maxShownStrays letters of any
// script or digits (strayChar) against its front and as many
// against its end ("abcK7QD-9XMA-R2TP-4WZN", "codigoK7QD-…",
// "númeroK7QD-…", "…-4WZNxyz"), read whether
// or not the word's own reading matched (four before it, "abcdK7QD-…",
// reads "ABCD-K7QD-9XMA-R2TP"). No
// reference, hash or prose is written so but as such a code is (a
// UUID's "…e4567-e89b-12d3-a456-…" is: its reading is looked up, and,
// no tip's, kept). One reading a word: its first dash places it.
func shownGluedAt(text string, i int, out [][2]int) [][2]int {
	p, n := i, 0 // (n characters to p)
	for p < len(text) && n <= maxShownStrays+4 {
		size, ok := strayChar(text, p)
		if !ok {
			break
		}
		p, n = p+size, n+1
	}
	s, end := p-4, p-4+receiptLen+3
	if s < i || end > len(text) || !shownShape(text[s:end]) {
		return out
	}
	t, e := 0, end
	for e < len(text) && t <= maxShownStrays {
		size, ok := strayChar(text, e)
		if !ok {
			break
		}
		t, e = t+1, e+size
	}
	if b := n - 4; b > maxShownStrays || t > maxShownStrays || b <= maxStrays && t <= maxStrays || !wordEndsAt(text, e) {
		return out // (as many as maxStrays: receiptAt's, strayAt's or gluedAt's)
	}
	if readAlready(out, i, [2]int{s, end}) {
		return out // (gluedAt's too)
	}
	return append(out, [2]int{s, end})
}

// readAlready reports whether out holds sp among the readings of the word
// at text[i:], which end it.
func readAlready(out [][2]int, i int, sp [2]int) bool {
	for k := len(out) - 1; k >= 0 && out[k][0] >= i; k-- {
		if out[k] == sp {
			return true
		}
	}
	return false
}

// shownShape reports whether s is a receipt code as it is shown:
// four groups of four ASCII letters or digits parted by one dash each,
// a letter and a digit among them.
func shownShape(s string) bool {
	if len(s) != receiptLen+3 {
		return false
	}
	letter, digit := false, false
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case j%5 == 4:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9':
			digit = true
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			letter = true
		default:
			return false
		}
	}
	return letter && digit
}

// asciiText reports whether s is of ASCII characters alone.
func asciiText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// wordEndsAt reports whether a word of a code's letters and digits ends
// at text[i:], as receiptAt's reading ends a code: no letter or digit of
// a code there ("_" ends one, as other punctuation does).
func wordEndsAt(text string, i int) bool {
	if i >= len(text) {
		return true
	}
	r, _, _ := charAt(text, i)
	if _, ok := codeChar(r); ok {
		return false
	}
	if r >= utf8.RuneSelf {
		if _, ok, _ := wideChar(r); ok {
			return false
		}
	}
	return true
}

// strayFront reports whether text[i:] starts with four ASCII letters or
// digits in a row, as strayAt's reading does.
func strayFront(text string, i int) bool {
	if i+4 > len(text) {
		return false
	}
	for _, c := range []byte(text[i : i+4]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// strayInLink reports whether strayAt's reading text[i:end] runs into a
// link.
func strayInLink(text string, i, end int) bool {
	return strings.ContainsAny(text[i:max(i, end)], "/?=#%&")
}

// receiptAt matches a receipt code's shape at text[i:] (see ReceiptSpans)
// and returns where it ends, and whether it holds a letter and a digit
// (neither when the shape does not match). Accents (combining marks,
// or letters that decompose into one and a mark) are read through
// ("ŚÁJ́Ǵ-…" is SAJG-…), but only where at least half as many characters
// bear one as there are letters, as in text written so on purpose: in
// ordinary words ("casa 2024 está allá") fewer do, and those are no
// code-like words, so that accented prose costs no more lookups. Or
// where every letter is a capital and no space stands between groups,
// as codes are shown ("ÁBCD-EFGH-…": an old code of letters alone with
// an accent slipped in): prose has spaces between its words, in
// capitals too ("CASA 2024 ESTÁ ALLÁ"). Or where it is spelled out, a
// separator that shows between every two characters ("Á B C D - …",
// "🇰 7 🇶 🇩 - …"): prose has no sixteen one-character words in a row.
func receiptAt(text string, i int) (end int, letter, digit bool) {
	return readReceipt(text, i, "")
}

// readReceipt is receiptAt; with open, the opener of each group, every
// group is wrapped (wrappedAt): open before it (the first's before
// text[i:]), its closer (wrapClosedAt) right after it, separators
// between the closer and the next opener.
func readReceipt(text string, i int, open string) (end int, letter, digit bool) {
	rd := receiptReading{i: i, open: open}
	end, letter, digit, _ = rd.read(text, len(text)+1)
	return end, letter, digit
}

// receiptReading is a reading of readReceipt, made so that it may stop
// short of a place in its text and go on from there in another text
// that starts the same (linkSpans: the words before a link are read
// once, then on into each rest of its address).
type receiptReading struct {
	i, g, k int
	// step is where the reading of group g is: its separators and
	// opener (0), its characters (1), its closer (2).
	step int
	open string
	// anyRegional: a regional indicator letter was read as one of the
	// code's; until then a flag between groups ("K7QD 🇲🇽 9XMA …") is a
	// separator, as an emoji is, and after, two regional letters one
	// after the other are the code's ("🇯🇨🇯🇭-0🇽19-…").
	// spelled: the code written out a character at a time, a separator
	// that shows between every two ("K 7 Q D - 9 X M A …", "Á B C D - …",
	// "🇰 7 🇶 🇩 …" so that no two regional letters make a flag), as
	// no prose is: apart, separators were read since the last character.
	letters, accented                                        int
	lower, spaced, lastRegional, anyRegional, spelled, apart bool
	letter, digit                                            bool
	// glued: the reading ends after its fourth group whatever follows
	// (gluedAt reads what does).
	glued bool
	// join, if not 0, is where a link's address is joined to the words
	// before it (linkStarts): a wrapped group after the first ending
	// there has its closer before the address, kept with it
	// ("[K7QD]-[9XMA]-[R2TP] https://x/?c=4WZN"), and the rest of the
	// code in the address is read unwrapped.
	join int
}

// read goes on with the reading in text. It stops (paused) before a step
// that would read a character at pause or past it, so that it may go on
// (read again, in a text whose first pause bytes are the same) as if it
// had read that text from the start. That holds where text[:pause] ends
// in a character no escape, entity, wrapper or mark runs across (an
// invisible one: partSeparator) and text[pause:] starts with a letter
// or digit of a code (which a separator scan may yet take, as a flag or
// a keycap: separators that run up to pause are read again when the
// reading goes on). Without pause (past len(text)), it is readReceipt's
// reading.
func (s *receiptReading) read(text string, pause int) (end int, letter, digit, paused bool) {
	for ; s.g < 4; s.g, s.k, s.step = s.g+1, 0, 0 {
		if s.step == 0 {
			if s.g > 0 {
				// At most three separators that show between two
				// groups (five spelled out: "D  -  9"); the invisible
				// ones, however many, are not counted (a code padded
				// with zero-width spaces after each character is the
				// code).
				// A keycap standing apart between groups ("K7QD 1️⃣
				// 9XMA …") is one, as an emoji is, but in a code
				// spelled out, where it is a digit ("J C J H 0️⃣ X …").
				n, seen := separatorsAt(text, s.i, maxSeparators(s.spelled), s.open, !s.anyRegional, !s.spelled)
				if s.i+n >= pause || s.i+n+len(s.open) > pause {
					return 0, false, false, true // (more of them may follow: read again)
				}
				if s.spelled && !seen {
					return 0, false, false, false
				}
				s.i, s.spaced = s.i+n, s.spaced || n > 0 && strings.ContainsFunc(text[s.i:s.i+n], unicode.IsSpace)
				s.apart = s.spelled
				if s.open != "" {
					if !strings.HasPrefix(text[s.i:], s.open) {
						return 0, false, false, false
					}
					s.i += len(s.open)
					if n := innerSpaces(text, s.i); n > 0 {
						if s.i+n >= pause {
							return 0, false, false, true
						}
						s.i += n // "( K7QD ) ( 9XMA ) …"
					}
				}
			}
			s.step = 1
		}
		if s.step == 1 {
			for s.k < 4 {
				if s.i >= pause {
					return 0, false, false, true
				}
				if s.i >= len(text) {
					return 0, false, false, false
				}
				r, size, _ := charAt(text, s.i)
				c, ok := codeChar(r)
				acc := false
				if !ok && r >= utf8.RuneSelf {
					c, ok, acc = wideChar(r)
				}
				if !ok && s.k > 0 && !s.apart && (s.spelled || s.g == 0 && s.k == 1) {
					if n, seen := separatorsAt(text, s.i, spelledSeparators, s.open, false, false); s.i+n >= pause {
						return 0, false, false, true // (read again: what follows may be more of them)
					} else if seen {
						s.i, s.spelled, s.apart = s.i+n, true, true
						continue
					}
				}
				if ok && s.spelled && s.k > 0 && !s.apart {
					return 0, false, false, false // "K 7 QD…": spelled out, then not
				}
				s.apart = false
				switch {
				case ok:
					s.lastRegional = regional(r)
					s.anyRegional = s.anyRegional || s.lastRegional
					s.digit, s.letter = s.digit || c <= '9', s.letter || c > '9'
					s.lower = s.lower || r >= 'a' && r <= 'z' || acc && unicode.IsLower(r) // ("á": as accented prose has it)
					if c > '9' {
						s.letters++
					}
					s.k++
					s.i += size
					if s.i < len(text) && text[s.i] >= utf8.RuneSelf { // (no ASCII character is a mark)
						n, a := marksAt(text, s.i)
						s.i, acc = s.i+n, acc || a // "J\u0301"
					}
					if acc {
						s.accented++
					}
					continue
				case s.k == 0 || r < utf8.RuneSelf || !invisible(r) && !mark(r): // (no ASCII character is invisible)
					return 0, false, false, false
				}
				s.i += size
			}
			s.step = 2
		}
		if s.open != "" && s.join > 0 && s.i == s.join && s.g > 0 {
			s.open = "" // (a first group alone so set off is markedGroupEnd's: read unwrapped)
		}
		if s.open != "" {
			if s.i >= pause {
				return 0, false, false, true
			}
			if n := innerSpaces(text, s.i); n > 0 {
				if s.i+n >= pause {
					return 0, false, false, true
				}
				s.i += n // "( K7QD )"
			}
			n, ok := wrapClosedAt(text, s.i, s.open)
			if !ok {
				return 0, false, false, false
			}
			s.i += n
		}
	}
	i := s.i
	if s.open == "" && i >= pause {
		return 0, false, false, true
	}
	if i < len(text) && s.open == "" && !s.glued { // (a wrapped code's last closer ends it)
		r, _, _ := charAt(text, i)
		if _, ok := codeChar(r); ok && !s.lastRegional {
			return 0, false, false, false
		} else if r >= utf8.RuneSelf {
			if _, ok, _ := wideChar(r); ok && regional(r) == s.lastRegional {
				return 0, false, false, false // (a flag after it ends it: "…4WZN🇲🇽")
			}
		}
	}
	if (s.lower || s.spaced) && !s.spelled && s.accented > 0 && s.accented*2 < s.letters {
		return 0, false, false, false // "casa 2024 está allá", "CASA 2024 ESTÁ ALLÁ"
	}
	return i, s.letter, s.digit, false
}

// spelledSeparators bounds the separators that show between two
// characters of a code spelled out a character at a time (receiptAt),
// and between its groups: "K  7  Q  D  -  9…".
const spelledSeparators = 5

// maxSeparators is how many separators that show may stand between two
// groups of a code: three, or spelledSeparators in one spelled out.
func maxSeparators(spelled bool) int {
	if spelled {
		return spelledSeparators
	}
	return 3
}

// separatorsAt returns how many bytes the group separators at text[i:]
// take, at most max of them that show (invisible ones are not counted,
// and a run of spaces and line breaks counts as one, the quote markers
// that start a line within it too: "-\n> ", "-\n>> ", a code quoted in
// a mail's reply or a Discord quote, quoteAt),
// and whether one that shows is among them; they end where stop, if
// not "", starts (a wrapped code's next opener: "||K7QD|| ||9XMA||").
// Emoji one after the other, joined or not ("👨‍👩‍👧", "👍🏽👍🏽",
// "🔥🔥🔥"), count as one; with flags, so do flags ("🇲🇽", flagAt) among
// them; with keycaps, so do keycaps standing apart (keycapAt). Marks
// written on a
// separator go with it (strikethrough or underlined text puts one on
// every character, the dashes and spaces too: "K̶7̶Q̶D̶-̶9̶…").
func separatorsAt(text string, i, max int, stop string, flags, keycaps bool) (n int, seen bool) {
	lastPictograph, lastSpace, line := false, false, false
	for seps := 0; i+n < len(text); {
		quote := quoteAt(text, i+n, line)
		if seps >= max && !(lastSpace && (quote || spaceAt(text, i+n))) && !invisibleAt(text, i+n) {
			break // (a run of spaces that counted as the last goes on, and invisible ones, counted as none)
		}
		if stop != "" && strings.HasPrefix(text[i+n:], stop) {
			break
		}
		m, emoji := separatorAt(text, i+n), false
		if quote {
			m = 1
		}
		if m == 0 && flags {
			m = flagAt(text, i+n)
			emoji = m > 0
		}
		if m == 0 && keycaps {
			m = keycapAt(text, i+n)
			emoji = m > 0
		}
		if m == 0 {
			break
		}
		if c := text[i+n]; c < utf8.RuneSelf && !emoji {
			// A run of spaces and line breaks is one separator ("-\n    ",
			// "\r\n  ": a code wrapped onto an indented line), a vertical
			// tab or a form feed among them too (ASCII spaces, which an
			// investigator is shown as spaces: Neutralize).
			space := c == ' ' || '\t' <= c && c <= '\r' || quote
			if !space || !lastSpace {
				seps++
			}
			lastPictograph, lastSpace = false, space
			line = c == '\n' || c == '\r' || line && space
		} else if r, _ := utf8.DecodeRuneInString(text[i+n:]); emoji || !invisible(r) {
			p, space := emoji || pictograph(r), !emoji && unicode.IsSpace(r)
			if (!p || !lastPictograph) && (!space || !lastSpace) {
				seps++
			}
			lastPictograph, lastSpace, line = p, space, lineBreak(r) || line && space
		} else if text[i+n:i+n+m] == partSeparator {
			// Between two parts' texts (CutReceiptsAcross), which an
			// investigator reads a blank line apart: the next one
			// starts a line, its quote markers separators ("K7QD-9XMA",
			// then "> R2TP-4WZN", a quote).
			line = true
		}
		n += m
		if i+n < len(text) && text[i+n] >= utf8.RuneSelf {
			k, _ := marksAt(text, i+n)
			n += k
		}
		seen = seen || seps > 0
	}
	return n, seen
}

// squeezeRuns returns s with each run of spaces and line breaks, and
// of the quote markers that start a line among them (quoteAt), written
// as its first character: one separator, as separatorsAt reads it.
func squeezeRuns(s string) string {
	var b strings.Builder
	run, line := false, false
	for i, r := range s {
		quote := quoteAt(s, i, line)
		space := quote || unicode.IsSpace(r)
		if !space || !run {
			b.WriteRune(r)
		}
		run, line = space, lineBreak(r) || line && space
	}
	return b.String()
}

// quoteAt reports whether text[i:] starts with a quote marker, ">", at
// a line's start (line: only spaces and quote markers since a line
// break, lineBreak), as a mail's reply quotes a line ("> ", ">> ", "> > ") and
// Discord a quote (">>> "). Elsewhere ">" is none ("K7QD>9XMA").
func quoteAt(text string, i int, line bool) bool {
	return line && text[i] == '>'
}

// lineBreak reports whether r ends a line: "\n", "\r", or one of
// Unicode's line breaks, the next line (U+0085), line separator (U+2028)
// and paragraph separator (U+2029), which an investigator is shown as a
// "\n" (Neutralize), so a quote marker after one starts a line too
// ("K7QD-9XMA-\u2028> R2TP-4WZN", quoteAt).
func lineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// invisibleAt reports whether text[i:] starts with an invisible
// character (invisible; no ASCII character is one).
func invisibleAt(text string, i int) bool {
	if text[i] < utf8.RuneSelf {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return invisible(r)
}

// spaceAt reports whether text[i:] starts with a space or a line break
// (a vertical tab and a form feed too, as unicode.IsSpace has them).
func spaceAt(text string, i int) bool {
	if c := text[i]; c < utf8.RuneSelf {
		return c == ' ' || '\t' <= c && c <= '\r'
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsSpace(r)
}

// keycapAt returns how many bytes the keycap at text[i:] takes, a digit,
// "#" or "*" with the combining keycap on it ("1️⃣", a variation
// selector between them or not), where it stands apart: no letter or
// digit right after it. 0 if there is none, or one against what follows
// it, which is a digit of a code written so ("K7QD 1️⃣2️⃣3️⃣4️⃣ …",
// "0X19 7️⃣ZXF …").
func keycapAt(text string, i int) int {
	if c := text[i]; !(c >= '0' && c <= '9' || c == '#' || c == '*') || i+1 >= len(text) || text[i+1] < utf8.RuneSelf {
		return 0 // (most characters: one byte read)
	}
	j := i + 1
	if strings.HasPrefix(text[j:], "\ufe0f") {
		j += len("\ufe0f")
	}
	if !strings.HasPrefix(text[j:], "\u20e3") {
		return 0
	}
	j += len("\u20e3")
	if j < len(text) {
		if r, _, _ := charAt(text, j); isCodeChar(r) {
			return 0
		}
	}
	return j - i
}

// hasKeycap reports whether s holds a keycap (keycapAt, where one stands
// apart, or not).
func hasKeycap(s string) bool {
	return strings.Contains(s, "\u20e3")
}

// marksAt returns how many bytes the combining marks at text[i:] take
// (accents, and enclosing marks such as the circle of "S\u20DD"), and
// whether one is an accent: one that shows and is no enclosing mark
// (variation selectors are marks too, invisible ones; a circle or a
// keycap around a character is no accent of prose, as a circled letter
// is none).
func marksAt(text string, i int) (n int, accent bool) {
	for i+n < len(text) && text[i+n] >= utf8.RuneSelf {
		r, size := utf8.DecodeRuneInString(text[i+n:])
		if r < 0x300 || !mark(r) { // (none before U+0300: "áé" asks no table)
			break
		}
		n, accent = n+size, accent || !invisible(r) && !unicode.Is(unicode.Me, r)
	}
	return n, accent
}

// mark reports whether r is a combining mark that takes no room of its
// own: an accent (Mn) or an enclosing mark (Me).
func mark(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me)
}

// wideChar returns the ASCII letter (upper-case) or digit r reads as,
// r being a character codeChar does not read, whether it reads as one,
// and whether it reads so through an accent. r reads as one where its
// compatibility decomposition (NFKD) is one ASCII letter or digit, with
// combining marks ("Ś", "ǵ": accented) and the brackets or stop of the
// parenthesised forms ("⒜", "⒈") around it: the mathematical letters
// and digits ("𝐒", "𝑺", "𝟕"), circled ("Ⓢ", "⑦"), parenthesised and
// squared ones ("🄢", "🄰"), superscripts. A decimal digit of a script
// after those lookAlikeTable covers reads as its value (laterDigit).
func wideChar(r rune) (c rune, ok, accent bool) {
	var f uint8
	switch {
	case r < latinFoldedLast:
		f = latinFolded[r] // (most accented letters of European prose: no trie to walk)
	case r >= 0x2100 && r < 0x2500:
		f = fancyFolded[r-0x2100] // letterlike symbols to enclosed alphanumerics
	case r >= 0x1D400 && r < 0x1D800:
		f = fancyFolded[r-0x1D400+0x400] // mathematical alphanumerics
	case r >= 0x1F100 && r < 0x1F200:
		f = fancyFolded[r-0x1F100+0x800] // enclosed alphanumeric supplement
	case r >= 0x3400 && r < 0xA000 || r >= 0xAC00 && r < 0xD7A4 || r >= 0x1F000 && r < 0x1F100 || r >= 0x1F200 && r < 0x1FB00:
		// CJK ideographs, Hangul syllables, emoji: no letter or digit
		// (a text of them asks no table).
	default:
		return decomposedChar(r)
	}
	return rune(f &^ 0x80), f != 0, f&0x80 != 0
}

// fancyFolded is decomposedChar of the blocks "fancy text" is drawn
// from (a text of them costs a table read a character, not a walk of
// Unicode's decompositions): U+2100 to U+24FF, U+1D400 to U+1D7FF,
// U+1F100 to U+1F1FF, one after the other.
var fancyFolded = func() (t [0x900]uint8) {
	for i, first := range []rune{0x2100, 0x1D400, 0x1F100} {
		for r := first; r < first+0x400 && i*0x400+int(r-first) < len(t); r++ {
			t[i*0x400+int(r-first)] = foldedByte(r)
		}
	}
	return t
}()

// foldedByte is decomposedChar's answer for r in a byte: the letter or
// digit (0 if none), 0x80 set where through an accent.
func foldedByte(r rune) uint8 {
	c, ok, accent := decomposedChar(r)
	if !ok {
		return 0
	}
	if accent {
		return uint8(c) | 0x80
	}
	return uint8(c)
}

// latinFoldedLast is the first character past latinFolded.
const latinFoldedLast = 0x250

// latinFolded is decomposedChar of the Latin-1 and Latin Extended A and
// B letters: the letter (0 if none), 0x80 set where through an accent.
var latinFolded = func() (t [latinFoldedLast]uint8) {
	for r := rune(utf8.RuneSelf); r < latinFoldedLast; r++ {
		t[r] = foldedByte(r)
	}
	return t
}()

// decomposedChar is wideChar read from Unicode's decompositions, and
// from smallCapitals and turnedLetters, which have none.
func decomposedChar(r rune) (c rune, ok, accent bool) {
	if r >= 0x1F150 && r < 0x1F16A || r >= 0x1F170 && r < 0x1F18A {
		// Negative circled and squared capitals ("🅐", "🅰"): no
		// decomposition, yet letters to a reader, as the circled are.
		return 'A' + (r-0x1F150)%0x20, true, false
	}
	if d, ok := dingbatDigit(r); ok {
		return d, true, false // "❼", "➐", "➒", "⓻": no decomposition, yet digits to a reader
	}
	if r == '\u1D60' {
		// The modifier letter small phi, which "superscript" text
		// generators write for a q (Unicode has no superscript q:
		// "ᴷ⁷ᵠᴰ"), as they write "ᴷ" for a K (which NFKD reads).
		return 'Q', true, false
	}
	if r >= regionalA && r <= regionalA+25 {
		// Regional indicator letters ("🇯🇨🇯🇭", as "emoji letters"
		// sites write): letters to a reader too. Two of them are a
		// flag; receiptCandidates looks up no word of them alone.
		return 'A' + r - regionalA, true, false
	}
	if r == 'Ø' || r == 'ø' || r == '∅' || r == '⌀' {
		// A slashed zero, as people write a zero apart from an O
		// (and a phone's keyboard gives for a long press on O), or
		// its look-alikes the empty set (U+2205) and the diameter sign
		// (U+2300): no decomposition, yet a zero to a reader of a code
		// ("KØTC-…", "K∅TC-…").
		return '0', true, false
	}
	if c, ok := smallCapitals[r]; ok {
		return c, true, false // "ᴋ", "ʀ", "ǫ" (which NFKD reads as an accented O)
	}
	if c, ok := turnedLetters[r]; ok {
		return c, true, false // "ʞ": as it reads turned (NormalizeReceipt reads the code so)
	}
	var buf [utf8.UTFMax]byte
	d := norm.NFKD.Properties(buf[:utf8.EncodeRune(buf[:], r)]).Decomposition()
	if d == nil {
		if r >= laterDigitFirst {
			c, ok = laterDigit(r)
		}
		return c, ok, false
	}
	c = -1
	for j := 0; j < len(d); {
		x, size := utf8.DecodeRune(d[j:])
		j += size
		switch {
		case x >= 'a' && x <= 'z':
			x -= 'a' - 'A'
			fallthrough
		case x >= 'A' && x <= 'Z' || x >= '0' && x <= '9':
			if c >= 0 {
				return r, false, false // "ﬁ", "⑩": two
			}
			c = x
		case x == '(' || x == ')' || x == '.' || x == ',':
		case x >= utf8.RuneSelf && mark(x):
			accent = true
		default:
			return r, false, false
		}
	}
	if c < 0 {
		return r, false, false
	}
	return c, true, accent
}

// dingbatDigit returns the digit r is, r being one of the circled
// digits Unicode gives no decomposition (dingbats and "fancy text":
// negative circled "❶"…"❾", circled and negative circled sans-serif
// "➀"…"➈", "➊"…"➒", "🄋", "🄌", double circled "⓵"…"⓽", negative
// circled zero "⓿"). The tens ("❿", "⓾") are two digits, none.
func dingbatDigit(r rune) (rune, bool) {
	switch {
	case r >= 0x2776 && r <= 0x277E:
		return '1' + r - 0x2776, true
	case r >= 0x2780 && r <= 0x2788:
		return '1' + r - 0x2780, true
	case r >= 0x278A && r <= 0x2792:
		return '1' + r - 0x278A, true
	case r >= 0x24F5 && r <= 0x24FD:
		return '1' + r - 0x24F5, true
	case r == 0x24FF || r == 0x1F10B || r == 0x1F10C:
		return '0', true
	}
	return 0, false
}

// regionalA is the regional indicator letter A (U+1F1E6); Z is 25 after.
const regionalA = 0x1F1E6

// regional reports whether r is a regional indicator letter.
func regional(r rune) bool {
	return r >= regionalA && r <= regionalA+25
}

// hasFlag reports whether s holds a flag: two regional indicator
// letters one right after the other (all of them start with these bytes
// in UTF-8, as do the characters from U+1F1C0 before them, none of them
// a letter, so a text with none asks no more). Apart ("🇦 🇧 🇨 🇩 -
// …", as "emoji letters" sites write a code so that no flag shows),
// they are letters.
func hasFlag(s string) bool {
	for i := strings.Index(s, "\xF0\x9F\x87"); i >= 0 && i+8 <= len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if next, _ := utf8.DecodeRuneInString(s[i+size:]); regional(r) && regional(next) {
			return true
		}
		j := strings.Index(s[i+size:], "\xF0\x9F\x87")
		if j < 0 {
			break
		}
		i += size + j
	}
	return false
}

// flagAt returns how many bytes the flag at text[i:] takes, two
// regional indicator letters one after the other, 0 if there is none.
func flagAt(text string, i int) int {
	if !strings.HasPrefix(text[i:], "\xF0\x9F\x87") {
		return 0
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	next, n := utf8.DecodeRuneInString(text[i+size:])
	if !regional(r) || !regional(next) {
		return 0
	}
	return size + n
}

// halfWidth reads a full-width form (East Asian keyboards) as ASCII.
func halfWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return r
}

// receiptSeparator reports whether r may stand between a code's
// characters: dashes (the minus sign too), spaces, invisible characters,
// and control characters, which investigators are shown as spaces
// (Neutralize): an en dash of Windows-1252 read as Latin-1 is U+0096.
func receiptSeparator(r rune) bool {
	return r == '-' || r == '\u2212' || unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || invisible(r) || unicode.IsControl(r)
}

// invisible reports whether r shows nothing: Unicode's default-ignorable
// characters, the format ones (zero-width spaces and joiners, bidi
// marks, tags) and the others (variation selectors, Mongolian's too, the
// combining grapheme joiner, Hangul fillers), and the Braille blank
// (U+2800, a symbol that shows as a space would not). Within a code they hide
// nothing from a reader (Neutralize drops most of them before an
// investigator reads a tip), so a code is read across them.
func invisible(r rune) bool {
	if r < utf8.RuneSelf {
		return false // (no ASCII character is; most asked of are, and Unicode's tables took 13 % of a flood of short links)
	}
	return r == '\u2800' || unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// groupSeparator reports whether r may stand between a code's groups:
// a receiptSeparator, or the punctuation people put there instead of a
// dash ("ABCD/EFGH/…", "ABCD.EFGH.…", "ABCD, EFGH, …", "ABCD_EFGH_…"),
// a backslash (the bot's own message forwarded back from Discord
// carries its markdown escapes: "ABCD\-EFGH\-…"), or a plus (a space in
// a link's query: "?q=ABCD+EFGH+…"), or any other punctuation that
// wraps no group (wrapChar) and escapes nothing ("%", "&"): bullets and
// middle dots ("ABCD • EFGH • …", "ABCD・EFGH・…"), semicolons,
// ellipses, the ideographic comma and full stop. So are the symbols of
// a keyboard's top row a reporter may put there for a dash ("ABCD~EFGH~…",
// "ABCD*EFGH*…", "ABCD=EFGH=…", "$", "^"), and their full-width forms,
// and the katakana prolonged sound mark a Japanese keyboard gives for
// "-" ("ABCDーEFGHー…", half-width too); the CJK "one" a Chinese or
// Japanese keyboard gives for it, which looks like a dash ("ABCD一EFGH一…",
// its Kangxi radical and stroke forms ⼀ ㇐ too); the superscript and
// subscript minus a "fancy text" site gives for it ("ᴷ⁷ᵠᴰ⁻⁹ˣᴹᴬ⁻…"), and
// its plus and equals sign for "+" and "=" ("ᴷ⁷ᵠᴰ⁺⁹ˣᴹᴬ⁺…"); markdown's backquote
// set between groups as "*" and "~" may be ("ABCD`EFGH`…"); "%" and "&"
// where they escape nothing (separatorAt); and the other characters
// that show as a horizontal line (lineLike). So are an apostrophe,
// straight or typographic ("ABCD'EFGH'…": the key US keyboards have "-"
// on types "'" under the Spanish and Latin American layouts; smart
// punctuation makes it "’"), or one of its look-alikes (apostrophe:
// "ABCD′EFGH′…", "ABCDʼEFGH…"), though it may wrap a group too, and U+FFFD
// (an en dash an app's decoder refused, "ABCD\uFFFDEFGH…"). Not '"', "<"
// or ">": no keyboard types them for a dash; a ">" is one only starting
// a quoted line (separatorsAt), "K7QD->9XMA-…" is no code.
func groupSeparator(r rune) bool {
	return receiptSeparator(r) || strings.ContainsRune("/_.,·∙⋅:|\\+*~=$^ーｰ`一⼀㇐⁻₋⁺₊⁼₌'’\uFFFD", halfWidth(r)) ||
		r != '%' && r != '&' && unicode.IsPunct(r) && !wrapChar(r) || lineLike(r) || apostrophe(r)
}

// lineLike reports whether r, no dash (unicode.Pd, which
// receiptSeparator takes) nor punctuation, shows as a horizontal line,
// or as a stroke or a box's side, as a dash does, and reads as no
// letter or digit: the box-drawing characters and block elements
// ("K7QD─9XMA─…", U+2500, what some keyboards' symbol pages give for a
// dash; "━", "╌", "▁"), the modifier minus, macrons and tilde ("˗", "¯",
// "ˉ", "ˍ", "˜", "￣"), the Hangul vowel EU that a Korean keyboard gives
// for a dash ("ㅡ", U+3161, and its conjoining form, U+1173, which NFKC
// makes of it), the Arabic and N'Ko extenders ("ـ", "ߺ"), the Canadian
// syllabics' short horizontal stroke ("ᐨ") and the musical one-line
// staff ("𝄖"). (TestReceiptLineLikeSeparators walks them with Pd.) Not
// "┴": upside-down text writes it for a T (turnedLetters), also at the
// start of a group ("…-┴H⅄W-…").
func lineLike(r rune) bool {
	if r >= 0x2500 && r < 0x25A0 {
		return r != '┴'
	}
	switch r {
	case 0x00AF, 0x02C9, 0x02CD, 0x02D7, 0x02DC, 0xFFE3, 0x3161, 0x1173, 0x0640, 0x07FA, 0x1428, 0x1D116:
		return true
	}
	return false
}

// LineLike reports whether r, no dash (unicode.Pd) nor punctuation,
// shows as a horizontal line as a dash does ("─", "━", "˜", "ㅡ"): a
// separator between a code's groups as a dash is (lineLike).
func LineLike(r rune) bool { return lineLike(r) }

// separatorAt returns how many bytes the group separator at text[i:]
// takes, 0 if there is none: a groupSeparator, or one percent-escaped as
// in a link ("%2D", "%20", "%E2%80%93"), or a "%" or "&" that escapes
// nothing ("ABCD%EFGH%…"; one that escapes a letter or digit, "%4B",
// "&#75;", is none).
func separatorAt(text string, i int) int {
	if c := text[i]; c < utf8.RuneSelf && c != '%' && c != '&' {
		return int(asciiSeparators[c]) // most of them: no table of Unicode's to search
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	if r == '%' || r == '&' {
		if e, n, escaped := charAt(text, i); escaped {
			if groupSeparator(e) {
				return n
			}
			return 0
		}
		if r == '&' && i+1 < len(text) && (text[i+1] == '#' || text[i+1]|0x20 >= 'a' && text[i+1]|0x20 <= 'z') && (i == 0 || !asciiAlnum(text[i-1:i])) {
			return 0 // (an entity misspelt, "&nbsp 2024", "&#99999999;": a word of prose starts)
		}
		return 1 // (escaping nothing: "ABCD%EFGH%…", "ABCD&EFGH&…")
	}
	if pictograph(r) || groupSeparator(r) {
		return size // (an emoji between groups: "K7QD 🔥 9XMA 🔥 …")
	}
	return 0
}

// asciiSeparators is groupSeparator of the ASCII characters, 1 for each
// that is one.
var asciiSeparators = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		if groupSeparator(rune(c)) {
			t[c] = 1
		}
	}
	return t
}()

// charAt returns the character at text[i:], read through a percent
// escape (escapedRune), the bytes it takes, and whether it was escaped.
func charAt(text string, i int) (rune, int, bool) {
	switch text[i] {
	case '%':
		if r, n := escapedRune(text, i); n > 0 {
			return r, n, true
		}
	case '&':
		if r, n := entityRune(text, i); n > 0 {
			return r, n, true
		}
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	return r, size, false
}

// escapedRune decodes the percent-escaped UTF-8 character at text[i:]
// ("%2D", "%E2%80%93"), each byte escaped once or twice ("%252D", as a
// link quoted within another link's query has it), and returns it with
// the bytes it takes, or 0, 0.
func escapedRune(text string, i int) (rune, int) {
	var buf [utf8.UTFMax]byte
	at := i
	for n := 0; n < len(buf); n++ {
		b, size := escapedByte(text, at)
		if size == 0 {
			return 0, 0
		}
		buf[n], at = b, at+size
		if utf8.FullRune(buf[:n+1]) {
			r, size := utf8.DecodeRune(buf[:n+1])
			if r == utf8.RuneError && size <= 1 {
				return 0, 0
			}
			return r, at - i
		}
	}
	return 0, 0
}

// escapedByte decodes the percent-escaped byte at text[i:], escaped once
// ("%2D") or twice ("%252D": "%25" is the escape of "%"), and returns it
// with the bytes it takes, or 0, 0.
func escapedByte(text string, i int) (byte, int) {
	if i+2 >= len(text) || text[i] != '%' {
		return 0, 0
	}
	hi, lo := unhex(text[i+1]), unhex(text[i+2])
	if hi < 0 || lo < 0 {
		return 0, 0
	}
	if b := byte(hi<<4 | lo); b != '%' || i+4 >= len(text) {
		return b, 3
	}
	if hi, lo := unhex(text[i+3]), unhex(text[i+4]); hi >= 0 && lo >= 0 {
		return byte(hi<<4 | lo), 5
	}
	return '%', 3
}

// unescape decodes the percent escapes in s that escapedRune reads,
// leaving the rest as it is.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '%' || s[i] == '&' {
			if r, n, escaped := charAt(s, i); escaped {
				b.WriteRune(r)
				i += n
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// entityNames are the HTML character references by name that may stand
// in a code, as a page's source or an HTML export has them: spaces and
// dashes between its groups (its letters and digits have no names a
// reporter would meet; "&#75;", "&#x4B;" number them).
var entityNames = map[string]rune{
	"nbsp": '\u00a0', "ensp": '\u2002', "emsp": '\u2003', "thinsp": '\u2009', "ndash": '\u2013', "mdash": '\u2014',
	"minus": '\u2212', "hyphen": '\u2010', "dash": '\u2010', "shy": '\u00ad', "zwj": '\u200d', "zwnj": '\u200c',
	"sol": '/', "period": '.', "lowbar": '_', "verbar": '|', "bsol": '\\', "plus": '+', "colon": ':', "comma": ',',
}

// entityRune decodes the HTML character reference at text[i:]
// ("&#75;", "&#x4B;", "&ndash;": HTML source pasted, or a page's text
// copied from an export that kept them) and returns its character with
// the bytes it takes, or 0, 0. An investigator reads "&#75;7QD-…" as
// "K7QD-…" as surely as a browser does.
func entityRune(text string, i int) (rune, int) {
	j := i + 1
	if j < len(text) && text[j] == '#' {
		j++
		base := 10
		if j < len(text) && (text[j] == 'x' || text[j] == 'X') {
			base, j = 16, j+1
		}
		r, digits := rune(0), 0
		for ; j < len(text) && digits < 7; j, digits = j+1, digits+1 {
			d := unhex(text[j])
			if d < 0 || d >= base {
				break
			}
			r = r*rune(base) + rune(d)
		}
		if digits == 0 || j >= len(text) || text[j] != ';' || r > unicode.MaxRune || !utf8.ValidRune(r) {
			return 0, 0
		}
		return r, j + 1 - i
	}
	end := strings.IndexByte(text[j:min(len(text), j+8)], ';')
	if end <= 0 {
		return 0, 0
	}
	if r, ok := entityNames[text[j:j+end]]; ok {
		return r, end + 2
	}
	return 0, 0
}

// unhex is the value of a hexadecimal digit, or -1.
func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// codeChar returns the ASCII letter or digit r is (upper-case), full-width
// forms, Cyrillic and Greek look-alikes and Arabic digits included, and
// whether it is one. (Short, so that it is inlined: it runs on every character of every
// message.)
func codeChar(r rune) (rune, bool) {
	r = halfWidth(r)
	if r >= lookAlikeFirst && r < lookAlikeFirst+rune(len(lookAlikeTable)) {
		r = rune(lookAlikeTable[r-lookAlikeFirst]) // 0 if it looks like none
	}
	if r >= 'a' && r <= 'z' {
		r -= 'a' - 'A'
	}
	return r, r >= '0' && r <= '9' || r >= 'A' && r <= 'Z'
}

// lookAlikeFirst is the first character lookAlikeTable covers: Greek
// and Cyrillic (U+0370 to U+052F), then the digits of the scripts after
// them to Mongolian's (Arabic's two sets, Devanagari, Bengali, Tamil,
// Thai, Myanmar, Khmer… to U+1819).
const lookAlikeFirst = 0x370

// lookAlikeTable is lookAlikes for capital and small letters, and the
// digit each decimal digit of those scripts is, by character from
// lookAlikeFirst: a table read for codeChar, which a map would slow.
var lookAlikeTable = func() (t [0x181A - lookAlikeFirst]byte) {
	for i := range t {
		r := rune(lookAlikeFirst + i)
		t[i] = byte(lookAlikes[unicode.ToUpper(r)])
		if d := DigitValue(r); d >= 0 {
			t[i] = byte('0' + d)
		}
	}
	return t
}()

// DigitValue is the value of r, a decimal digit of any script (Unicode
// Nd: a code typed on a Hindi, Bengali or Thai keyboard is the code, as
// one typed on an Arabic one; so is a number in a command), or -1. Nd
// digits come in runs of ten, zero first, some set one after another
// (the five sets of mathematical digits, U+1D7CE to U+1D7FF): a digit's
// value is its distance from the first of its run, modulo ten.
func DigitValue(r rune) int {
	if !unicode.Is(unicode.Nd, r) {
		return -1
	}
	// Runs may follow each other (the mathematical digits: five runs
	// from U+1D7CE), so the first of them is found: counted from it,
	// every tenth digit is a zero.
	first := r
	for unicode.Is(unicode.Nd, first-1) {
		first--
	}
	return int(r-first) % 10
}

// lookAlikes maps the Cyrillic and Greek capitals that look like a
// code's Latin letters (a keyboard switched to Russian or Greek, a code
// retyped from a screen, or spelled on purpose to slip past) to those;
// small letters are read as their capitals first (as Latin ones are).
// A Cyrillic or Greek word is thus read as a code-like word only when it
// is made of these and digits, and only a tip's receipt is ever cut
// (CutReceipts asks which are).
var lookAlikes = map[rune]rune{
	// Cyrillic: А В Е К М Н О Р С Т Х, Ѕ І Ј, Ԛ Ԝ, У, З (a 3)
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X',
	'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'Ԛ': 'Q', 'Ԝ': 'W', 'У': 'Y', 'З': '3',
	// Greek: Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P',
	'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	// Not look-alikes but the same digits, as an Arabic keyboard types
	// them: Arabic-Indic (٠ to ٩) and Persian, or Extended Arabic-Indic
	// (۰ to ۹). A code read aloud and typed on one is the code (numbers
	// in commands are read so too).
	'٠': '0', '١': '1', '٢': '2', '٣': '3', '٤': '4', '٥': '5', '٦': '6', '٧': '7', '٨': '8', '٩': '9',
	'۰': '0', '۱': '1', '۲': '2', '۳': '3', '۴': '4', '۵': '5', '۶': '6', '۷': '7', '۸': '8', '۹': '9',
}

// lookAlike reads r, a capital, as the Latin letter it looks like
// (lookAlikes), or the digit it is (DigitValue), or returns it as it is.
func lookAlike(r rune) rune {
	if r < utf8.RuneSelf {
		return r // (none is ASCII: most asked of are, no map to ask)
	}
	if l, ok := lookAlikes[r]; ok {
		return l
	}
	if r >= lookAlikeFirst {
		if d := DigitValue(r); d >= 0 {
			return '0' + rune(d) // as codeChar reads it
		}
	}
	return r
}

// laterDigit returns the ASCII digit r is, a decimal digit of a script
// after those lookAlikeTable covers (Ol Chiki, Meetei Mayek, Tai Tham…,
// the mathematical digits), and whether it is one. codeChar's callers ask
// it where codeChar says no to a character from laterDigitFirst on (a
// call there would keep codeChar from being inlined).
func laterDigit(r rune) (rune, bool) {
	if d := DigitValue(r); d >= 0 {
		return '0' + rune(d), true
	}
	return r, false
}

// laterDigitFirst is the first character past lookAlikeTable.
const laterDigitFirst = lookAlikeFirst + rune(len(lookAlikeTable))

// MaxReceiptCandidates bounds the different codes one lookup asks about
// (a message of number groups has one at every word; a lookup is one
// round trip): a message's code-like words reading as more are asked
// about in several lookups (askKnown), every one of them, so that a
// code after 256 others is still cut. Their number grows with the text,
// as the scan does: past maxReceiptSpans a text's words of two
// characters or more are still read, so a message of 4,096 characters
// of distinct four-character words reads some 820 (4 lookups), 64 kB
// of them some 13,100 (52 lookups; 51 ms against a local Redis, most
// of it the scan).
const MaxReceiptCandidates = 256

// receiptTextMin is the shortest text a receipt code fits in.
const receiptTextMin = 16

// CutReceipts takes out of texts the receipt codes written within them that
// known says are codes of tips: known is asked with every code-like
// word normalised (once for each MaxReceiptCandidates of them: askKnown),
// and answers, for each, whether it is one (words shaped like a code of
// letters alone too, OldReceipt). A code-like word that is no
// receipt stays (a payment reference is evidence). If known fails, texts
// are returned as they are, with its error. A text left with nothing but
// codes (and separators) becomes "". What is left is read again, and cut
// again, while a code is cut (cutRounds): a code cut from between the
// pieces of another ("K7QD-9XMA CODE R2TP-4WZN") leaves it whole.
func CutReceipts(texts []string, known func(codes []string) ([]bool, error)) ([]string, bool, error) {
	return cutRounds(texts, known, cutReceiptsOnce)
}

// maxCutRounds bounds how many times cutRounds reads texts, their first
// reading and what each cut left: a code rebuilt by the cut of another
// from between its pieces is cut (two readings), so is one rebuilt by
// that cut (three), and so on; a code rebuilt by more than three cuts in
// a row, codes nested four deep within each other's pieces, as no one
// pasting a code writes, stays (which exposes only the codes its writer
// nested), so that no text costs more than four readings and lookups.
const maxCutRounds = 4

// cutRounds runs cut, one reading and cut of texts that asks known, on
// texts, then on what it left, while it cuts something, at most
// maxCutRounds times. known is asked about each code once (knownOnce):
// a later reading asks only about the code-like words the cuts made, and
// most find none. If known fails, texts are returned as they are, with
// its error.
func cutRounds(texts []string, known func(codes []string) ([]bool, error), cut func([]string, func([]string) ([]bool, error)) ([]string, bool, error)) ([]string, bool, error) {
	known = knownOnce(known)
	out, cutAny := texts, false
	for range maxCutRounds {
		next, more, err := cut(out, known)
		if err != nil {
			return texts, false, err
		}
		if !more {
			break
		}
		out, cutAny = next, true
	}
	return out, cutAny, nil
}

// knownOnce returns known, asking it only about codes it was not asked
// about before.
func knownOnce(known func(codes []string) ([]bool, error)) func(codes []string) ([]bool, error) {
	answers := map[string]bool{}
	return func(codes []string) ([]bool, error) {
		var ask []string
		for _, c := range codes {
			if _, seen := answers[c]; !seen && !slices.Contains(ask, c) {
				ask = append(ask, c)
			}
		}
		if len(ask) > 0 {
			got, err := known(ask)
			if err != nil {
				return nil, err
			}
			if len(got) != len(ask) {
				return nil, fmt.Errorf("receipt lookup: %d answers for %d codes", len(got), len(ask))
			}
			for i, c := range ask {
				answers[c] = got[i]
			}
		}
		out := make([]bool, len(codes))
		for i, c := range codes {
			out[i] = answers[c]
		}
		return out, nil
	}
}

// cutReceiptsOnce is CutReceipts' reading and cut of texts, once.
func cutReceiptsOnce(texts []string, known func(codes []string) ([]bool, error)) ([]string, bool, error) {
	cands, codes := receiptCandidates(texts)
	if len(codes) == 0 {
		return texts, false, nil
	}
	isCode, err := askKnown(codes, known)
	if err != nil {
		return texts, false, err
	}
	out, cut := cutCandidates(texts, cands, isCode)
	return out, cut, nil
}

// cutCandidates is CutReceipts of texts, their code-like words cands
// (receiptCandidates), isCode saying which of their codes are a tip's.
//
// It runs in time linear in the texts: each text as cut so far is what
// stands before the last code cut in it, as it was written, then what
// was kept after (a cutTail), and a cut reads at most cutReach bytes
// of the latter. Rebuilt whole at each cut, a text of 64 kB of codes
// cost 0.1-0.7 s (BenchmarkCutManyCodes_receipts).
func cutCandidates(texts []string, cands []receiptCandidate, isCode []bool) ([]string, bool) {
	cut := false
	// Cut from the last, each clear of the one cut after it (in its text):
	// of where that one started, and of what was kept before it, which
	// may end within this one (the invisible marks that end it,
	// "…6YQN\ufe0f\u200bK7QD-…", went with the invisible characters
	// before that one). texts[ti][:kept] stands before what was kept
	// after it, tail.
	type cutAt struct {
		start, kept int
		tail        cutTail
		lead        int // (where the text's first character that is no space nor invisible starts; -1 until asked)
		cut         bool
	}
	at := make([]cutAt, len(texts))
	for ti, text := range texts {
		at[ti] = cutAt{start: len(text), kept: len(text), lead: -1}
	}
	for i := len(cands) - 1; i >= 0; i-- {
		ti, sp := cands[i].text, cands[i].span
		text, c := texts[ti], &at[ti]
		if !isCode[cands[i].code] || sp[1] > c.start {
			continue
		}
		if sp[0] >= c.kept {
			// Gone with what was taken around the one cut after it: a
			// fenced block's opening line, its language a code
			// ("```CODE\nCODE\n```"). What stands from c.kept on is no
			// longer the text it was read in.
			continue
		}
		// What stands after it: the text up to what was kept before
		// the one cut after it, then what was kept after that one, of
		// which cutReach bytes are read (past them, ended with a
		// character that reads as none: cutEnd).
		front, more := c.tail.front(cutReach)
		window := text[min(sp[1], c.kept):c.kept] + front
		if more {
			window += cutEnd
		}
		// Invisible characters written around it go with it ("código
		// \u200bCODE\u200b fin" would keep "código \u200b\u200b fin").
		before := strings.TrimRightFunc(text[:sp[0]], invisible)
		after := strings.TrimLeftFunc(window, invisible)
		if h := cands[i].hole; h[1] <= h[0] {
			// Wrapped whole ("mi código 'CODE' gracias", "(CODE)",
			// "**CODE**"): its wrappers go with it, as those of a code
			// with each of its groups wrapped do (wrappedAt), not left
			// as an empty pair that shows where something was cut.
			before, after = unwrapCut(before, after)
		}
		if h := cands[i].hole; h[1] > h[0] {
			// Before a link and within it: the link's address stays
			// ("es K7QD-9XMA-R2TP https://x.com/?c=4WZN y" reads "es
			// https://x.com/?c= y").
			// (Invisible characters that end its first piece go with
			// it: "…R2TP❤\ufe0f https://…".)
			hole := text[min(h[0], c.kept):min(h[1], c.kept)]
			if h[1] > c.kept {
				// (The hole runs on into what was kept after the one
				// cut after it.)
				f, _ := c.tail.front(h[1] - c.kept)
				hole += f[max(h[0], c.kept)-c.kept:]
			}
			hole = strings.TrimLeftFunc(hole, invisible)
			if strings.HasPrefix(hole, " ") || strings.HasPrefix(hole, "\n") {
				before = strings.TrimRight(before, " ")
			}
			after = hole + after
		}
		if strings.HasSuffix(before, " ") && (after == "" || strings.IndexByte(" ,.;:!?)", after[0]) >= 0) {
			before = before[:len(before)-1] // "es CODE y" reads "es y", "es CODE, y" "es, y"
		}
		if c.lead < 0 {
			c.lead = len(text) - len(strings.TrimLeftFunc(text, spaceOrInvisible))
		}
		if len(before) <= c.lead {
			// At the text's start: what is kept after it starts the
			// text, no space before it ("CODE https://x.com/?c=4WZN y"
			// reads "https://x.com/?c= y", not " https://…").
			before, after = "", strings.TrimLeftFunc(after, spaceOrInvisible)
		}
		if more {
			after = strings.TrimSuffix(after, cutEnd)
		}
		c.tail.replaceFront(len(front), after)
		c.start, c.kept, c.cut, cut = sp[0], len(before), true, true
	}
	out := slices.Clone(texts)
	for ti, c := range at {
		if !c.cut {
			continue
		}
		out[ti] = texts[ti][:c.kept] + c.tail.String()
		if !strings.ContainsFunc(out[ti], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			out[ti] = "" // "CODE, CODE": nothing but the codes
		}
	}
	return out, cut
}

// cutReach bounds how much a cut reads (cutCandidates) of what was kept
// after the code cut after it: the spaces, invisible characters,
// closers and fences unwrapCut and unfenceCut take after a code, and
// the character after them. Past it, what was kept reads as ending with
// cutEnd: a code with more than that of them between it and its closer,
// past another code ("( CODE CODE <600 spaces> )"), is cut, and its
// wrappers stay ("( )"), as inAddress reads no further than its reach.
const cutReach = 512

// cutEnd stands, in what a cut reads after a code, for what was kept
// past cutReach: a character no text holds, which ends every run of
// spaces, invisible characters or closers and wraps nothing.
const cutEnd = "\x00"

// cutTail is what was kept after the last code cut in a text, its
// pieces last first (each cut puts one in front), n bytes in all.
type cutTail struct {
	pieces []string
	n      int
}

// front returns up to most bytes from the start of t, and whether t
// goes on past them.
func (t *cutTail) front(most int) (string, bool) {
	var b strings.Builder
	for i := len(t.pieces) - 1; i >= 0 && b.Len() < most; i-- {
		p := t.pieces[i]
		b.WriteString(p[:min(len(p), most-b.Len())])
	}
	return b.String(), t.n > b.Len()
}

// replaceFront puts s in place of the first n bytes of t.
func (t *cutTail) replaceFront(n int, s string) {
	t.n += len(s) - n
	for n > 0 {
		last := len(t.pieces) - 1
		if p := t.pieces[last]; len(p) > n {
			t.pieces[last] = p[n:]
			break
		}
		n -= len(t.pieces[last])
		t.pieces = t.pieces[:last]
	}
	if s != "" {
		t.pieces = append(t.pieces, s)
	}
}

// String returns t's pieces joined.
func (t *cutTail) String() string {
	var b strings.Builder
	b.Grow(t.n)
	for i := len(t.pieces) - 1; i >= 0; i-- {
		b.WriteString(t.pieces[i])
	}
	return b.String()
}

// unwrapCut takes off the end of before and the start of after the
// wrappers they hold around what was cut between them: each opener
// (wrapOpener) at before's end with a closer of it (wrapCloses: any
// quotation mark closes any, as keyboards pair them, "„CODE”") at
// after's start, innermost first ("**[" and "]**"). Spaces just inside
// the innermost, as French typography puts inside guillemets ("« CODE
// »", no-break spaces as often as not) and reporters inside brackets
// ("( CODE )"), go too, where it is a bracket or a quotation mark that
// stands against no letter or digit outside (not markdown's "|" of a
// table's cells, "| a | CODE | b |", nor quotation marks that close a
// word before and open one after, "'hola' CODE '¿adiós?'"). An opener
// alone, or one closed by another's partner, stays; so do wrappers with
// a letter or digit against them on both sides, which join words rather
// than wrap one ("juan_CODE_x" keeps "juan__x", not "juanx"). An
// apostrophe that elides a word against the code ("l'CODE'") is that
// word's, and stays (elision). Within a link's address, brackets and
// quotes around the code stay ("https://x.example/wiki/Caso_(CODE)",
// "…/a/[CODE]/b"): the address is evidence, and keeps its shape less the
// code ("…/wiki/Caso_()", "…/a/[]/b"), not its characters run together
// into another address ("…/wiki/Caso_", "…/a//b"). Markdown's markers
// there go as elsewhere ("?c=_CODE_" reads "?c=").
func unwrapCut(before, after string) (string, string) {
	if r := lastRune(before); (quoteMark(r) || wrapPartner(r) != r) && inAddress(before) {
		return before, after
	}
	if b, a, ok := unfenceCut(before, after); ok {
		return b, a
	}
	b, a := before, after
	if sb, sa := strings.TrimRightFunc(b, wrapSpace), strings.TrimLeftFunc(a, wrapSpace); sb != b && sa != a {
		r, n := utf8.DecodeLastRuneInString(sb)
		c, m := utf8.DecodeRuneInString(sa)
		if n > 0 && m > 0 && wrapOpener(r) && (quoteMark(r) || wrapPartner(r) != r) && wrapCloses(r, c) &&
			!alnumRune(lastRune(sb[:len(sb)-n])) && !alnumRune(firstRune(sa[m:])) {
			b, a = sb, sa
		}
	}
	for {
		r, n := utf8.DecodeLastRuneInString(b)
		c, m := utf8.DecodeRuneInString(a)
		if n == 0 || m == 0 || !wrapOpener(r) || !wrapCloses(r, c) {
			break
		}
		if elision(b[:len(b)-n], r) {
			// "l'CODE'", "dell’CODE’": the apostrophe against the
			// letter before it is the article's, and stays ("l'
			// gracias", as "l'CODE gracias" reads); the closer goes,
			// unless a word goes on after it ("l'CODE's" keeps
			// "l''s", as the check below keeps words joined).
			if !alnumRune(firstRune(a[m:])) {
				a = a[m:]
			}
			break
		}
		b, a = b[:len(b)-n], a[m:]
	}
	if b != "" && a != "" && alnumRune(lastRune(b)) && alnumRune(firstRune(a)) {
		return before, after
	}
	return b, a
}

// addressReach is how far back inAddress reads for a link's start.
const addressReach = 512

// inAddress reports whether the end of before is within a link's
// address: its last word (what follows its last space) holds a scheme's
// "://" or starts with "www.". Only the last addressReach bytes are read:
// it is asked once a code cut, and a long run of wrapped codes in one
// word would otherwise be read back over once each, quadratic time;
// past that reach a word is taken as not an address (its wrappers go
// with the code, as they did before addresses were told apart). "www."
// is told in any case by its first four bytes, not by the word written
// in small letters, a copy of up to addressReach bytes at each cut
// (BenchmarkCutManyCodes_receipts).
func inAddress(before string) bool {
	if len(before) > addressReach {
		before = before[len(before)-addressReach:]
	}
	word := before[strings.LastIndexFunc(before, unicode.IsSpace)+1:]
	if len(word) < 4 {
		return false
	}
	return strings.Contains(word, "://") || strings.EqualFold(word[:4], "www.")
}

// unfenceCut takes off the end of before and the start of after a
// fenced code block's lines (markdown's, Discord's: "```", "~~~", a
// language after the opening fence or not) around what was cut between
// them, where that stood alone in it ("```\nCODE\n```"): the
// investigator reads what was around the block, not an empty fence. It
// reports whether it did; a block that holds more than what was cut
// stays.
func unfenceCut(before, after string) (string, string, bool) {
	b := strings.TrimRight(before, " \t\r")
	if !strings.HasSuffix(b, "\n") {
		return before, after, false
	}
	b = b[:len(b)-1]
	line := b[strings.LastIndexByte(b, '\n')+1:]
	fence := strings.TrimRight(strings.TrimLeft(line, " "), "\r")
	if len(fence) < 3 || fence[0] != '`' && fence[0] != '~' {
		return before, after, false
	}
	ticks := fence[:len(fence)-len(strings.TrimLeft(fence, fence[:1]))]
	if len(ticks) < 3 || strings.ContainsAny(fence[len(ticks):], " \t`~") {
		return before, after, false // (a language's name, one word, or nothing)
	}
	a := strings.TrimLeft(after, " \t\r")
	if !strings.HasPrefix(a, "\n") {
		return before, after, false
	}
	a = strings.TrimLeft(a[1:], " ")
	if !strings.HasPrefix(a, ticks) {
		return before, after, false
	}
	a = strings.TrimLeft(a[len(ticks):], ticks[:1])
	b = b[:len(b)-len(line)]
	if strings.HasSuffix(b, "\n") && strings.HasPrefix(a, "\n") {
		a = a[1:] // "mira:\n```…```\ngracias" reads "mira:\ngracias"
	}
	if strings.TrimSpace(a) == "" {
		b, a = strings.TrimRightFunc(b, unicode.IsSpace), "" // at the text's end
	}
	return b, a, true
}

// elision reports whether r, an opener that stands at the end of
// before, is an apostrophe that ends a word elided against the next, as
// French, Italian and Catalan write their articles, pronouns and
// conjunctions ("l'", "d'", "qu'", "dell’", "un'", "quand'"): an
// apostrophe, or one of its look-alikes ("lʼ", "l´": apostrophe), right
// after one of elidedWords, whole (a letter before it ends that word).
// Any other word glued to a quoted code ("codigo'CODE'", "recibo’CODE’")
// is no elision: its quotes go whole with the code, as after a space or
// with double quotes ("codigo\"CODE\"" reads "codigo").
func elision(before string, r rune) bool {
	if !apostrophe(r) {
		return false
	}
	// (The word starts after the last character that is no letter,
	// which may take more than a byte: "«l'CODE'»", "—d’CODE’".)
	start := 0
	if j := strings.LastIndexFunc(before, func(c rune) bool { return !unicode.IsLetter(c) }); j >= 0 {
		_, n := utf8.DecodeRuneInString(before[j:])
		start = j + n
	}
	if start == len(before) || len(before)-start > maxElidedWord {
		return false
	}
	return elidedWords[strings.ToLower(before[start:])]
}

// elidedWords are the words French, Italian and Catalan write elided,
// their last vowel an apostrophe, against a word that starts with a vowel
// (a code may: "l'ABCD-…"), in small letters.
var elidedWords = map[string]bool{
	// French (and Catalan, the first seven)
	"l": true, "d": true, "m": true, "n": true, "s": true, "t": true, "c": true,
	"j": true, "qu": true, "jusqu": true, "lorsqu": true, "puisqu": true,
	"quoiqu": true, "quelqu": true, "presqu": true,
	// Italian
	"un": true, "v": true, "gl": true, "dell": true, "nell": true, "all": true,
	"dall": true, "sull": true, "coll": true, "pell": true, "degl": true,
	"negl": true, "dagl": true, "sugl": true, "quell": true, "quest": true,
	"bell": true, "sant": true, "anch": true, "com": true, "dov": true,
	"cos": true, "tutt": true, "mezz": true, "senz": true, "nessun": true,
	"ciascun": true, "buon": true, "grand": true, "ch": true,
	"quand": true, "dev": true, "ov": true, "quant": true, "tant": true,
	"nient": true, "qualcun": true, "alcun": true, "sott": true,
}

// maxElidedWord is the longest of elidedWords, in bytes: taken from
// them, so that a word added longer than the others is not passed over.
var maxElidedWord = func() (n int) {
	for w := range elidedWords {
		n = max(n, len(w))
	}
	return n
}()

// wrapSpace reports whether r is a space that may stand just inside a
// wrapper (unwrapCut): any of Unicode's, the no-break ones French puts
// inside guillemets among them; no line break.
func wrapSpace(r rune) bool { return unicode.Is(unicode.Zs, r) }

// alnumRune reports whether r is a letter or a digit.
func alnumRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// lastRune and firstRune return s's last and first characters
// (utf8.RuneError if s is empty).
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// ReplaceReceipts writes every code-like word of text (a receipt or
// invitation code, maybe, as ReceiptSpans finds them, in any of the forms
// NormalizeReceipt reads) as with returns for its normalised code. Every
// one, however many, as nothing is looked up here.
func ReplaceReceipts(text string, with func(code string) string) string {
	spans := ReceiptSpans(text)
	end := len(text)
	for i := len(spans) - 1; i >= 0; i-- {
		sp := spans[i]
		if sp[1] > end {
			continue // overlaps the one replaced after it
		}
		if code, ok := NormalizeReceipt(text[sp[0]:sp[1]]); ok {
			text, end = text[:sp[0]]+with(code)+text[sp[1]:], sp[0]
		}
	}
	return text
}

// ReplaceKnownReceipts writes the code-like words of text that known says
// are codes of tips, words shaped like a code of letters alone too
// (OldReceipt, which ReplaceReceipts leaves, as it looks nothing up), as
// with returns for the normalised code. known is asked as
// CutReceipts asks it; if it fails, text is returned as it is, with its
// error.
func ReplaceKnownReceipts(text string, known func(codes []string) ([]bool, error), with func(code string) string) (string, error) {
	cands, codes := receiptCandidates([]string{text})
	if len(codes) == 0 {
		return text, nil
	}
	isCode, err := askKnown(codes, known)
	if err != nil {
		return text, err
	}
	end := len(text)
	for i := len(cands) - 1; i >= 0; i-- {
		c := cands[i]
		if !isCode[c.code] || c.span[1] > end {
			continue // no tip's, or overlaps the one replaced after it
		}
		if c.hole[1] > c.hole[0] {
			// Before a link and within it (linkSpans): the link's
			// address stays, the code written where it starts.
			text, end = text[:c.span[0]]+with(codes[c.code])+text[c.hole[0]:c.hole[1]]+text[c.span[1]:], c.span[0]
			continue
		}
		text, end = text[:c.span[0]]+with(codes[c.code])+text[c.span[1]:], c.span[0]
	}
	return text, nil
}

// receiptCandidate is a code-like word's place: which text, and where,
// and which of the codes looked up it reads as.
type receiptCandidate struct {
	text int
	span [2]int
	code int
	// hole, within span, is what stands between the pieces of a code
	// written before a link and within it (linkSpans): the link's
	// address up to the code's last piece, kept.
	hole [2]int
}

// pieces returns the byte ranges of the code c reads as: its span, or
// the span less its hole.
func (c receiptCandidate) pieces() [][2]int {
	if c.hole[1] <= c.hole[0] {
		return [][2]int{c.span}
	}
	return [][2]int{{c.span[0], c.hole[0]}, {c.hole[1], c.span[1]}}
}

// OldReceipt reports whether code, a normalised receipt code, is of
// letters alone, as one in 400 drawn before NewReceipt put a digit in
// every code: words can be shaped like one ("esta casa para mama"), so it
// is a code only when a tip has it, never assumed one while that cannot
// be asked.
func OldReceipt(code string) bool {
	return !strings.ContainsAny(code, "0123456789")
}

// maxReceiptSpans bounds the code-like words receiptCandidates reads in
// one text, each read again and normalised: a message of 4,096
// characters written as words holds at most 820 ("AB12 AB12 …"), and
// only one written a character at a time has more, one at each
// character ("Ⓐ ① Ⓐ ① …", "A🔥A🔥…", "A\u200bA\u200b…"), each of
// them read sixteen characters on: some 2,000 of them cost 17 ms, a
// draft of 20,000 characters joined (CutReceiptsAcross) 95 ms. Past
// the bound, the scan goes on to the text's end reading every word of
// two characters or more, the first maxLoneReads words of one character
// (loneCodeChar) of each run of them, and of the others those whose text
// repeats, with a short period, none read just before (repeatsRead),
// maxLoneSpans of them: every code with two of its characters against
// each other, as it is shown, typed or pasted, is still read, in 4,096
// characters or 64 kB of such a flood, and so is one written a
// character at a time after the flood or within it ("mi código es K 7
// Q D …", "A 1 A 1 K 7 Q D …", "K\u200b7\u200b…"), as it is without
// one. A flood that repeats ("A 1 A 1 …") is read no further than the
// bound, but within loneReach periods of where its repeat breaks (the
// parts of a draft joined); one of words of one character that repeat
// nothing ("Q W E R T Y …") up to maxLoneSpans more: in a text longer
// than a message, a code spelled out within such a flood past them is
// not read (after it, after a word of two characters, it is).
const maxReceiptSpans = 1024

// candidatesRead is told each time receiptCandidates reads texts
// (tests: how often a message is read).
var candidatesRead = func() {}

// wordNormalized is told each code-like word receiptCandidates
// normalises (tests: a word read again is normalised once).
var wordNormalized = func(word string) {}

// receiptCandidates returns the code-like words of texts and the codes
// they read as (those of letters alone too: OldReceipt), each code once
// (a message of the same plate number over and over is one code):
// codes with a digit first, as every code drawn now has one, then of
// letters alone (a run of four-letter words must not crowd a code out
// of the first lookup, askKnown, once MaxReceiptCandidates fill it). Past
// maxReceiptSpans code-like words of a text, of the words of one
// character only some are read (receiptSpansBefore).
func receiptCandidates(texts []string) ([]receiptCandidate, []string) {
	return readCandidates(texts, nil)
}

// joinedCandidates is receiptCandidates of texts joined (joinParts),
// each of them read there as it is read alone (receiptSpansInParts).
func joinedCandidates(texts []string) ([]receiptCandidate, []string) {
	return readCandidates([]string{joinParts(texts)}, partStarts(texts))
}

// partStarts returns where each of texts that is not empty starts in
// their join (joinParts).
func partStarts(texts []string) []int {
	var starts []int
	at := 0
	for _, t := range texts {
		if t == "" {
			continue
		}
		if len(starts) > 0 {
			at += len(partSeparator)
		}
		starts = append(starts, at)
		at += len(t)
	}
	return starts
}

// readCandidates is receiptCandidates; with parts, texts is one text,
// texts joined, and parts where each starts in it (receiptSpansInParts).
func readCandidates(texts []string, parts []int) ([]receiptCandidate, []string) {
	candidatesRead()
	type found struct {
		receiptCandidate
		code string
		old  bool
	}
	var all []found
	type normalized struct {
		code      string
		ok, digit bool
	}
	var norms map[string]normalized // (the different words read)
	for ti, text := range texts {
		if len(text) < receiptTextMin {
			continue
		}
		spans := scanReceipts(text, true, len(text), maxReceiptSpans, parts, nil)
		all = slices.Grow(all, len(spans))
		for _, sp := range spans {
			// The same word read again ("x/1 ? x/1 ? …" from each of its
			// characters, a flood of one link, "AB12 AB12 …") is
			// normalised and read again once: codeAt reads nothing
			// before the word, nor after it (up to its end: gluedAt's
			// is no word's).
			word := text[sp[0]:sp[1]]
			n, seen := norms[word]
			if !seen {
				wordNormalized(word)
				n.code, n.ok = NormalizeReceipt(word)
				if n.ok {
					_, _, n.digit = codeAt(word, 0)
				}
				if norms == nil {
					norms = map[string]normalized{}
				}
				norms[word] = n
			}
			code, ok, digit := n.code, n.ok, n.digit
			if !ok {
				continue
			}
			shown := !digit && !OldReceipt(code) && shownWithLetters(text[sp[0]:sp[1]])
			if !digit && !OldReceipt(code) && !shown {
				continue // letters read as digits ("LOCO" is "10C0"): no code of either form
			}
			if !digit && hasFlag(text[sp[0]:sp[1]]) {
				continue // flags ("🇲🇽🇨🇦 🇧🇷🇦🇷 …"), no code drawn since every code held a digit
			}
			all = append(all, found{receiptCandidate{ti, sp, -1, [2]int{}}, code, !digit})
		}
		if !strings.ContainsAny(text, "/?=#") {
			continue // no link: most messages
		}
		var linked []found
		for _, l := range linkSpans(text) {
			linked = append(linked, found{receiptCandidate{ti, l.span, -1, l.hole}, l.code, false})
		}
		if len(linked) > 0 {
			all = append(all, linked...)
			slices.SortStableFunc(all, func(a, b found) int {
				return cmp.Or(cmp.Compare(a.text, b.text), cmp.Compare(a.span[0], b.span[0]))
			})
		}
	}
	var codes []string
	index := map[string]int{}
	for _, old := range []bool{false, true} {
		for i, f := range all {
			if f.old != old {
				continue
			}
			n, seen := index[f.code]
			if !seen {
				n, index[f.code], codes = len(codes), len(codes), append(codes, f.code)
			}
			all[i].receiptCandidate.code = n
		}
	}
	cands := make([]receiptCandidate, len(all)) // in the texts' order, as CutReceipts cuts them
	for i, f := range all {
		cands[i] = f.receiptCandidate
	}
	return cands, codes
}

// shownWithLetters reports whether s is a receipt code written as one is
// shown ("ABCD-EFGH-JKMN-PQRO"): four groups of four capitals or digits
// of the code's alphabet, or O, I or L typed for its 0 and 1 (as one
// copying it by hand does), parted by dashes, nothing else. No typed
// digit makes such a code look like one; its shape does, which prose
// does not take (its words are not all of four letters, in capitals,
// joined by dashes). Only a lookup makes it a code: it is read after
// the codes with a digit (receiptCandidates), so that a run of them
// crowds none of those out.
func shownWithLetters(s string) bool {
	if len(s) != receiptLen+3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i%5 == 4 {
			if s[i] != '-' {
				return false
			}
		} else if c := s[i]; !strings.ContainsRune(receiptAlphabet, rune(c)) && c != 'O' && c != 'I' && c != 'L' {
			return false
		}
	}
	return true
}

// linkSpan is a code written in two pieces, the first before a link
// and the last within it (linkSpans).
type linkSpan struct {
	span, hole [2]int
	code       string
}

// linkReach bounds how far before a link its first piece is read, and
// how long its rest within the address may be.
const linkReach = 256

// linkViewRead is told each text linkSpans reads a code across a link
// in (tests: what a long address costs).
var linkViewRead = func(view string) {}

// linkStartRead is told each reading linkSpans makes across a link
// (tests: how many a long address costs).
var linkStartRead = func() {}

// linkReadBack is told how many bytes before a link linkSpans reads
// back from it where their number depends on the text (linkStarts'
// scan, markedPieceEnd's runs of spaces) (tests: what a text of many
// links costs).
var linkReadBack = func(n int) {}

// linkSpans finds receipt codes written in two pieces, the first at the
// end of the words before a link (an address: a word holding "/", "?",
// "=" or "#"), the rest within it, after one of its "/", "?", "=", "&",
// "#", ":" or "+" ("mi código K7QD-9XMA-R2TP https://x.com/?c=4WZN", or
// a link hidden behind words, its address put after the text): an
// investigator reads the two together. The address up to the last
// piece is the hole, kept. Only a code holding a digit, as every code
// drawn now does: four-letter words before a link's are prose.
func linkSpans(text string) []linkSpan {
	var out []linkSpan
	var buf []linkStart // (linkStarts', for each link)
	var across map[linkAcross][]linkRead
	for from := 0; from < len(text); {
		// The next word holding "/", "?", "=" or "#" (as spaces and
		// invisible characters part words: a link's address put after
		// a text is parted from it so), found by those: reading every
		// word of a text for them cost it twice what the rest does.
		k := strings.IndexAny(text[from:], "/?=#")
		if k < 0 {
			break
		}
		ts, te := from+k, from+k
		for ts > from {
			r, size := utf8.DecodeLastRuneInString(text[from:ts])
			if spaceOrInvisible(r) {
				break
			}
			ts -= size
		}
		if n := strings.IndexFunc(text[te:], spaceOrInvisible); n >= 0 {
			te += n
		} else {
			te = len(text)
		}
		from = te
		if !pieceStartIn(text, ts, te) {
			// No letter or digit a code's rest may start with after any
			// of its "/", "?", …: nothing to read across it. "? ? ? …"
			// and "A1? A1? …", each word holding "?", read the words
			// before each again (the whole text back over "? ? …": 0.6 s
			// for 4 kB, minutes for 64 kB); now only up to the last
			// word that has one (where the separators end).
			continue
		}
		before := strings.TrimRightFunc(text[:ts], spaceOrInvisible)
		if before == "" {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(before); pieceCloser(r) {
			// The piece set off as markdown's code or bold, or in
			// brackets or quotes ("`K7QD-9XMA-R2TP` https://…?c=4WZN",
			// "<K7QD-9XMA-R2TP>", "《K7QD-9XMA-R2TP》"), or in Spanish
			// question or exclamation marks ("¿K7QD-9XMA-R2TP?"), spaces
			// just inside the marks or not ("( K7QD-9XMA-R2TP )"): read
			// up to its last letter or digit.
			end := markedPieceEnd(before)
			if end < 0 {
				// One group so set off before an address holding the
				// three others as shown ("`K7QD` https://x/?c=9XMA-R2TP-4WZN",
				// "(ddgq) …"), as one not set off is read (oneShownGroup).
				if end = markedGroupEnd(before); end >= 0 && !shownRestIn(text[:te], ts) {
					end = -1
				}
			}
			if end >= 0 {
				before = before[:end]
			} else if closerAlone(before) {
				// A closing bracket that nothing before opens ends a
				// sentence ("…R2TP) https://…"): the piece ends before
				// it, kept with the link.
				before = strings.TrimRightFunc(before, closingBracket)
			} else if wrapChar(r) {
				continue // "(2024) https://…", "**Urgente** https://…"
			}
			// (A "?" or "!" that no "¿" or "¡" opens ends a sentence:
			// read on, as other punctuation is, below.)
		}
		piece := before     // (what ends in a piece of a code, if anything does)
		kept := len(before) // (where the hole starts: what is cut before the link ends)
		if r, _ := utf8.DecodeLastRuneInString(before); pictograph(r) {
			// An emoji between its groups ("K7QD 🔥 9XMA 🔥 R2TP 🔥",
			// then the link): the piece ends before it. Not after
			// prose ("mira 👉 https://…"), which is not read across.
			piece = strings.TrimRightFunc(before, func(r rune) bool { return pictograph(r) || receiptSeparator(r) })
			if r, _ := utf8.DecodeLastRuneInString(piece); !isCodeChar(r) {
				continue
			}
		} else if mark(r) {
			// An accent on the piece's last character ("…R2TṔ", as
			// accents on every character put one): the character's.
			if l, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(before, mark)); !isCodeChar(l) {
				continue
			}
		} else if !receiptSeparator(r) && !isCodeChar(r) {
			// Punctuation that ends a sentence, after a piece
			// ("K7QD-9XMA-R2TP? https://…?c=4WZN", "…R2TP. https://…",
			// "…R2TP: https://…"), parts it from the rest as a
			// separator between its groups would (groupSeparator): the
			// piece ends before it. After a word that is none
			// ("…gracias: https://…"), no piece of a code is before it.
			if !groupSeparator(r) {
				continue
			}
			piece = strings.TrimRightFunc(before, groupSeparator)
			if closerAlone(piece) {
				// A closing bracket that nothing before opens, then the
				// punctuation ("…R2TP). https://…"): the piece ends
				// before both, as before either alone, and is read so.
				piece = strings.TrimRightFunc(piece, closingBracket)
				before = piece
			} else if r, _ := utf8.DecodeLastRuneInString(piece); pieceCloser(r) {
				// A piece set off by marks, then the punctuation ("( K7QD )
				// ( 9XMA ) ( R2TP ). https://…", "(K7QD) (9XMA) (R2TP).
				// https://…"): read as without the punctuation, up to its
				// last letter or digit (markedPieceEnd), its marks cut
				// with it (groupCloserAt).
				if end := markedPieceEnd(piece); end >= 0 {
					piece = piece[:end]
					before = piece
				}
			}
			if l, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(piece, mark)); !isCodeChar(l) {
				continue
			}
			kept = len(piece) // (the sentence's punctuation stays)
		}
		ws := 0
		if len(before) > linkReach {
			ws = len(before) - linkReach
			if j := strings.IndexAny(before[ws:], " \n"); j >= 0 {
				ws += j + 1
			} else {
				continue
			}
		}
		// One group in small letters before an address holding the
		// three others as shown ("ddgq https://x/?c=wqpo-prc1-cq8z")
		// is a code's first (oneShownGroup); other words so ended are
		// prose ("… en efectivo o a https://…"), no reading.
		tail := piece[min(ws, len(piece)):]
		oneGroup := oneShownGroup(tail) && shownRestIn(text[:te], ts)
		if !oneGroup && !mayEndCodeLikePiece(tail) {
			continue
		}
		// The words before the link are read once (linkStarts): where
		// a code may start in them and still reach into the address,
		// as few as fifteen code characters before it. Reading all of
		// them again from each "/" of a long address cost 250 ms.
		// The view starts where that scan does (linkScanFrom), not
		// linkReach back: a copy of linkReach bytes for each link of
		// "A1) x/A/1 A1) …" was 51 times the text.
		from := linkScanFrom(before[ws:], len(before)-ws)
		linkReadBack(len(before) - ws - from)
		ws += from
		join := len(before) - ws
		// A link read as one before it was (the same words before it,
		// the same rest of its address: "? x/1 ? x/1 …", each word a
		// link's) reads the same codes (linkAcross): read once, not
		// scanned and read again at each (the floods of such links
		// cost 24-66 times prose).
		words, codes := before[ws:], addressCodes(text[ts:te])
		var starts []linkStart
		scanned := false
		var reads map[linkRest][]linkRead
		for at := ts + 1; at < te; at++ {
			p, ok := pieceStart(text, at, te)
			if !ok {
				continue
			}
			// The address read as far as a code's rest may reach, and
			// as far again so that where that rest ends reads as in
			// the whole address: reading all of it from each of its
			// "/" made a long one ("/a/a/a…", 4 kB) cost seconds.
			rest, cut := text[p:te], false
			if len(rest) > 2*linkReach {
				rest, cut = rest[:2*linkReach], true
			}
			// An address over and over ("/a/a/a…", "?x=1&x=1&…") reads
			// the same from each of its "/": read once.
			key := linkRest{rest, cut}
			found, seen := reads[key]
			whole := linkAcross{words, oneGroup, codes, key}
			if !seen {
				found, seen = across[whole]
			}
			if !seen {
				if !scanned {
					starts, scanned = linkStarts(buf, words+partSeparator, join, oneGroup, codes), true
					buf = starts
				}
				if len(starts) == 0 {
					break // (no reading reaches the link)
				}
				found = readAcross(words+partSeparator+rest, join, starts, cut)
				if len(across) < maxLinksAcross {
					if across == nil {
						across = map[linkAcross][]linkRead{}
					}
					across[whole] = found
				}
			}
			if len(reads) < maxLinkRests {
				if reads == nil {
					reads = map[linkRest][]linkRead{}
				}
				reads[key] = found
			}
			for _, f := range found {
				if len(out) == maxLinkSpans {
					return out
				}
				out = append(out, linkSpan{
					span: [2]int{ws + f.span[0], p + f.span[1] - join - len(partSeparator)},
					hole: [2]int{kept + groupCloserAt(text, kept, f.open), p},
					code: f.code,
				})
			}
		}
	}
	return out
}

// pieceStart returns where a code's piece within a link's address, the
// word text[:te], may start after its byte at-1 (linkSpans): after one
// of its "/", "?", "=", "&", "#", ":" or "+", and up to maxPieceMarks
// marks setting it off ("?c=_4WZN_", "#(4WZN)", "/-4WZN",
// "?c=___4WZN___", "?c=«4WZN»", "?c=%5F4WZN": pieceMarkAt), its first
// letter or digit; false if none starts there.
func pieceStart(text string, at, te int) (int, bool) {
	if strings.IndexByte("/?=&#:+", text[at-1]) < 0 {
		return 0, false
	}
	p := at
	for k := 0; p < te && k < maxPieceMarks; k++ {
		n := pieceMarkAt(text[:te], p)
		if n == 0 {
			break
		}
		p += n
	}
	if p >= te {
		return 0, false // (the address ends in its marks: "…/2024 https://youtu.be/.")
	}
	r, _, _ := charAt(text, p)
	return p, isCodeChar(r)
}

// pieceStartIn reports whether a code's piece may start anywhere in the
// address text[ts:te] (pieceStart).
func pieceStartIn(text string, ts, te int) bool {
	for at := ts + 1; at < te; at++ {
		if _, ok := pieceStart(text, at, te); ok {
			return true
		}
	}
	return false
}

// closerAlone reports whether before, the words before a link, ends in
// a closing bracket that nothing before it opens, as far back as
// linkReach ("mi código K7QD-9XMA-R2TP)", then a link holding "?c=4WZN"):
// the sentence's, after a piece of a code as a full stop may be. One
// that closes words before ("(2024)", "[viernes K7QD-9XMA-R2TP]") sets
// them off (markedPieceEnd), prose no reading crosses.
func closerAlone(before string) bool {
	r, size := utf8.DecodeLastRuneInString(before)
	if !closingBracket(r) {
		return false
	}
	words := before[max(0, len(before)-linkReach) : len(before)-size]
	return !strings.ContainsFunc(words, func(o rune) bool { return wrapOpener(o) && wrapCloses(o, r) })
}

// closingBracket reports whether r closes a group of a code and opens
// none (wrapChar: a bracket, not a quote or a markdown mark).
func closingBracket(r rune) bool {
	return wrapChar(r) && !wrapOpener(r)
}

// groupCloserAt returns how many bytes the closer of open, the opener
// of each group of a code set off group by group, takes at text[i:]
// (after spaces just inside it: "( R2TP )"), where the last group
// before a link ends ("[K7QD]-[9XMA]-[R2TP] https://…?c=4WZN"): it is
// the code's, cut with it as its opener is ("mi código https://…", not
// "mi código ] https://…"). 0 if open is "" or no closer is there.
func groupCloserAt(text string, i int, open string) int {
	if open == "" {
		return 0
	}
	sp := innerSpaces(text, i)
	if n, ok := wrapClosedAt(text, i+sp, open); ok {
		return sp + n
	}
	return 0
}

// markedPieceEnd returns where the first piece of a code set off by
// marks ends in before, the words before a link ending in them
// ("mi código `K7QD-9XMA-R2TP`", "<K7QD-9XMA>", "**K7QD-9XMA-R2TP**"),
// its marks kept with the link: up to maxWrap marks that may open or
// close a group (wrapChar) closing a word that they open too, and that
// holds letters and digits of a code and separators alone (spaces only
// around one that is none: "`K7QD - 9XMA - R2TP`"), at least two groups'
// worth (a code is shown so). -1 if before ends in no such
// piece: prose so set off ("(2024)", "[viernes 12]", "**Urgente**",
// "`placa AB12`") is not read across the link, as words before most
// links are not (mayEndCodeLikePiece).
func markedPieceEnd(before string) int {
	end := closersStart(before)
	// Only an opener ends the piece (below): with none within reach,
	// nor just before the spaces it starts in, there is no piece, and
	// no walk back ("? x/1 ? x/1 …", each word a link's, the walk
	// taking linkReach bytes at each).
	w := max(0, end-linkReach-utf8.UTFMax)
	for w > 0 && !utf8.RuneStart(before[w]) {
		w-- // (within a character: a run of wide spaces, "\u3000\u3000…", is trimmed whole)
	}
	w = len(strings.TrimRightFunc(before[:w], spaceOrInvisible))
	if !strings.ContainsFunc(before[max(0, w-utf8.UTFMax):end], pieceOpener) {
		return -1
	}
	codes, sepAfter, closing := 0, false, false
	l, inRun := rune(0), false // (what stands before the run of spaces being read, read once a run)
	for j := end; j > 0 && j > end-linkReach; {
		r, size := utf8.DecodeLastRuneInString(before[:j])
		inRun = inRun && spaceOrInvisible(r)
		switch {
		case isCodeChar(r):
			codes++
			sepAfter, closing = false, false
		case pieceOpener(r) && codes >= 8: // (two groups)
			return end
		case mark(r):
			// An accent on a character ("`ḰQ́-…`"): the character's.
		case wrapChar(r) && codes > 0 && codes%4 == 0 && (closing || closedBefore(before[:j-size])):
			closing = true
			// Each group set off ("[K7QD]-[9XMA]-[R2TP]", the last in
			// the address): the marks between them part them, as a
			// separator does (wrappedAt reads them so); an opener only
			// where the group before it is closed ("(2024) https://…"
			// is no such group, the words before it not read), then
			// that closer.
			sepAfter = true
		case unicode.IsSpace(r): // (an invisible character is a separator: "`K7QD\u200b9XMA…`")
			// Spaces only around a separator that is none ("`K7QD - 9XMA
			// - R2TP`", "`K7QD 一 9XMA 一 R2TP`"), or just inside the
			// opener ("( K7QD-9XMA-R2TP )"); "[viernes 12]" is prose.
			if !inRun {
				run := strings.TrimRightFunc(before[:j], spaceOrInvisible)
				l, _ = utf8.DecodeLastRuneInString(run)
				inRun = true
				linkReadBack(j - len(run))
				if !sepAfter && codes == 4 && wrapOpener(l) {
					// Just inside the opener of a group ("( K7QD ) (
					// 9XMA ) ( R2TP )", as wrappedAt reads them:
					// innerSpaces), read next as such an opener is:
					// the first group alone. From two on, the opener
					// ends the piece at once (below), not walked to
					// (past a run longer than linkReach, never reached).
					sepAfter = true
				}
			}
			if !sepAfter && codes >= 8 && pieceOpener(l) {
				return end
			}
			if !sepAfter && (!groupSeparator(l) || isCodeChar(l)) {
				return -1
			}
		case !groupSeparator(r):
			return -1
		default:
			sepAfter = true
		}
		j -= size
	}
	return -1
}

// closedBefore reports whether s, the words before an opener within a
// piece set off by marks (markedPieceEnd), ends in the closer of the
// group before it, up to three separators after it ("[K7QD]-",
// "[K7QD] ", "**[K7QD]**-**", "(K7QD)"): marks after a letter or digit
// (or its accent), then the separators, then any more of the opener's.
// Marks after no group close none: they open the same word
// ("((2024))", "**(2024)**", "[(2024)]" after other words).
func closedBefore(s string) bool {
	trim := func(s string, f func(rune) bool, most int) (string, int) {
		n := 0
		for ; n < most && s != ""; n++ {
			r, size := utf8.DecodeLastRuneInString(s)
			if !f(r) {
				break
			}
			s = s[:len(s)-size]
		}
		return s, n
	}
	s, opens := trim(s, wrapChar, 2*maxWrap) // (the opener's own, or the closer's where no separator parts them)
	s, seps := trim(s, func(r rune) bool { return groupSeparator(r) && !wrapChar(r) }, 3)
	if seps > 0 {
		var closes int
		if s, closes = trim(s, wrapChar, maxWrap); closes == 0 {
			return false
		}
	} else if opens == 0 {
		return false
	}
	s, _ = trim(s, func(r rune) bool { return r == ' ' }, 2) // (just inside the closer: "( K7QD ) (")
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(s, mark))
	return isCodeChar(r)
}

// markedGroupEnd returns where one group of a code set off by marks
// ends in before, the words before a link ending in them ("`K7QD`",
// "(ddgq)", "**K7QD**"): up to maxWrap marks that may close a group
// (wrapChar) after four ASCII letters or digits that a mark that may
// open one (wrapOpener) starts. -1 if before ends in no such group.
// Read across the link only where its address holds the three other
// groups as shown (shownRestIn): "(2024) https://x/2024/05/nota" is not.
func markedGroupEnd(before string) int {
	end := closersStart(before)
	g := end - receiptLen/4
	if g < 1 || end == len(before) {
		return -1
	}
	for j := g; j < end; j++ {
		if c := before[j]; !asciiAlnum(before[j:j+1]) || c|0x20 == 'u' {
			return -1
		}
	}
	if r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(before[:g], " ")); !pieceOpener(r) {
		return -1 // (spaces just inside the opener: "( K7QD )", "《 K7QD 》")
	}
	return end
}

// closersStart returns where the marks that close a piece of a code
// before a link start in before (markedPieceEnd, markedGroupEnd): up to
// maxWrap of them (pieceCloser), and the spaces just inside them ("(
// K7QD-9XMA-R2TP )"); len(before) if it ends in none.
func closersStart(before string) int {
	end := len(before)
	for k := 0; k < maxWrap && end > 0; k++ {
		r, size := utf8.DecodeLastRuneInString(before[:end])
		if !pieceCloser(r) {
			break
		}
		end -= size
	}
	if end < len(before) {
		end = len(strings.TrimRight(before[:end], " "))
	}
	return end
}

// pieceCloser reports whether r may close a piece of a code set off by
// marks before a link: a wrapChar, or the question or exclamation mark
// that closes a Spanish "¿…?" or "¡…!" ("¿K7QD-9XMA-R2TP? https://…").
func pieceCloser(r rune) bool {
	return wrapChar(r) || r == '?' || r == '!'
}

// pieceOpener reports whether r may open a piece of a code set off by
// marks before a link: a wrapOpener, or a Spanish "¿" or "¡".
func pieceOpener(r rune) bool {
	return wrapOpener(r) || r == '¿' || r == '¡'
}

// pieceMarks are the marks that may stand between one of a link's "/",
// "?", "=", … and a code's piece within its address (linkSpans), at most
// maxPieceMarks of them: markdown's, brackets (an angle one too,
// "?c=<4WZN>"), quotes, dashes.
const pieceMarks = "_*~`|'\"([{<-."

// maxPieceMarks bounds them: three, as markdown's bold italics
// ("___4WZN___", "***4WZN***") has.
const maxPieceMarks = 3

// pieceMarkAt returns how many bytes the mark at text[p:] takes, one of
// pieceMarks, or an opening or closing bracket, a quote or a dash of
// any script ("«4WZN»", "“4WZN”", "「4WZN」", "《4WZN》", "—4WZN"), a
// Spanish "¿" or "¡" ("?c=¿4WZN?"), or one of those percent-escaped as
// a browser writes it in an address ("%5F4WZN", "%C2%AB4WZN%C2%BB",
// charAt); 0 if there is none.
func pieceMarkAt(text string, p int) int {
	r, n, _ := charAt(text, p)
	if r < utf8.RuneSelf {
		if r != 0 && strings.IndexByte(pieceMarks, byte(r)) >= 0 {
			return n
		}
		return 0
	}
	if unicode.In(r, unicode.Ps, unicode.Pe, unicode.Pi, unicode.Pf, unicode.Pd) || r == '¿' || r == '¡' {
		return n
	}
	return 0
}

// maxLinkSpans bounds the codes read across links in one text, as
// maxReceiptSpans bounds those read within it: a hostile text ("A 1 A 1
// … A -", then an address of distinct pieces "/K/7/Q/…") reads one
// from each of the fifteen characters before its link at each "/",
// some 30,000 of them each normalised (100 ms). Past the bound, no more
// are read.
const maxLinkSpans = maxReceiptSpans

// maxLinkRests bounds the readings across a link linkSpans keeps, each
// for the rest of its address it was made for.
const maxLinkRests = 64

// linkRest is the rest of a link's address a reading across the link
// reads (linkSpans), and whether it was cut there.
type linkRest struct {
	rest string
	cut  bool
}

// linkAcross is what a reading across a link reads (linkSpans): the
// words before it from where linkStarts' scan starts, whether one group
// in small letters is read there (oneGroup), the most letters and
// digits the address may give (addressCodes), and the rest of the
// address read.
type linkAcross struct {
	words    string
	oneGroup bool
	codes    int
	rest     linkRest
}

// maxLinksAcross bounds the readings across links linkSpans keeps for
// the links after them (linkAcross).
const maxLinksAcross = 256

// linkRead is a code read across a link: its span within the view.
type linkRead struct {
	span [2]int
	code string
	// open is the opener of each of its groups where they are set off
	// ("[", "**": linkStart.wrapped), "" if they are not.
	open string
}

// readAcross returns the codes read across a link in view, the words
// before it (view[:join]), partSeparator, then the rest of its address
// (cut if it was longer than a code's rest may reach): those starting
// at starts (linkStarts) and ending past the separator.
func readAcross(view string, join int, starts []linkStart, cut bool) []linkRead {
	linkViewRead(view)
	var out []linkRead
	for _, st := range starts {
		linkStartRead()
		// Read on from the link, where linkStarts left the reading.
		rd := st.reading
		var sp [2]int
		var letter, digit bool
		sp[0] = st.at
		sp[1], letter, digit, _ = rd.read(view, len(view)+1)
		if !letter || !digit {
			continue
		}
		if sp[1] <= join+len(partSeparator) {
			continue // within one of the two: read as it is
		}
		if st.stray {
			// Only where its word's own reading fails, and into no
			// link's "/", "?", … (strayAt).
			if _, l, d := receiptAt(view, st.word); l && d || strayInLink(view, sp[0], sp[1]) {
				continue
			}
		}
		if cut && sp[1]-join-len(partSeparator) > linkReach {
			continue // no code's rest is so long (NormalizeReceipt)
		}
		read := view[sp[0]:sp[1]]
		if st.wrapped {
			// Its groups' wrappers, the last group's closer left
			// before the address (receiptReading.join), are none of it.
			read = strings.Map(func(r rune) rune {
				if wrapChar(r) {
					return -1
				}
				return r
			}, read)
		}
		code, ok := NormalizeReceipt(read)
		if !ok || OldReceipt(code) {
			continue
		}
		var open string
		if st.wrapped {
			open = view[st.at : st.at+openerAt(view, st.at)]
		}
		if slices.ContainsFunc(out, func(w linkRead) bool { return w.open != "" && w.span[1] == sp[1] && w.code == code }) {
			// The same code read again from within one set off group
			// by group ("**[K7QD]**-…": from its second "*", its "[",
			// its "K"): the reading from its first opener takes all of
			// it, its last closer too (groupCloserAt).
			continue
		}
		out = append(out, linkRead{sp, code, open})
	}
	return out
}

// linkStart is where receiptSpansBefore starts a reading (receiptAt,
// or wrappedAt from a wrapper's opener).
type linkStart struct {
	at      int
	wrapped bool
	// stray is strayAt's reading, from the second character of the
	// word at word.
	stray bool
	word  int
	// codes is how many code characters stand before it.
	codes int
	// reading is the reading from it, as far as the link (linkStarts).
	reading receiptReading
}

// linkStarts returns where receiptSpansBefore(view, false, join, 0)
// starts a reading within the words before a link, view[:join] (view
// ends there with partSeparator, as each reading across the link has
// it), that may reach across the link: fewer than receiptLen letters
// and digits (escapes decoded, as charAt reads them) between it and
// the link. From further back a reading holds a whole code before the
// link, none crossing it. linkSpans reads them once per link, not once
// per "/" of its address.
//
// Each is read as far as the link, once: a reading that ends or fails
// before it reads the same whatever the address (it is left out), and
// one that reaches it goes on from there into each rest of the address
// (readAcross), the words before it not read again. Reading them again
// from each "/" of an address of distinct pieces cost 30 ms. A piece
// that does not look like one of a code (codeLikePiece) is left out too.
//
// They are appended to buf[:0] (linkSpans hands the same one for each
// link: a text of many links made a new one for each).
//
// rest is the most letters and digits the address may give a reading
// (addressCodes): one from further back than receiptLen less those
// holds a whole code before its rest ends, and is left out too ("1 x/1
// 1 x/1 …", each word a link's: fifteen readings at each link, where
// one or two may reach).
func linkStarts(buf []linkStart, view string, join int, oneGroup bool, rest int) []linkStart {
	starts := buf[:0]
	scanReceipts(view, false, join, 0, nil, &starts)
	total := starts[len(starts)-1].codes // (the scan's end)
	starts = starts[:len(starts)-1]
	out := starts[:0]
	for _, st := range starts {
		if n := total - st.codes; n >= receiptLen || n+rest < receiptLen {
			continue
		}
		if piece := view[st.at:join]; !codeLikePiece(piece) && !(oneGroup && shownGroup(piece)) {
			continue
		}
		rd, ok := receiptReading{i: st.at}, true
		if st.wrapped {
			rd, ok = wrappedReading(view, st.at)
			rd.join = join
		}
		if !ok {
			continue
		}
		if _, _, _, paused := rd.read(view, len(view)); paused {
			st.reading = rd
			out = append(out, st)
		}
	}
	return out
}

// addressCodes returns how many letters and digits of a code the
// address addr may hold, at most (receiptLen if as many or more): its
// ASCII letters and digits, each "%" and "&" (an escaped one may start
// there: charAt), and each character that is not ASCII.
func addressCodes(addr string) int {
	n := 0
	for i := 0; i < len(addr) && n < receiptLen; i++ {
		if c := addr[i]; c >= utf8.RuneSelf && !utf8.RuneStart(c) {
			continue // (within a character, counted at its first byte)
		} else if c >= utf8.RuneSelf || c == '%' || c == '&' || asciiAlnum(addr[i:i+1]) {
			n++
		}
	}
	return n
}

// linkScanFrom returns where linkSpans may start a link's view, the
// words before it (view[:join]), for linkStarts to find the same starts
// as from view's start: after the last space or line break that has receiptLen
// code characters or more (counted as the scan counts them, escapes
// decoded) between it and join, as linkStarts leaves out every start
// before that; 0 if there is none. After a space the scan reads as it
// would have reached it (no escape holds a space; a word starts there),
// and its counts of code characters are told apart from the link's
// alone. Scanning the whole view of each link, at most linkReach bytes,
// cost a text of a link every few words (each "A1? x/A1/…", "AB12.
// https://…") ten times what prose does.
func linkScanFrom(view string, join int) int {
	codes := 0
	for end := join; end > 0; {
		w := strings.LastIndexAny(view[:end], " \n") + 1
		for i := w; i < end; {
			r, size, _ := charAt(view, i)
			if isCodeChar(r) {
				codes++
			}
			i += size
		}
		if codes >= receiptLen || w == 0 {
			return w
		}
		end = w - 1
	}
	return 0
}

// codeLikePiece reports whether piece, the words before a link that may
// begin a code (linkSpans), look like a piece of one: a digit among
// them, or written in capitals, as codes are shown. Words of prose
// ("… abcd. Mira esto", then a link to ".../2024/…") are neither.
func codeLikePiece(piece string) bool {
	if shownPiece(piece) {
		return true // "ddgq-wqpo": a code's first groups as shown, in small letters
	}
	lower := false
	for _, r := range piece {
		c, ok := codeChar(r)
		if !ok && r >= utf8.RuneSelf {
			c, ok, _ = wideChar(r)
		}
		if ok && c <= '9' {
			return true
		}
		lower = lower || unicode.IsLower(r)
	}
	return !lower
}

// mayEndCodeLikePiece reports whether some first piece of a code
// ending words, tail, may be codeLikePiece: a piece holds its last
// character, so ending in a small letter it needs a digit among the
// last 15 letters and digits (a code's first piece holds 15 at most).
// Most words before a link are prose so ended, and a reading across
// the link from each of its "/" would cost some four scans of them
// (escapes among them, "%4B" and "&#75;", are left to those readings).
func mayEndCodeLikePiece(tail string) bool {
	last, _ := utf8.DecodeLastRuneInString(tail)
	if !unicode.IsLower(last) {
		return true
	}
	if w := strings.LastIndexFunc(tail, func(r rune) bool { return r != '-' && !asciiLetter(r) }); shownPiece(tail[w+1:]) {
		return true // "ddgq-wqpo" (a code's first groups as shown, no digit typed in them)
	}
	for n, j := 0, len(tail); j > 0 && n < receiptLen-1; {
		r, size := utf8.DecodeLastRuneInString(tail[:j])
		j -= size
		if r == '%' || r == '&' {
			return true
		}
		c, ok := codeChar(r)
		if !ok && r >= utf8.RuneSelf {
			c, ok, _ = wideChar(r)
		}
		if !ok {
			continue
		}
		if c <= '9' {
			return true
		}
		n++
	}
	return false
}

// shownPiece reports whether piece is a code's first two or three
// groups as a code is shown, its letters in small letters or not and no
// digit typed among them: groups of four ASCII letters joined by one
// dash each, a dash after them or not ("ddgq-wqpo", "ddgq-wqpo-prcx-",
// then a link to "…?c=prc1-cq8z"), which codeLikePiece would otherwise
// take for prose. Prose has few such words (a compound of two
// four-letter words, "long-term", right before a link), and one is read
// across the link only as far as a code reaches, looked up only where
// that reads as a code with a digit.
func shownPiece(piece string) bool {
	piece = strings.TrimSuffix(piece, "-")
	if len(piece) != 9 && len(piece) != 14 {
		return false
	}
	for j := 0; j < len(piece); j++ {
		if j%5 == 4 {
			if piece[j] != '-' {
				return false
			}
		} else if c := piece[j] | 0x20; !asciiLetter(rune(c)) || c == 'u' { // (no code holds a U)
			return false
		}
	}
	return true
}

// shownGroup reports whether piece is one group of a code as shown but
// in small letters, no digit typed in it: four ASCII letters (no U), a
// dash after them or not ("ddgq", "ddgq-").
func shownGroup(piece string) bool {
	piece = strings.TrimSuffix(piece, "-")
	if len(piece) != receiptLen/4 {
		return false
	}
	for j := 0; j < len(piece); j++ {
		if c := piece[j] | 0x20; !asciiLetter(rune(piece[j])) || c == 'u' {
			return false
		}
	}
	return true
}

// oneShownGroup reports whether before, the words before a link, ends
// in a word that is one shownGroup ("mi código ddgq", then a link to
// "…?c=wqpo-prc1-cq8z"). It is read across the link only where the
// address holds the three others as shown (shownRestIn): a four-letter
// word before a link is most often prose ("mira https://…"), and reading
// across from each would cost what TestProseBeforeLinksIsNotReadAcrossThem
// keeps out.
func oneShownGroup(before string) bool {
	w := strings.LastIndexFunc(before, func(r rune) bool { return r != '-' && !asciiLetter(r) })
	return shownGroup(before[w+1:])
}

// shownRestIn reports whether the address in text from at, up to the
// text's end, holds after one of its "/", "?", "=", "&", "#", ":" or
// "+", and up to maxPieceMarks marks (pieceMarkAt), a code's last three
// groups as shown: three of four ASCII letters or digits joined by a
// dash each, a digit among them ("?c=wqpo-prc1-cq8z", "/WQPO-PRC1-CQ8Z/").
func shownRestIn(text string, at int) bool {
	const rest = 3*(receiptLen/4) + 2
	for i := at + 1; i+rest <= len(text); i++ {
		if strings.IndexByte("/?=&#:+", text[i-1]) < 0 {
			continue
		}
		p := i
		for k := 0; p < len(text) && k < maxPieceMarks; k++ {
			n := pieceMarkAt(text, p)
			if n == 0 {
				break
			}
			p += n
		}
		if p+rest <= len(text) && shownGroups(text[p:p+rest]) {
			return true
		}
	}
	return false
}

// shownGroups reports whether s is groups of four ASCII letters or
// digits joined by a dash each, a digit among them.
func shownGroups(s string) bool {
	digit := false
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case j%5 == 4:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9':
			digit = true
		case !asciiLetter(rune(c)):
			return false
		}
	}
	return digit
}

// asciiLetter reports whether r is an ASCII letter.
func asciiLetter(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
}

// isCodeChar reports whether r reads as a letter or digit of a code.
func isCodeChar(r rune) bool {
	if _, ok := codeChar(r); ok {
		return true
	}
	_, ok, _ := wideChar(r)
	return r >= utf8.RuneSelf && ok
}

// ReceiptCodesIn returns the code-like words of text (receipt or
// invitation codes, maybe), normalised, those with a digit first: every
// one, however many (their number grows with the text, one for every
// five bytes of distinct four-character words: MaxReceiptCandidates).
// Cut at MaxReceiptCandidates, a group message of 300 numbers, then a
// reporter's receipt code or an invitation code, stayed in view of the
// group, the invitation live. Words shaped like a code of letters alone
// are among them (OldReceipt): a code only if a lookup says so.
func ReceiptCodesIn(text string) []string {
	_, codes := receiptCandidates([]string{text})
	return codes
}

// MessageCodesIn returns the code-like words of a message's texts (its
// text and the addresses of its hidden links), normalised, each once,
// those with a digit first: those of the texts joined as
// CutMessageReceipts reads them (joinParts: a code written across a
// text's end and a link, split within a group or between two), and
// those each text reads on its own, with its own bound
// (maxReceiptSpans, maxLoneSpans). Joined only, a message of 4,096
// characters of words of one character used the bound up, and a code
// spelled out in a hidden link after it ("…/a/Q-W-E-K-7-Q-D-…") was
// not read: an invitation code in view of a group, left live. Empty
// texts are left out (a message's TextBefore, Args): a message with one
// text that is not empty is read once, as ReceiptCodesIn reads it.
func MessageCodesIn(texts []string) []string {
	texts = slices.DeleteFunc(slices.Clone(texts), func(t string) bool { return t == "" })
	switch len(texts) {
	case 0:
		return nil
	case 1:
		return ReceiptCodesIn(texts[0])
	}
	_, joined := joinedCandidates(texts)
	_, each := receiptCandidates(texts)
	seen := make(map[string]bool, len(joined)+len(each))
	var codes, old []string
	for _, c := range slices.Concat(joined, each) {
		switch {
		case seen[c]:
		case OldReceipt(c):
			old = append(old, c)
		default:
			codes = append(codes, c)
		}
		seen[c] = true
	}
	return append(codes, old...)
}

// CutMessageReceipts is CutReceipts of texts, a message's text and the
// addresses of its hidden links, then CutReceiptsAcross of what is left
// (a code whose first groups are in the text and the rest in a link's
// address: the investigator reads the address after the text), known
// asked together about the code-like words of both (askKnown). A
// code-like word that reads across them only once others are cut is no
// code. If known fails, texts are returned as they are, with its error.
//
// The texts' code-like words are found once, and those across them once
// more only where some were cut (the texts then differ). What is left is
// read again, and cut again, while a code is cut (cutRounds).
func CutMessageReceipts(texts []string, known func(codes []string) ([]bool, error)) ([]string, bool, error) {
	return cutRounds(texts, known, cutMessageReceiptsOnce)
}

// cutMessageReceiptsOnce is CutMessageReceipts' reading and cut of
// texts, once.
func cutMessageReceiptsOnce(texts []string, known func(codes []string) ([]bool, error)) ([]string, bool, error) {
	cands, within := receiptCandidates(texts)
	aCands, across, aStarts := acrossCandidates(texts)
	codes := slices.Clone(within)
	for _, c := range across {
		if !slices.Contains(codes, c) {
			codes = append(codes, c) // (few: crossing from one text into another)
		}
	}
	if len(codes) == 0 {
		return texts, false, nil
	}
	isCode, err := askKnown(codes, known)
	if err != nil {
		return texts, false, err
	}
	known = func(cs []string) ([]bool, error) {
		out := make([]bool, len(cs))
		for i, c := range cs {
			if j := slices.Index(codes, c); j >= 0 {
				out[i] = isCode[j]
			}
		}
		return out, nil
	}
	out, cut := cutCandidates(texts, cands, isCode[:len(within)]) // (within's codes come first)
	if cut {
		out, _, _ = cutReceiptsAcrossOnce(out, known)
		return out, true, nil
	}
	isAcross, _ := known(across)
	out, crossed := cutAcrossCandidates(texts, aCands, aStarts, isAcross)
	return out, crossed, nil
}

// partSeparator stands, in CutReceiptsAcross, between parts' texts where
// Content.Text puts "\n\n": one character, so that the join takes one of
// the three separators a code may have between two groups, not two ("K7QD
// - 9XMA -", then "R2TP - 4WZN", is read as the investigator reads it);
// a zero-width space, which a code may also hold within a group, so that
// a code cut within a group ("K7Q", then "D-9XMA-…") is read too, and
// which ends a word as a line break does.
const partSeparator = "\u200b"

// acrossCandidates returns the code-like words of texts joined (as
// CutReceiptsAcross reads them) that run from one text into another,
// the codes they read as, and where each text starts in the join (-1
// for an empty one).
func acrossCandidates(texts []string) ([]receiptCandidate, []string, []int) {
	if !severalTexts(texts) {
		// One text (most tips are one message), or none: nothing runs
		// from one into another, and within one CutReceipts cut when it
		// was added. Not read again: a scan of every word on each Send.
		return nil, nil, nil
	}
	var b strings.Builder
	starts := make([]int, len(texts))
	var parts []int // (those of the texts not empty)
	for i, t := range texts {
		starts[i] = -1
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(partSeparator)
		}
		starts[i] = b.Len()
		parts = append(parts, b.Len())
		b.WriteString(t)
	}
	joined := b.String()
	// in returns the text byte p of joined belongs to (-1 between
	// texts), found among the parts by halves: asked twice for each
	// code-like word, a walk over the texts made a draft of many parts
	// quadratic (BenchmarkAcrossCandidatesManyParts_receipts).
	_, owner := nonEmptyParts(starts)
	in := func(p int) int {
		return partAt(texts, parts, owner, p)
	}
	// Each text read in the join as it is alone (receiptSpansInParts):
	// with the bounds counted from the join's start, a draft's first
	// parts, floods of words of one character, used them up, and a code
	// spelled out across two parts after them was not read.
	all, allCodes := readCandidates([]string{joined}, parts)
	var cands []receiptCandidate
	var codes []string
	index := map[string]int{}
	for _, c := range all {
		if in(c.span[0]) == in(c.span[1]-1) {
			continue // within one text: CutReceipts' when it was added
		}
		code := allCodes[c.code]
		n, seen := index[code]
		if !seen {
			n, index[code], codes = len(codes), len(codes), append(codes, code)
		}
		cands = append(cands, receiptCandidate{0, c.span, n, c.hole})
	}
	return cands, codes, starts
}

// severalTexts reports whether two of texts or more are not empty.
func severalTexts(texts []string) bool {
	nonEmpty := 0
	for _, t := range texts {
		if t != "" {
			nonEmpty++
		}
	}
	return nonEmpty > 1
}

// partAt returns which of texts holds byte p of their join, parts where
// those not empty start there (ascending) and owner which text each of
// those is, or -1 if none does (p is a partSeparator's).
func partAt(texts []string, parts, owner []int, p int) int {
	k, at := slices.BinarySearch(parts, p)
	if !at {
		k-- // (the last part starting before p)
	}
	if k < 0 || p >= parts[k]+len(texts[owner[k]]) {
		return -1
	}
	return owner[k]
}

// nonEmptyParts returns, of starts, where texts start in their join (-1
// for one that is empty), those of the texts not empty (ascending) and
// which text each is.
func nonEmptyParts(starts []int) (parts, owner []int) {
	for ti, s := range starts {
		if s >= 0 {
			parts, owner = append(parts, s), append(owner, ti)
		}
	}
	return parts, owner
}

// CutReceiptsAcross takes out of texts, the texts of one tip's parts, the
// receipt codes that run from one into the next ("K7QD-9XMA" at the end
// of one message, "R2TP-4WZN" at the start of the next: a code pasted in
// two goes): read one by one, as CutReceipts reads them when they are
// added, neither is a code, yet an investigator reads both, one after
// the other. The texts are read joined as Content.Text joins them (with
// one separator between them, partSeparator, not its two); known
// is asked (askKnown) only when a code-like word crosses from one text into
// another, and only about those. Each piece of a code is cut from its
// text; a text left with nothing but pieces becomes "". If known fails,
// texts are returned as they are, with its error. What is left is read
// again, and cut again, while a code is cut (cutRounds).
func CutReceiptsAcross(texts []string, known func(codes []string) ([]bool, error)) ([]string, bool, error) {
	if !severalTexts(texts) {
		return texts, false, nil // (acrossCandidates: most tips, nothing made for them)
	}
	return cutRounds(texts, known, cutReceiptsAcrossOnce)
}

// cutReceiptsAcrossOnce is CutReceiptsAcross' reading and cut of texts,
// once.
func cutReceiptsAcrossOnce(texts []string, known func(codes []string) ([]bool, error)) ([]string, bool, error) {
	cands, codes, starts := acrossCandidates(texts)
	if len(codes) == 0 {
		return texts, false, nil
	}
	isCode, err := askKnown(codes, known)
	if err != nil {
		return texts, false, err
	}
	out, cut := cutAcrossCandidates(texts, cands, starts, isCode)
	return out, cut, nil
}

// cutAcrossCandidates is CutReceiptsAcross of texts, the code-like words
// across them cands and where each starts in their join starts
// (acrossCandidates), isCode saying which of their codes are a tip's.
func cutAcrossCandidates(texts []string, cands []receiptCandidate, starts []int, isCode []bool) ([]string, bool) {
	if len(cands) == 0 {
		return texts, false
	}
	out := slices.Clone(texts)
	touched := make([]bool, len(texts))
	parts, owner := nonEmptyParts(starts)
	// Where the codes end, ascending (codeEndBefore): once for all, not
	// read over again at each code cut.
	var ends []int
	for _, c := range cands {
		if isCode[c.code] {
			ends = append(ends, c.span[1])
		}
	}
	slices.Sort(ends)
	cut := false
	var joined string // (texts joined as acrossCandidates joins them, once a code is cut)
	// Cut from the last, each clear of the one cut after it: the offsets
	// of what comes before stay good.
	end := math.MaxInt
	for i := len(cands) - 1; i >= 0; i-- {
		if !isCode[cands[i].code] || cands[i].span[1] > end {
			continue
		}
		pieces := cands[i].pieces()
		if len(pieces) == 1 {
			// Wrapped whole ("mi código «K7QD-9XMA", then "R2TP-4WZN»
			// gracias"): its wrappers go with it, as CutReceipts takes
			// them within one text (unwrapCut).
			if joined == "" {
				joined = joinParts(texts)
			}
			pieces[0] = unwrapAcross(joined, pieces[0], codeEndBefore(ends, pieces[0][0]), end)
		}
		for pi := len(pieces) - 1; pi >= 0; pi-- {
			cutAcross(texts, out, parts, owner, pieces[pi], touched)
		}
		cut, end = true, cands[i].span[0]
	}
	for ti, t := range touched {
		if t && !strings.ContainsFunc(out[ti], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			out[ti] = ""
		}
	}
	return out, cut
}

// joinParts is texts joined as acrossCandidates reads them: the ones
// not empty, partSeparator between them.
func joinParts(texts []string) string {
	return strings.Join(slices.DeleteFunc(slices.Clone(texts), func(t string) bool { return t == "" }), partSeparator)
}

// unwrapAcross returns sp, a code in joined, widened over the wrappers
// around it that unwrapCut takes (the invisible characters between
// them and it too), where that keeps it within from and end: clear of
// the codes cut before it and after it. (A fenced block's opening line
// goes with a code alone in the block, and that line may hold another
// code, as its language: "```K7QD-9XMA", "R2TP-4WZN\nCODE…".)
func unwrapAcross(joined string, sp [2]int, from, end int) [2]int {
	before := strings.TrimRightFunc(joined[:sp[0]], invisible)
	after := strings.TrimLeftFunc(joined[sp[1]:], invisible)
	b, a := unwrapCut(before, after)
	if b == before && a == after || len(b) < from || len(joined)-len(a) > end {
		return sp
	}
	return [2]int{len(b), len(joined) - len(a)} // (b a prefix of before, a a suffix of after)
}

// codeEndBefore returns where the last code that ends by at ends (0 if
// none does), ends where the codes end (ascending): those among the
// candidates before the one that starts at at, as a candidate after it
// starts at at or later and ends past it. Found by halves: read over
// for each code cut, the candidates made a draft of many codes across
// its parts quadratic (BenchmarkCutAcrossManyParts_receipts).
func codeEndBefore(ends []int, at int) int {
	k, _ := slices.BinarySearch(ends, at+1) // (the first ending past at)
	if k == 0 {
		return 0
	}
	return ends[k-1]
}

// cutAcross cuts sp, a piece of a code in texts joined (parts: where
// those not empty start there, ascending; owner: which text each is),
// from each of out, texts as cut so far: only those the piece runs
// over, found by halves (a walk over every text for each piece made a
// draft of many parts quadratic).
func cutAcross(texts, out []string, parts, owner []int, sp [2]int, touched []bool) {
	k, at := slices.BinarySearch(parts, sp[0])
	if !at && k > 0 {
		k-- // (the part sp starts within, if it starts within one)
	}
	for ; k < len(parts) && parts[k] < sp[1]; k++ {
		ti, s := owner[k], parts[k]
		if s+len(texts[ti]) <= sp[0] {
			continue
		}
		from, to := max(sp[0], s)-s, min(sp[1], s+len(texts[ti]))-s
		// Spaces, and invisible characters written around it, as
		// CutReceipts takes them ("es \u200bK7QD-9XMA\u200b"), go
		// with it. (A piece runs to its text's end or from its
		// start, or both.)
		// (What comes after it may be gone, and with it the
		// invisible marks that end it, cut with the piece after
		// it: "…6YQN\ufe0f \u200bK7QD-9XMA", "R2TP-…".)
		before, after := out[ti][:from], out[ti][min(to, len(out[ti])):]
		before, after = dropQuoteMarkerLine(before, after)
		if to == len(texts[ti]) || strings.TrimLeftFunc(after, spaceOrInvisible) == "" {
			// "mi código es K7QD-9XMA", "… R2TP " before a link's address
			before, after = strings.TrimRightFunc(before, spaceOrInvisible), ""
		}
		if from == 0 {
			after = strings.TrimLeftFunc(after, spaceOrInvisible) // "R2TP-4WZN gracias"
		}
		out[ti], touched[ti] = before+after, true
	}
}

// dropQuoteMarkerLine takes out of before and after, what stands
// before and after a piece of a code cut, the line the piece stood on
// where nothing but quote markers and spaces is left of it ("> hola\n>
// K7QD-9XMA", a quote's last line, leaves "> hola\n> "), with one of its
// line breaks: a bare "> " that quotes nothing, and shows where
// something was cut.
func dropQuoteMarkerLine(before, after string) (string, string) {
	l := before[strings.LastIndexByte(before, '\n')+1:]
	r := after
	if n := strings.IndexByte(after, '\n'); n >= 0 {
		r = after[:n]
	}
	if line := l + r; !strings.Contains(line, ">") || strings.Trim(line, "> \t\r") != "" {
		return before, after
	}
	before, after = before[:len(before)-len(l)], after[len(r):]
	if strings.HasSuffix(before, "\n") {
		before = strings.TrimSuffix(before[:len(before)-1], "\r")
	} else {
		after = strings.TrimPrefix(after, "\n")
	}
	return before, after
}

// spaceOrInvisible reports whether r is a space or shows nothing
// (invisible).
func spaceOrInvisible(r rune) bool {
	return unicode.IsSpace(r) || invisible(r)
}

// askKnown asks known about codes, at most MaxReceiptCandidates at a
// time (one lookup, one round trip, for most messages: a later one for
// each MaxReceiptCandidates codes more), checking it answered each.
func askKnown(codes []string, known func(codes []string) ([]bool, error)) ([]bool, error) {
	isCode := make([]bool, 0, len(codes))
	for from := 0; from < len(codes); from += MaxReceiptCandidates {
		batch := codes[from:min(from+MaxReceiptCandidates, len(codes))]
		answers, err := known(batch)
		if err != nil {
			return nil, err
		}
		if len(answers) != len(batch) {
			return nil, fmt.Errorf("receipt lookup: %d answers for %d codes", len(answers), len(batch))
		}
		isCode = append(isCode, answers...)
	}
	return isCode, nil
}
