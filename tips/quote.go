package tips

import "strings"

// WithQuote is text after the words quote, each of their lines marked
// "> " as quoted, a blank line between: how a message keeps the words it
// quotes from a message elsewhere (Telegram's "reply in another chat").
// A blank line of the quote is
// marked ">" alone: a line a receipt code's cut leaves empty is "> ",
// which WithoutEmptiedQuoteLines drops, keeping the quote's own blank
// lines. Text alone if quote is blank.
func WithQuote(quote, text string) string {
	quote = strings.TrimSpace(quote)
	if quote == "" {
		return text
	}
	lines := strings.Split(quote, "\n")
	for i, l := range lines {
		if quoteBlank(l) {
			lines[i] = ">"
		} else {
			lines[i] = "> " + l
		}
	}
	quoted := strings.Join(lines, "\n")
	if strings.TrimSpace(text) != "" {
		quoted += "\n\n" + text
	}
	return quoted
}

// WithoutEmptiedQuoteLines is text, which opens with the words a message
// quotes from elsewhere (WithQuote), without the quoted lines a receipt
// code's cut left empty ("> " where a line of the quote was a code
// alone, cut out for source protection), and without the blank line
// after the quote where no line of it is left: the reporter's words
// then open the text (live, and at a spool's replay). The quote's own blank lines (">" alone) stay
// between its lines, once where a line cut out stood between two.
// Only the quote's lines are read: the reporter's own "> " is theirs.
func WithoutEmptiedQuoteLines(text string) string {
	lines := strings.Split(text, "\n")
	n := 0 // the quote's lines, up to the blank line after it
	for n < len(lines) && strings.HasPrefix(lines[n], ">") {
		n++
	}
	var kept []string
	cut := false // a line dropped since the last one kept
	for _, l := range lines[:n] {
		switch empty := quoteBlank(strings.TrimLeft(l, "> ")); {
		case empty && l != ">":
			cut = true // emptied by the cut
		case empty && (len(kept) == 0 || cut && kept[len(kept)-1] == ">"):
			// (Never at the quote's start; nor twice where a line between went.)
		default:
			kept, cut = append(kept, l), false
		}
	}
	for len(kept) > 0 && kept[len(kept)-1] == ">" {
		kept = kept[:len(kept)-1] // (nor at its end)
	}
	if len(kept) == n {
		return text
	}
	if len(kept) == 0 {
		return strings.TrimLeft(strings.Join(lines[n:], "\n"), "\n")
	}
	return strings.Join(append(kept, lines[n:]...), "\n")
}

// quoteBlank reports whether a quoted line shows nothing.
func quoteBlank(line string) bool { return Blank(Neutralize(line)) }
