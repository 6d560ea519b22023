package tips

import (
	"slices"
	"strings"
	"testing"
)

// A code split into a link, its first two or three groups before it
// written as a code is shown but in small letters, no digit typed among
// them ("ddgq-wqpo https://x/?c=prc1-cq8z"), is cut as the same in
// capitals is: a piece shaped so is no prose word (one of four letters
// alone is: it is read only before the three other groups as shown,
// TestCutReceiptsSplitIntoALinkAfterOneGroupInSmallLetters_codes). Before a link hidden behind words, or sent as a
// message of its own after the text, too. Mutation: codeLikePiece and
// mayEndCodeLikePiece without shownPiece (as before) → this test fails.
func TestCutReceiptsSplitIntoALinkInSmallLettersWithNoDigit_codes(t *testing.T) {
	for _, tc := range []struct{ code, in, want string }{
		{"DDGQ-WQP0-PRC1-CQ8Z", "ddgq-wqpo https://x.example/?c=prc1-cq8z", "https://x.example/?c="},
		{"DDGQ-WQP0-PRC1-CQ8Z", "mi código ddgq-wqpo https://x.example/?c=prc1-cq8z gracias", "mi código https://x.example/?c= gracias"},
		{"DDGQ-WQP0-PRC1-CQ8Z", "mi código Ddgq-wqpo- https://x.example/?c=prc1-cq8z", "mi código https://x.example/?c="},
		{"DDGQ-WQPX-PRC1-CQ8Z", "mi código ddgq-wqpx https://x.example/prc1cq8z/ver", "mi código https://x.example//ver"},
		{"DDGQ-WQPX-PRCQ-C48Z", "mi código: ddgq-wqpx-prcq https://x.example/?c=c48z", "mi código: https://x.example/?c="},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(tc.code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
		if codes := ReceiptCodesIn(tc.in); !slices.Contains(codes, tc.code) {
			t.Errorf("%q: ReceiptCodesIn = %q", tc.in, codes)
		}
		text, link, _ := strings.Cut(tc.in, " https://")
		link = "https://" + link
		if out, cut, err := CutMessageReceipts([]string{text, link}, knowsOnly(tc.code)); err != nil || !cut || strings.Contains(strings.Join(out, " "), "ddgq") {
			t.Errorf("%q: cut as a hidden link %q %v %v", tc.in, out, cut, err)
		}
		if out, cut, err := CutReceiptsAcross([]string{text, link}, knowsOnly(tc.code)); err != nil || !cut || strings.Contains(strings.Join(out, " "), "ddgq") {
			t.Errorf("%q: cut across two messages %q %v %v", tc.in, out, cut, err)
		}
	}
	// Groups parted by spaces as words are: not read.
	for _, in := range []string{
		"mi código ddgq wqpo https://x.example/?c=prc1-cq8z",
		"mi código ddgu-wqpo https://x.example/?c=prc1-cq8z",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}

// A code split into a link after its first group alone, in small
// letters ("mi código ddgq https://x/?c=wqpo-prc1-cq8z"), reads as the
// code to an investigator: it is cut where the address holds the three
// other groups as shown (four letters or digits joined by dashes, a
// digit among them), the only place a four-letter word before a link is
// read across it (shownRestIn): "mira https://x/2024/05/nota" is not,
// nor an address of two groups, or three with no digit typed.
// Mutation: linkSpans without oneShownGroup (as d9b5b74 left it) -> the
// cut cases fail.
func TestCutReceiptsSplitIntoALinkAfterOneGroupInSmallLetters_codes(t *testing.T) {
	for _, tc := range []struct{ code, in, want string }{
		{"DDGQ-WQP0-PRC1-CQ8Z", "mi código ddgq https://x.example/?c=wqpo-prc1-cq8z", "mi código https://x.example/?c="},
		{"DDGQ-WQP0-PRC1-CQ8Z", "ddgq https://x.example/?c=wqpo-prc1-cq8z gracias", "https://x.example/?c= gracias"},
		{"DDGQ-WQPX-PRC1-CQ8Z", "mi código Ddgq- https://x.example/WQPX-PRC1-CQ8Z/ver", "mi código https://x.example//ver"},
		{"DDGQ-WQPX-PRC1-CQ8Z", "mi código ddgq https://x.example/?c=_wqpx-prc1-cq8z_", "mi código https://x.example/?c=__"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(tc.code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
		if codes := ReceiptCodesIn(tc.in); !slices.Contains(codes, tc.code) {
			t.Errorf("%q: ReceiptCodesIn = %q", tc.in, codes)
		}
		text, link, _ := strings.Cut(tc.in, " https://")
		link = "https://" + link
		if out, cut, err := CutMessageReceipts([]string{text, link}, knowsOnly(tc.code)); err != nil || !cut || strings.Contains(strings.ToLower(strings.Join(out, " ")), "ddgq") {
			t.Errorf("%q: cut as a hidden link %q %v %v", tc.in, out, cut, err)
		}
		if out, cut, err := CutReceiptsAcross([]string{text, link}, knowsOnly(tc.code)); err != nil || !cut || strings.Contains(strings.ToLower(strings.Join(out, " ")), "ddgq") {
			t.Errorf("%q: cut across two messages %q %v %v", tc.in, out, cut, err)
		}
	}
	for _, in := range []string{
		"mira https://x.example/2024/05/nota",
		"mi código ddgq https://x.example/?c=wqpo-prc1",
		"mi código ddgq https://x.example/?c=wqpo-prcx-cqxz",
		"mi código ddgu https://x.example/?c=wqpo-prc1-cq8z",
		"mi código ddgqx https://x.example/?c=wqpo-prc1-cq8z",
		"mi código ddgq https://x.example/?c=wqpo_prc1_cq8z",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}
