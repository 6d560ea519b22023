package tips

import (
	"fmt"
	"io"
	"strings"
	"unicode"
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
// investigators to read.
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
// returns false if it cannot be one. It forgives case, spaces, dashes and the
// letters Crockford maps to digits (O to 0, I and L to 1).
func NormalizeReceipt(s string) (string, bool) {
	if len(s) > 256 { // a code with a 3-byte zero-width space between every character is 73
		return "", false
	}
	// Punctuation around it ("CODE." at the end of a sentence) and
	// separators of any kind (en dashes, no-break spaces, zero-width
	// characters copied with it) are not part of it.
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0 // full-width forms (East Asian keyboards) as ASCII
		}
		switch {
		case r == '-' || r == '\u2212' || unicode.IsSpace(r) || unicode.In(r, unicode.Pd, unicode.Cf):
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(receiptAlphabet, r) {
			return "", false
		}
		if b.Len() > 0 && (b.Len()+1)%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	if b.Len() != receiptLen+3 {
		return "", false
	}
	return b.String(), true
}
