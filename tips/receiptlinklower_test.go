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
// alone is, and stays unread: "ddgq https://x/?c=wqpo-prc1-cq8z", as
// "mira https://…" is). Before a link hidden behind words, or sent as a
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
	// One group, or groups parted by spaces as words are: not read.
	for _, in := range []string{
		"mi código ddgq https://x.example/?c=wqpo-prc1-cq8z",
		"mi código ddgq wqpo https://x.example/?c=prc1-cq8z",
		"mi código ddgu-wqpo https://x.example/?c=prc1-cq8z",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}
