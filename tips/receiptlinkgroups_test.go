package tips

import (
	"strings"
	"testing"
)

// A code split into a link whose first piece has each group set off
// ("[K7QD]-[9XMA]-[R2TP] https://x/?c=4WZN", the last group in the
// address), or is followed by punctuation that ends a sentence
// ("K7QD-9XMA-R2TP? https://x/?c=4WZN", "…R2TP. https://…") or by a
// closing bracket that nothing before opens ("…R2TP) https://…", then
// punctuation too: "…R2TP). https://…"), or has each group in spaced
// brackets ("( K7QD ) ( 9XMA ) ( R2TP ) https://…", then punctuation
// too: "( K7QD ) ( 9XMA ) ( R2TP ). https://…"),
// reads as the code to an investigator: it is cut, the address (and the
// sentence's punctuation) kept, the marks that set its groups off cut
// with it, the last group's closer too ("mi código https://…", not "mi
// código ] https://…"); as a hidden link's address after the text and
// across two messages too. Prose so ended before a link stays unread.
// Mutations: markedPieceEnd without its wrapChar case -> the
// bracketed cases fail; receiptReading without join (a wrapped group's
// closer still asked for at the link) -> the bracketed cases fail;
// linkSpans' "continue" back for every pieceCloser that markedPieceEnd
// does not end -> the "?" and "!" cases fail; for every punctuation
// that is no receiptSeparator -> the ".", ":", "…", "。" cases fail;
// closerAlone always false -> the three closing-bracket cases fail;
// groupCloserAt returning 0 -> the bracketed cases keep "]", ")", "`";
// readAcross keeping a code read again within one set off group by
// group -> "**[K7QD]**-…" keeps "**"; linkSpans' punctuation branch
// without closerAlone -> the ")." ")!" "]:" cases fail; markedPieceEnd
// not taking spaces just inside a group's opener, or closedBefore not
// those just inside its closer -> the two spaced-bracket cases fail;
// linkSpans' punctuation branch not reading a piece set off by marks
// before it (markedPieceEnd) -> the three groups-then-punctuation cases
// fail.
func TestCutReceiptsSplitIntoALinkAfterGroupsSetOffOrPunctuation_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"mi código [K7QD]-[9XMA]-[R2TP] https://x.example/?c=4WZN gracias", "mi código https://x.example/?c= gracias"},
		{"mi código [K7QD] [9XMA] https://x.example/?c=R2TP-4WZN", "mi código https://x.example/?c="},
		{"mi código (K7QD)-(9XMA)-(R2TP) https://x.example/?c=(4WZN)", "mi código https://x.example/?c=()"},
		{"mi código `K7QD` `9XMA` `R2TP` https://x.example/4WZN/ver", "mi código https://x.example//ver"},
		{"mi código **[K7QD]**-**[9XMA]**-**[R2TP]** https://x.example/?c=4WZN", "mi código https://x.example/?c="},
		{"mi código [K7QD]-[9XMA]-[R2TP]? https://x.example/?c=4WZN", "mi código? https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP? https://x.example/?c=4WZN gracias", "mi código? https://x.example/?c= gracias"},
		{"mi código K7QD-9XMA-R2TP! https://x.example/?c=4WZN", "mi código! https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP?! https://x.example/?c=4WZN", "mi código?! https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP. https://x.example/?c=4WZN", "mi código. https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP: https://x.example/?c=4WZN", "mi código: https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP… https://x.example/?c=4WZN", "mi código … https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP。 https://x.example/?c=4WZN", "mi código 。 https://x.example/?c="},
		{"mi código K7QD-9XMA? https://x.example/?c=R2TP-4WZN", "mi código? https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP) https://x.example/?c=4WZN", "mi código) https://x.example/?c="},
		{"mi código K7QD-9XMA] https://x.example/?c=R2TP-4WZN", "mi código ] https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP》 https://x.example/?c=4WZN", "mi código 》 https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP). https://x.example/?c=4WZN", "mi código). https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP)! https://x.example/4WZN/ver", "mi código)! https://x.example//ver"},
		{"mi código K7QD-9XMA]: https://x.example/?c=R2TP-4WZN", "mi código ]: https://x.example/?c="},
		{"mi código ( K7QD ) ( 9XMA ) ( R2TP ) https://x.example/?c=4WZN", "mi código https://x.example/?c="},
		{"mi código [ K7QD ]-[ 9XMA ] https://x.example/?c=R2TP-4WZN", "mi código https://x.example/?c="},
		{"mi código ( K7QD ) ( 9XMA ) ( R2TP ). https://x.example/?c=4WZN", "mi código. https://x.example/?c="},
		{"mi código (K7QD) (9XMA) (R2TP). https://x.example/?c=4WZN", "mi código. https://x.example/?c="},
		{"mi código [K7QD]-[9XMA]: https://x.example/?c=R2TP-4WZN", "mi código: https://x.example/?c="},
	} {
		cutSplitIntoALink(t, code, tc.in, tc.want, "R2TP", "4WZN")
	}
	for _, in := range []string{
		"¿viste esto? https://x.example/?c=ab12",
		"Gracias. https://x.example/2024/05/nota",
		"el 12 de mayo de 2024. https://x.example/?id=1234-5678",
		"mira (2024) (2025) https://x.example/2024/05/nota",
		"ayer [viernes] [12] https://x.example/?c=R2TP-4WZN",
		"pago: https://x.example/?c=9XMA-R2TP-4WZN",
		"mira 2024) https://x.example/2024/05/nota",
		"(ver foto 3) https://x.example/?c=ab12-cd34",
		"(ver foto 3). https://x.example/?c=ab12-cd34",
		"mira 2024). https://x.example/2024/05/nota",
		"(mi nota AB12-CD34). https://x.example/?c=EF56-GH78",
		"( viernes ) ( 2024 ) https://x.example/?c=R2TP-4WZN",
		"ayer ( 12 ) ( 2024 ) https://x.example/2024/05/nota",
		"( viernes ) ( 2024 ). https://x.example/?c=R2TP-4WZN",
		"mira (2024) (2025). https://x.example/2024/05/nota",
		"ayer ( 12 ) ( 2024 ). https://x.example/2024/05/nota",
		// Three groups alone before a link holding no fourth: no code.
		"(mi código K7QD-9XMA-R2TP) https://example.org/x",
		"K7QD-9XMA-R2TP). https://example.org/x",
		"( K7QD ) ( 9XMA ) ( R2TP ) https://example.org/x",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}

// Marked words before a link, after other words ending in a code
// character ("… https://x.example/p (2024) https://…"), are no group of
// a code set off group by group: the words before them are not read
// across the link (what benchmark markuplinks costs). Mutation:
// markedPieceEnd taking an opener without closedBefore -> read.
func TestMarkedWordBeforeALinkIsNoGroupAmongOthers(t *testing.T) {
	defer func(f func(string)) { linkViewRead = f }(linkViewRead)
	for _, s := range []string{
		"cobraron \"piso\" https://x.example/p (2024) https://x.example/2024/05/nota",
		"la casa AB12 (2024) https://x.example/?c=2024-05",
		"mira esto [viernes] https://x.example/a/b",
	} {
		n := 0
		linkViewRead = func(string) { n++ }
		if linkSpans(s); n != 0 {
			t.Errorf("%q: %d readings across a link, want none", s, n)
		}
	}
}

// Doubled marks around a word before a link, after other words ending
// in a code character ("… https://x.example/p ((2024)) https://…",
// "**(2024)**", "[(2024)]", "«(2024)»"), are no group of a code set
// off group by group either: the outer mark opens the same word, it
// closes no group before it, and the words before are not read across
// the link. Mutation: closedBefore taking any mark for the closer of
// the group before (as e378e16 had it) -> 4 readings each.
func TestDoubledMarksBeforeALinkAreNoGroupAmongOthers(t *testing.T) {
	defer func(f func(string)) { linkViewRead = f }(linkViewRead)
	for _, m := range [][2]string{{"((", "))"}, {"**(", ")**"}, {"[(", ")]"}, {"«(", ")»"}, {"`(", ")`"}} {
		s := "cobraron \"piso\" https://x.example/p " + m[0] + "2024" + m[1] + " https://x.example/2024/05/nota"
		n := 0
		linkViewRead = func(string) { n++ }
		if linkSpans(s); n != 0 {
			t.Errorf("%q: %d readings across a link, want none", s, n)
		}
	}
	// Groups each set off by doubled marks, or with no separator
	// between them, are still read (the closer after a group).
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, in := range []string{
		"mi código **[K7QD]**-**[9XMA]**-**[R2TP]** https://x.example/?c=4WZN",
		"mi código (K7QD)(9XMA)(R2TP) https://x.example/?c=4WZN",
		"mi código [K7QD] - [9XMA] - [R2TP] https://x.example/?c=4WZN",
	} {
		if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || strings.Contains(out[0], "R2TP") {
			t.Errorf("%q: cut %q %v %v", in, out, cut, err)
		}
	}
}
