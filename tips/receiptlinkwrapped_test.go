package tips

import (
	"slices"
	"strings"
	"testing"
)

// A code split into a link whose first piece is set off as markdown's
// code or bold, in angle brackets, brackets or quotes
// ("`K7QD-9XMA-R2TP` https://x/?c=4WZN", "<K7QD-9XMA-R2TP> …"), or whose
// piece in the address is in angle brackets ("?c=<4WZN>", "%3C4WZN%3E"),
// reads as the code to an investigator: it is cut, the marks and the
// address kept; as a hidden link's address after the text and across
// two messages too. Prose so set off before a link stays unread.
// Mutations: linkSpans without the marks trimmed before the link -> the
// first nine cases fail; pieceMarks without "<" -> the last three.
func TestCutReceiptsSplitIntoALinkSetOffByMarks_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"mi código `K7QD-9XMA-R2TP` https://x.example/?c=4WZN", "mi código `` https://x.example/?c="},
		{"mi código `K7QD-9XMA` https://x.example/?c=R2TP-4WZN", "mi código `` https://x.example/?c="},
		{"mi código ```K7QD-9XMA-R2TP``` https://x.example/?c=4WZN", "mi código `````` https://x.example/?c="},
		{"mi código `K7QD一9XMA一R2TP` https://x.example/4WZN/ver", "mi código `` https://x.example//ver"},
		{"mi código <K7QD-9XMA-R2TP> https://x.example/?c=4WZN", "mi código <> https://x.example/?c="},
		{"mi código **K7QD-9XMA-R2TP** https://x.example/?c=4WZN", "mi código **** https://x.example/?c="},
		{"mi código [K7QD-9XMA-R2TP] https://x.example/?c=4WZN", "mi código [] https://x.example/?c="},
		{"mi código \"K7QD-9XMA-R2TP\" https://x.example/?c=4WZN", "mi código \"\" https://x.example/?c="},
		{"mi código `K7QD_9XMA_R2TP` https://x.example/?c=4WZN", "mi código `` https://x.example/?c="},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=<4WZN>", "mi código https://x.example/?c=<>"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=%3C4WZN%3E", "mi código https://x.example/?c=%3C%3E"},
		{"mi código K7QD-9XMA https://x.example/?c=<R2TP-4WZN>", "mi código https://x.example/?c=<>"},
	} {
		cutSplitIntoALink(t, code, tc.in, tc.want, "R2TP")
	}
	for _, in := range []string{
		"mira (esto) https://x.example/?c=4WZN",
		"dijo \"hola\" https://x.example/a/b",
		"mira `aqui` https://x.example/?c=R2TP-4WZN",
		"mira (K7QD) https://x.example/?c=9XMA-R2TP",
		"ayer [viernes K7QD-9XMA-R2TP] https://x.example/?c=4WZN",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}

// A first piece set off by marks whose groups are parted by a separator
// with spaces around it ("`K7QD - 9XMA - R2TP`", "**K7QD 一 9XMA 一
// R2TP**"), as the same piece without the marks is, is read across the
// link; words parted by spaces alone within marks stay prose. Mutation:
// markedPieceEnd ending at every space (as b313e6e had it) -> every
// case of the first list fails.
func TestCutReceiptsSplitIntoALinkSetOffByMarksSpacedSeparators_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"mi código `K7QD - 9XMA - R2TP` https://x.example/?c=4WZN", "mi código `` https://x.example/?c="},
		{"mi código `K7QD 一 9XMA 一 R2TP` https://x.example/?c=4WZN", "mi código `` https://x.example/?c="},
		{"mi código **K7QD 一 9XMA** https://x.example/?c=R2TP-4WZN", "mi código **** https://x.example/?c="},
		{"mi código <K7QD  /  9XMA  /  R2TP> https://x.example/?c=4WZN", "mi código <> https://x.example/?c="},
		{"mi código \"K7QD - 9XMA -R2TP\" https://x.example/?c=4WZN", "mi código \"\" https://x.example/?c="},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
		if codes := ReceiptCodesIn(tc.in); !slices.Contains(codes, code) {
			t.Errorf("%q: ReceiptCodesIn = %q", tc.in, codes)
		}
	}
	for _, in := range []string{
		"ayer [viernes 12] https://x.example/?c=R2TP-4WZN",
		"mira (esto es 2024) https://x.example/?c=9XMA-R2TP-4WZN",
		"dijo \"pago o muerte\" https://x.example/?c=R2TP-4WZN",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}

// A code split into a link after its first group alone set off by marks
// ("`K7QD` https://x/?c=9XMA-R2TP-4WZN", "(ddgq) …"), the address
// holding the three others as shown, reads as the code to an
// investigator, as the group not set off does (oneShownGroup): it is
// cut, the marks and the address kept. One group so set off before
// another address stays unread. Mutation: linkSpans without
// markedGroupEnd (as before) -> every cut case fails; markedGroupEnd
// read without shownRestIn -> the prose cases fail.
func TestCutReceiptsSplitIntoALinkAfterOneGroupSetOffByMarks_codes(t *testing.T) {
	for _, tc := range []struct{ code, in, want string }{
		{"K7QD-9XMA-R2TP-4WZN", "mi código `K7QD` https://x.example/?c=9XMA-R2TP-4WZN", "mi código `` https://x.example/?c="},
		{"K7QD-9XMA-R2TP-4WZN", "mi código (K7QD) https://x.example/?c=9XMA-R2TP-4WZN", "mi código () https://x.example/?c="},
		{"K7QD-9XMA-R2TP-4WZN", "mi código **K7QD** https://x.example/?c=**9XMA-R2TP-4WZN**", "mi código **** https://x.example/?c=****"},
		{"K7QD-9XMA-R2TP-4WZN", "mi código «K7QD» https://x.example/9XMA-R2TP-4WZN/ver", "mi código «» https://x.example//ver"},
		{"DDGQ-WQP0-PRC1-CQ8Z", "mi código `ddgq` https://x.example/?c=wqpo-prc1-cq8z", "mi código `` https://x.example/?c="},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(tc.code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
		if codes := ReceiptCodesIn(tc.in); !slices.Contains(codes, tc.code) {
			t.Errorf("%q: ReceiptCodesIn = %q", tc.in, codes)
		}
	}
	for _, in := range []string{
		"mira (2024) https://x.example/2024/05/nota",
		"dijo `hola` https://x.example/?c=ab12-cd34",
		"mira (K7QD) https://x.example/?c=9XMA-R2TP",
		"mira **AB12** https://x.example/p/ab12/cd34/ef56",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}

// cutSplitIntoALink checks that in, a text holding code split into the
// link after it, is cut to want and its code found by ReceiptCodesIn;
// and that its text and link sent as a hidden link's address or as two
// messages are cut too, none of gone left in them.
func cutSplitIntoALink(t *testing.T, code, in, want string, gone ...string) {
	t.Helper()
	out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
	if err != nil || !cut || out[0] != want {
		t.Errorf("%q: cut %q %v %v, want %q", in, out, cut, err, want)
	}
	if codes := ReceiptCodesIn(in); !slices.Contains(codes, code) {
		t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
	}
	text, link, _ := strings.Cut(in, " https://")
	link = "https://" + link
	for name, cutf := range map[string]func([]string, func([]string) ([]bool, error)) ([]string, bool, error){
		"a hidden link": CutMessageReceipts, "two messages": CutReceiptsAcross,
	} {
		out, cut, err := cutf([]string{text, link}, knowsOnly(code))
		if err != nil || !cut || slices.ContainsFunc(gone, func(g string) bool { return strings.Contains(strings.Join(out, " "), g) }) {
			t.Errorf("%q: cut as %s %q %v %v", in, name, out, cut, err)
		}
	}
}
