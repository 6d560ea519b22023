package tips

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The helpers oldLinkSpans (FuzzLinkSpansAsBefore's reference) reads a
// link with, frozen as they read at 003bd80: the live reader (linkSpans)
// shares none of them, so that a change to one of its own (a bound, a
// shortcut that skips work: markedPieceEnd's look for an opener within
// reach, kept out of the copy below) changes only the live side, and
// the fuzz comparison sees what it changes. Shared still: the scanner
// both read with (scanReceipts, receiptReading, wrappedReading,
// NormalizeReceipt, charAt) and the character classes (wrapChar,
// wrapOpener, groupSeparator, isCodeChar, …), which every reading of a
// text uses and their own tests and fuzzers check. A change to those
// moves the reference with the live reader, on purpose: since
// groupSeparator took "'", "’" and U+FFFD between groups
// (TestCodeJoinedByApostropheOrReplacementIsCut_receipts), both read
// "K7QD'9XMA'R2TP https://…?c=4WZN" as a code across its link, and the
// seeds of FuzzLinkSpansAsBefore hold such texts.

// oldLinkReach, oldPieceMarks and oldMaxPieceMarks are linkReach,
// pieceMarks and maxPieceMarks.
const (
	oldLinkReach     = 256
	oldPieceMarks    = "_*~`|'\"([{<-."
	oldMaxPieceMarks = 3
)

func oldMarkedPieceEnd(before string) int {
	end := oldClosersStart(before)
	codes, sepAfter, closing := 0, false, false
	l, inRun := rune(0), false // (what stands before the run of spaces being read, read once a run)
	for j := end; j > 0 && j > end-oldLinkReach; {
		r, size := utf8.DecodeLastRuneInString(before[:j])
		inRun = inRun && spaceOrInvisible(r)
		switch {
		case isCodeChar(r):
			codes++
			sepAfter, closing = false, false
		case oldPieceOpener(r) && codes >= 8: // (two groups)
			return end
		case mark(r):
			// An accent on a character ("`ḰQ́-…`"): the character's.
		case wrapChar(r) && codes > 0 && codes%4 == 0 && (closing || oldClosedBefore(before[:j-size])):
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
				if !sepAfter && codes == 4 && wrapOpener(l) {
					// Just inside the opener of a group ("( K7QD ) (
					// 9XMA ) ( R2TP )", as wrappedAt reads them:
					// innerSpaces), read next as such an opener is:
					// the first group alone. From two on, the opener
					// ends the piece at once (below), not walked to
					// (past a run longer than oldLinkReach, never reached).
					sepAfter = true
				}
			}
			if !sepAfter && codes >= 8 && oldPieceOpener(l) {
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

func oldClosedBefore(s string) bool {
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

func oldCloserAlone(before string) bool {
	r, size := utf8.DecodeLastRuneInString(before)
	if !oldClosingBracket(r) {
		return false
	}
	words := before[max(0, len(before)-oldLinkReach) : len(before)-size]
	return !strings.ContainsFunc(words, func(o rune) bool { return wrapOpener(o) && wrapCloses(o, r) })
}

func oldClosingBracket(r rune) bool {
	return wrapChar(r) && !wrapOpener(r)
}

func oldMarkedGroupEnd(before string) int {
	end := oldClosersStart(before)
	g := end - receiptLen/4
	if g < 1 || end == len(before) {
		return -1
	}
	for j := g; j < end; j++ {
		if c := before[j]; !asciiAlnum(before[j:j+1]) || c|0x20 == 'u' {
			return -1
		}
	}
	if r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(before[:g], " ")); !oldPieceOpener(r) {
		return -1 // (spaces just inside the opener: "( K7QD )", "《 K7QD 》")
	}
	return end
}

func oldClosersStart(before string) int {
	end := len(before)
	for k := 0; k < maxWrap && end > 0; k++ {
		r, size := utf8.DecodeLastRuneInString(before[:end])
		if !oldPieceCloser(r) {
			break
		}
		end -= size
	}
	if end < len(before) {
		end = len(strings.TrimRight(before[:end], " "))
	}
	return end
}

func oldPieceCloser(r rune) bool {
	return wrapChar(r) || r == '?' || r == '!'
}

func oldPieceOpener(r rune) bool {
	return wrapOpener(r) || r == '¿' || r == '¡'
}

func oldGroupCloserAt(text string, i int, open string) int {
	if open == "" {
		return 0
	}
	sp := innerSpaces(text, i)
	if n, ok := wrapClosedAt(text, i+sp, open); ok {
		return sp + n
	}
	return 0
}

func oldPieceMarkAt(text string, p int) int {
	r, n, _ := charAt(text, p)
	if r < utf8.RuneSelf {
		if r != 0 && strings.IndexByte(oldPieceMarks, byte(r)) >= 0 {
			return n
		}
		return 0
	}
	if unicode.In(r, unicode.Ps, unicode.Pe, unicode.Pi, unicode.Pf, unicode.Pd) || r == '¿' || r == '¡' {
		return n
	}
	return 0
}

func oldCodeLikePiece(piece string) bool {
	if oldShownPiece(piece) {
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

func oldMayEndCodeLikePiece(tail string) bool {
	last, _ := utf8.DecodeLastRuneInString(tail)
	if !unicode.IsLower(last) {
		return true
	}
	if w := strings.LastIndexFunc(tail, func(r rune) bool { return r != '-' && !asciiLetter(r) }); oldShownPiece(tail[w+1:]) {
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

func oldShownPiece(piece string) bool {
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

func oldShownGroup(piece string) bool {
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

func oldOneShownGroup(before string) bool {
	w := strings.LastIndexFunc(before, func(r rune) bool { return r != '-' && !asciiLetter(r) })
	return oldShownGroup(before[w+1:])
}

func oldShownRestIn(text string, at int) bool {
	const rest = 3*(receiptLen/4) + 2
	for i := at + 1; i+rest <= len(text); i++ {
		if strings.IndexByte("/?=&#:+", text[i-1]) < 0 {
			continue
		}
		p := i
		for k := 0; p < len(text) && k < oldMaxPieceMarks; k++ {
			n := oldPieceMarkAt(text, p)
			if n == 0 {
				break
			}
			p += n
		}
		if p+rest <= len(text) && oldShownGroups(text[p:p+rest]) {
			return true
		}
	}
	return false
}

func oldShownGroups(s string) bool {
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
