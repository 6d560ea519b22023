package tips

import (
	"strings"
	"testing"
)

// A code spelled out a character at a time right within a flood of words
// of one character ("A 1 A 1 … K 7 Q D - 9 X M A …", "a b c K 7 Q D …",
// letters that repeat nothing, "Q W E R T Y …"), past maxReceiptSpans
// of them, in 4,096 characters and, where the flood repeats, in 64 kB:
// the scan passes over the words whose text repeats one it read just
// before (repeatsRead), not over every word past the first three of a
// run, as it did (the code reached investigators). A flood that repeats
// still reads no more than maxReceiptSpans words, in 64 kB too; one
// that repeats nothing maxLoneSpans more.
// Mutations: repeatsRead finding every word repeated (none read past the
// bound but the first three of a run, as before) -> 64 cases fail;
// finding none repeated -> 64 kB floods read 2,048 words and codes
// after them are not cut; maxLoneSpans unbounded -> 64 kB of letters
// and digits read 32,753 words; maxLoneSpans 0 -> 64 cases fail.
func TestSpelledCodeWithinAFloodIsCut_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	plain := func(r rune) string { return string(r) }
	const chars = "ABCDEFGHJKMNPQRSTVWXYZ0123456789"
	var mixed strings.Builder // (letters and digits in no short repeat: "A H Q Y 5 …")
	for i := 0; mixed.Len() < 64<<10; i++ {
		mixed.WriteString(chars[(i*7+i/32)%32:][:1] + " ")
	}
	for _, written := range []string{
		spelledOut(code, " ", plain),
		strings.ReplaceAll(spelledOut(code, " ", plain), " - ", " "),
		spelledOut(code, "\u200b", plain),
		spelledOut("k7qd-9xma-r2tp-4wzn", " ", plain),
	} {
		for _, unit := range append([]string{"a b c ", "y a o ", "x "}, floodUnits...) {
			for _, size := range []int{4096, 64 << 10} {
				tail := " " + written + " gracias" // (apart from the flood: "🔥AK 7 …" is a word "AK")
				in := strings.Repeat(unit, (size-len(tail))/len(unit)) + tail
				out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
				if err != nil || !cut || !strings.HasSuffix(out[0], " gracias") || strings.Contains(strings.ToUpper(out[0]), "X M A") || strings.Contains(out[0], "X\u200bM") {
					t.Errorf("%q after %d bytes of %q: not cut (%v %v), ends %q", written, len(in)-len(tail), unit, cut, err, out[0][max(0, len(out[0])-60):])
				}
			}
		}
		in := mixed.String()[:4096-len(written)-1] + " " + written
		out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
		if err != nil || !cut || strings.Contains(strings.ToUpper(out[0]), "X M A") || strings.Contains(out[0], "X\u200bM") {
			t.Errorf("%q after 4,096 bytes of letters: not cut (%v %v)", written, cut, err)
		}
	}
	for _, unit := range []string{"A 1 ", "Ⓐ ① ", "A🔥", "A\u200b1\u200b", "K 7 Q D ", "a b c "} {
		s := strings.Repeat(unit, (64<<10)/len(unit))
		if spans := receiptSpansBefore(s, true, len(s), maxReceiptSpans); len(spans) > maxReceiptSpans {
			t.Errorf("64 kB of %q: %d code-like words read, more than %d", unit, len(spans), maxReceiptSpans)
		}
	}
	s := mixed.String()
	const most = 2*maxReceiptSpans + maxLoneReads // (maxLoneSpans past the bound, as many)
	if spans := receiptSpansBefore(s, true, len(s), maxReceiptSpans); len(spans) > most {
		t.Errorf("64 kB of letters and digits: %d code-like words read, more than %d", len(spans), most)
	}
}
