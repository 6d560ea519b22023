package tips

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// receiptDisguises are the ways NormalizeReceipt's comment says a code
// may be written, each a function of the code's four groups; a form
// returns "" where a code cannot be written so.
var receiptDisguises = []struct {
	name string
	form func(groups []string, sep string) string
}{
	{"as shown", func(g []string, sep string) string { return strings.Join(g, sep) }},
	{"small letters", func(g []string, sep string) string { return strings.ToLower(strings.Join(g, sep)) }},
	{"O and I for 0 and 1", func(g []string, sep string) string {
		return strings.NewReplacer("0", "O", "1", "I").Replace(strings.Join(g, sep))
	}},
	{"slashed zero", func(g []string, sep string) string { return strings.ReplaceAll(strings.Join(g, sep), "0", "Ø") }},
	{"full-width", eachChar(func(r rune) string { return string(r + 0xFEE0) })},
	{"mathematical bold", eachChar(func(r rune) string {
		if r <= '9' {
			return string(0x1D7CE + r - '0')
		}
		return string(0x1D400 + r - 'A')
	})},
	{"circled", eachChar(func(r rune) string {
		switch {
		case r == '0':
			return "⓪"
		case r <= '9':
			return string('①' + r - '1')
		}
		return string('Ⓐ' + r - 'A')
	})},
	{"small capitals", eachChar(func(r rune) string {
		for k, v := range smallCapitals {
			if v == r && k < 0x1D00+0x80 && k != 'ǫ' { // (the plain small capitals, not the modifier ones)
				return string(k)
			}
		}
		return string(r)
	})},
	{"Cyrillic look-alikes", eachChar(func(r rune) string {
		if c, ok := map[rune]rune{'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'K': 'К', 'M': 'М', 'P': 'Р', 'T': 'Т', 'X': 'Х'}[r]; ok {
			return string(c)
		}
		return string(r)
	})},
	{"Arabic-Indic digits", eachChar(func(r rune) string {
		if r <= '9' {
			return string(0x0660 + r - '0')
		}
		return string(r)
	})},
	{"accents on every character", eachChar(func(r rune) string { return string(r) + "\u0301" })},
	{"spelled out", func(g []string, sep string) string {
		var s []string
		for _, grp := range g {
			s = append(s, strings.Join(strings.Split(grp, ""), " "))
		}
		if strings.TrimSpace(sep) == "" {
			return "" // (no separator that shows between the groups: sixteen words)
		}
		return strings.Join(s, " "+strings.TrimSpace(sep)+" ")
	}},
	{"upside down", func(g []string, sep string) string {
		s := []rune(strings.Join(g, sep))
		var b strings.Builder
		turned := false
		for i := len(s) - 1; i >= 0; i-- {
			c := turnedFor(s[i])
			turned = turned || c != s[i] && c >= utf8.RuneSelf
			b.WriteRune(c)
		}
		if !turned {
			return "" // (no character that reads only turned over: it reads the right way up)
		}
		return b.String()
	}},
}

// eachChar is a form writing each letter and digit of a code as f says,
// its separators as they are.
func eachChar(f func(r rune) string) func([]string, string) string {
	return func(g []string, sep string) string {
		var parts []string
		for _, grp := range g {
			var b strings.Builder
			for _, r := range grp {
				b.WriteString(f(r))
			}
			parts = append(parts, b.String())
		}
		return strings.Join(parts, sep)
	}
}

// turnedFor returns what upside-down text writes for r (turnedLetters
// and turnedASCII the other way), r if it is none of a code's.
func turnedFor(r rune) rune {
	best := rune(0)
	for k, v := range turnedLetters {
		if v == r && (best == 0 || k < best) && k != '┴' {
			best = k
		}
	}
	for c, v := range turnedASCII {
		if rune(v) == r && rune(c) != r && (best == 0 || c >= 'a') {
			best = rune(c)
		}
	}
	if best == 0 {
		return r
	}
	return best
}

// receiptSeparatorClasses are separators a reporter puts between a
// code's groups (groupSeparator's comment): dashes, spaces, none,
// punctuation, line-like characters, CJK keyboards' dashes, invisible
// characters.
var receiptSeparatorClasses = []string{"-", " ", "", "–", "—", "/", ".", "_", "·", "─", "ー", "一", "\u200b", "\u00a0", " - "}

// receiptContexts are the words around a code as reporters write it.
var receiptContexts = []string{
	"mi código %s gracias",
	"%s",
	"mi código %s https://x.example/a",
	"mi código %s\nhttps://x.example/a",
	"mi código [%s] gracias",
	"mi código (%s) gracias",
	"mi código \"%s\" gracias",
	"mi código «%s» gracias",
	"mi código “%s” gracias",
	"mi código `%s` gracias",
	"mi código **%s** gracias",
	"mi código ||%s|| gracias",
	"mi código %s. Gracias",
	"¿mi código %s?",
	"mi código %s! gracias",
	"mi código %s, gracias",
	"mi código: %s\nsaludos",
	"mi código _%s_ gracias",
	"mi código ~~%s~~ gracias",
	"> %s\n> gracias",
	"mi código `%s`. Gracias",
	"mi código (%s)? gracias",
}

// receiptLinkContexts are the words around a code split into a link:
// its first three groups before it, the last in its address
// (linkSpans).
var receiptLinkContexts = []string{
	"mi código %s https://x.example/?c=%s gracias",
	"mi código %s\nhttps://x.example/estado?c=%s",
	"mi código %s https://x.example/%s/ver",
	"mi código `%s` https://x.example/?c=%s",
	"mi código **%s** https://x.example/?c=%s",
	"mi código [%s] https://x.example/?c=%s",
	"mi código \"%s\" https://x.example/#%s",
	"mi código %s? https://x.example/?c=%s",
	"mi código %s. https://x.example/?c=%s",
	"mi código %s: https://x.example/?c=%s",
}

// Random codes written in each disguise NormalizeReceipt reads, with
// each class of separator between their groups, in each context a code
// is pasted in: each is cut from the text, nothing of it read back
// (ReceiptCodesIn). A generator over the claims of the package's
// comments, so that a form, a separator or a context read alone but
// not together is found.
func TestReceiptDisguisesSeparatorsAndContextsAreCut(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 2026))
	misses := map[string]int{}
	var examples []string
	for n := 0; n < 4; n++ {
		code, err := NewReceipt(readerFunc(func(p []byte) (int, error) {
			for i := range p {
				p[i] = byte(rng.Uint32())
			}
			return len(p), nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		groups := strings.Split(code, "-")
		for _, d := range receiptDisguises {
			for _, sep := range receiptSeparatorClasses {
				written := d.form(groups, sep)
				if written == "" {
					continue
				}
				type input struct{ ctx, in string }
				ins := make([]input, 0, len(receiptContexts)+len(receiptLinkContexts))
				for _, ctx := range receiptContexts {
					ins = append(ins, input{ctx, fmt.Sprintf(ctx, written)})
				}
				// Split into a link: forms that read left to right, a
				// character at a time (spelled out and upside down
				// text are not read across a link).
				if d.name != "spelled out" && d.name != "upside down" {
					for _, ctx := range receiptLinkContexts {
						if (sep == " " || sep == "\u00a0") && strings.ContainsAny(ctx, "`[*\"") {
							// Words parted by spaces alone within marks
							// before a link are prose, not read across it
							// (TestCutReceiptsSplitIntoALinkSetOffByMarksSpacedSeparators_codes).
							continue
						}
						ins = append(ins, input{ctx, fmt.Sprintf(ctx, d.form(groups[:3], sep), d.form(groups[3:], sep))})
					}
				}
				for _, c := range ins {
					in := c.in
					out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
					if err == nil && cut && !strings.Contains(strings.Join(ReceiptCodesIn(out[0]), " "), code) {
						continue
					}
					key := fmt.Sprintf("%s / %q / %q", d.name, sep, c.ctx)
					if misses[key]++; misses[key] == 1 {
						examples = append(examples, fmt.Sprintf("%s: %q -> %q %v %v", key, in, out, cut, err))
					}
				}
			}
		}
	}
	for _, e := range examples {
		t.Error(e)
	}
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
