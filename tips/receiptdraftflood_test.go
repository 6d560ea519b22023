package tips

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// loneFlood returns n bytes of words of one character, letters and
// digits that repeat nothing over a short period ("A H Q Y 5 …"): each
// read (repeatsRead finds none read just before).
func loneFlood(n int) string {
	const chars = "ABCDEFGHJKMNPQRSTVWXYZ0123456789"
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(chars[(i*7+i/32)%32:][:1] + " ")
	}
	return b.String()[:n]
}

// A code spelled out a character at a time and pasted in two goes, its
// first piece after a flood of words of one character that repeat
// nothing ("… 5 C J K 7 Q D - 9 X M A -", then "R 2 T P - 4 W Z N"),
// each part a message of at most 4,096 characters, in a draft whose
// earlier parts are such floods too, is read across the parts and cut:
// the draft joined reads each part's words as that part alone reads
// them (the bounds of maxReceiptSpans and maxLoneSpans counted from
// each part's start), not the draft's as one text. Before, the first
// part used the bounds up, and the code reached investigators. The work
// stays linear: at most what each part costs alone, however many parts.
// Mutations: the bounds counted from the join's start again (parts nil in
// readCandidates' scan) -> the six cases of two parts of floods or more
// fail; lone.left not reset but unbounded at each part -> 4 parts of 16
// kB read 32,753 words.
func TestSpelledCodeAcrossPartsAfterFloodsIsCut_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	plain := func(r rune) string { return string(r) }
	for _, written := range []string{
		spelledOut(code, " ", plain),
		spelledOut(code, "\u200b", plain),
		spelledOut("k7qd-9xma-r2tp-4wzn", " ", plain),
	} {
		half := strings.Index(written, "R") // (the third group starts the next part)
		if half < 0 {
			half = strings.Index(written, "r")
		}
		first, rest := written[:half], written[half:]
		for _, floods := range []int{1, 2, 4} {
			var parts []string
			for range floods - 1 {
				parts = append(parts, loneFlood(4095))
			}
			last := loneFlood(4094-utf8.RuneCountInString(first)) + " " + first
			if n := utf8.RuneCountInString(last); n > 4096 {
				t.Fatalf("a part of %d characters, longer than a message", n)
			}
			parts = append(parts, last, rest+" gracias")
			out, cut, err := CutReceiptsAcross(parts, knowsOnly(code))
			if err != nil || !cut || out[len(out)-1] != "gracias" || strings.Contains(strings.ToUpper(out[len(out)-2]), "X M A") || strings.Contains(out[len(out)-2], "X\u200bM") {
				t.Errorf("%q after %d parts of floods: not cut (%v %v), ends %q, then %q", written, floods, cut, err, out[len(out)-2][max(0, len(out[len(out)-2])-40):], out[len(out)-1])
			}
		}
	}
	// The join of parts of such floods, longer than a message, reads no
	// more than each part alone does.
	parts := make([]string, 4)
	for i := range parts {
		parts[i] = loneFlood(16 << 10)
	}
	const most = 2*maxReceiptSpans + maxLoneReads // (maxLoneSpans past the bound, as many)
	if spans := receiptSpansInParts(joinParts(parts), partStarts(parts)); len(spans) > len(parts)*most {
		t.Errorf("%d parts of 16 kB of a flood: %d code-like words read, more than %d", len(parts), len(spans), len(parts)*most)
	}
}
