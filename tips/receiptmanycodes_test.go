package tips

import (
	"fmt"
	"strings"
	"testing"
)

// A message of more than MaxReceiptCandidates code-like words, each a
// different code ("A000 A001 …", plates, references), with the
// reporter's own receipt code at the end, has that code cut: the codes
// are asked about in lookups of at most MaxReceiptCandidates each, a
// later one for the rest, not cut off at the first bound (which kept
// a code after 256 others in clear). The lookups grow with the words
// read (maxReceiptSpans), as the scan does. Mutation: askKnown asking
// only the first MaxReceiptCandidates codes (answering false for the
// rest) → every case fails.
func TestCodeAfterManyCandidatesIsCut(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct {
		name string
		n    int
		word func(i int) string
	}{
		{"plates", 320, func(i int) string { return fmt.Sprintf("A%03d", i) }},
		{"lower", 320, func(i int) string { return fmt.Sprintf("x%03d", i) }},
		// (a message of 4,096 characters at most: a code-like word at
		// each of their groups, four for each, up to maxReceiptSpans)
		{"shown", 200, func(i int) string { return fmt.Sprintf("AB%02d-CD%02d-EF%02d-GH%02d", i%100, i/100, i%7, i%11) }},
	} {
		var words []string
		for i := range tc.n {
			words = append(words, tc.word(i))
		}
		text := strings.Join(words, " ") + " y mi código es " + code
		if len(text) > 4096 {
			t.Fatalf("%s: %d bytes, more than a message", tc.name, len(text))
		}
		calls, most, total := 0, 0, 0
		known := func(codes []string) ([]bool, error) {
			calls, most, total = calls+1, max(most, len(codes)), total+len(codes)
			return knowsOnly(code)(codes)
		}
		out, cut, err := CutReceipts([]string{text}, known)
		if err != nil || !cut || strings.Contains(out[0], "K7QD") || !strings.HasSuffix(out[0], " y mi código es") {
			t.Errorf("%s: cut %v %v: %q", tc.name, cut, err, out[0][max(0, len(out[0])-40):])
		}
		if total <= MaxReceiptCandidates || most > MaxReceiptCandidates || calls != (total+MaxReceiptCandidates-1)/MaxReceiptCandidates {
			t.Errorf("%s: %d codes in %d lookups, at most %d at once", tc.name, total, calls, most)
		}
		for name, cutf := range map[string]func([]string, func([]string) ([]bool, error)) ([]string, bool, error){
			"a message": CutMessageReceipts, "two messages": CutReceiptsAcross,
		} {
			in := []string{text}
			if name == "two messages" {
				// (the code's last group in the next message)
				in = []string{strings.TrimSuffix(text, "-4WZN"), "4WZN gracias"}
			}
			if out, cut, err := cutf(in, knowsOnly(code)); err != nil || !cut || strings.Contains(strings.Join(out, " "), "K7QD") {
				t.Errorf("%s as %s: cut %v %v", tc.name, name, cut, err)
			}
		}
		if got, err := ReplaceKnownReceipts(text, knowsOnly(code), func(string) string { return "[código]" }); err != nil || !strings.HasSuffix(got, "es [código]") {
			t.Errorf("%s: ReplaceKnownReceipts %q %v", tc.name, got[max(0, len(got)-40):], err)
		}
	}
}

// ReceiptCodesIn (what a group's message is removed and its invitation
// codes voided for) returns a code after MaxReceiptCandidates others
// ("A000 A001 … A299", each run of four a code, then the code): cut at
// the bound, the code stayed in view of the group, an invitation live.
// Mutation: ReceiptCodesIn cut at MaxReceiptCandidates again -> the
// code is missing.
func TestReceiptCodesInReadsACodeAfterManyOthers_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, word := range []func(i int) string{
		func(i int) string { return fmt.Sprintf("A%03d", i) },
		func(i int) string { return fmt.Sprintf("x%03d", i) },
	} {
		var words []string
		for i := range 300 {
			words = append(words, word(i))
		}
		text := strings.Join(words, " ") + " y mi código es " + code
		codes := ReceiptCodesIn(text)
		if len(codes) <= MaxReceiptCandidates || codes[len(codes)-1] != code {
			t.Errorf("%q…: %d codes, the last %q, want %q after more than %d", text[:20], len(codes), codes[len(codes)-1], code, MaxReceiptCandidates)
		}
	}
}
