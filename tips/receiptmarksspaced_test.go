package tips

import (
	"slices"
	"strings"
	"testing"
)

// A code whose pieces are set off by CJK double angle brackets
// ("《K7QD-9XMA-R2TP》", "〈…〉", "〖…〗"), by Spanish question or
// exclamation marks ("¿K7QD-9XMA-R2TP?", "¡…!"), or by marks with a
// space just inside them ("( K7QD-9XMA-R2TP )", "( K7QD ) ( 9XMA ) …"),
// before a link and within its address or in prose, reads as the code
// to an investigator: it is cut, the marks kept (stop 44's notes found
// these read as prose, the code kept in clear). Prose so set off stays
// unread. Mutations: wrapPartner without 《》〈〉〖〗 (as before) → the
// "《", "〈" and "〖" cases fail; pieceCloser and pieceOpener without
// "?", "!", "¿", "¡" (wrapChar, wrapOpener: as before) → the "¿…?" and
// "¡…!" cases before a link fail; closersStart without the spaces
// inside the closer, and markedPieceEnd and markedGroupEnd without
// those inside the opener (as before) → the "( K7QD-9XMA-R2TP ) https",
// "` K7QD-9XMA-R2TP `", "《 K7QD 》" and "( K7QD )" cases fail;
// innerSpaces returning 0 (as before) → the "( K7QD ) ( 9XMA ) …" and
// "[ K7QD ] …" cases fail; pieceMarkAt without "¿", "¡" → "?c=¿4WZN?"
// fails.
func TestReceiptSetOffByMarksWideSpanishOrSpaced_codes(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		// Before a link.
		{"mi código 《K7QD-9XMA-R2TP》 https://x.example/?c=4WZN", "mi código 《》 https://x.example/?c="},
		{"mi código 〈K7QD-9XMA〉 https://x.example/?c=R2TP-4WZN", "mi código 〈〉 https://x.example/?c="},
		{"mi código 〖K7QD-9XMA-R2TP〗 https://x.example/?c=4WZN", "mi código 〖〗 https://x.example/?c="},
		{"mi código 《K7QD》 https://x.example/?c=9XMA-R2TP-4WZN", "mi código 《》 https://x.example/?c="},
		{"mi código ¿K7QD-9XMA-R2TP? https://x.example/?c=4WZN", "mi código ¿? https://x.example/?c="},
		{"mi código ¡K7QD-9XMA-R2TP! https://x.example/?c=4WZN", "mi código ¡! https://x.example/?c="},
		{"mi código ¿K7QD? https://x.example/?c=9XMA-R2TP-4WZN", "mi código ¿? https://x.example/?c="},
		{"mi código ( K7QD-9XMA-R2TP ) https://x.example/?c=4WZN", "mi código ( ) https://x.example/?c="},
		{"mi código ` K7QD-9XMA-R2TP ` https://x.example/?c=4WZN", "mi código ` ` https://x.example/?c="},
		{"mi código 《 K7QD 》 https://x.example/?c=9XMA-R2TP-4WZN", "mi código 《 》 https://x.example/?c="},
		{"mi código ( K7QD ) https://x.example/?c=9XMA-R2TP-4WZN", "mi código ( ) https://x.example/?c="},
		// Within the address.
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=《4WZN》", "mi código https://x.example/?c=《》"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=¿4WZN?", "mi código https://x.example/?c=¿?"},
		// In prose, each group set off.
		{"mi código 《K7QD》《9XMA》《R2TP》《4WZN》 gracias", "mi código gracias"},
		{"mi código 《K7QD》 《9XMA》 《R2TP》 《4WZN》 gracias", "mi código gracias"},
		{"mi código ( K7QD ) ( 9XMA ) ( R2TP ) ( 4WZN ) gracias", "mi código gracias"},
		{"mi código [ K7QD ]-[ 9XMA ]-[ R2TP ]-[ 4WZN ] gracias", "mi código gracias"},
		{"mi código (K7QD ) ( 9XMA) (  R2TP  ) (4WZN) gracias", "mi código gracias"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
		if codes := ReceiptCodesIn(tc.in); !slices.Contains(codes, code) {
			t.Errorf("%q: ReceiptCodesIn = %q", tc.in, codes)
		}
		if text, link, ok := strings.Cut(tc.in, " https://"); ok {
			// The link hidden behind words, its address after the text.
			if out, cut, err := CutMessageReceipts([]string{text, "https://" + link}, knowsOnly(code)); err != nil || !cut || strings.Contains(strings.Join(out, " "), "4WZN") || strings.Contains(strings.Join(out, " "), "K7QD") {
				t.Errorf("%q: cut as a hidden link %q %v %v", tc.in, out, cut, err)
			}
		}
	}
	// (/status reads the code so written too.)
	for _, written := range []string{"《K7QD》《9XMA》《R2TP》《4WZN》", "( K7QD ) ( 9XMA ) ( R2TP ) ( 4WZN )", "[ K7QD ] [ 9XMA ] [ R2TP ] [ 4WZN ]"} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
	}
	for _, in := range []string{
		"¿viste esto? https://x.example/?c=ab12",
		"¡Cuidado! https://x.example/?c=R2TP-4WZN",
		"¿Dónde está la 2024? https://x.example/?c=9XMA-R2TP",
		"《三国演义》 https://x.example/2024/05/nota",
		"( hola ) ( 2024 ) ( mira ) https://x.example/a",
		"( esto es ) https://x.example/?c=9XMA-R2TP-4WZN",
		"mira ( 12 ) https://x.example/?c=R2TP-4WZN",
	} {
		if codes := ReceiptCodesIn(in); len(codes) != 0 {
			t.Errorf("%q: ReceiptCodesIn = %q", in, codes)
		}
	}
}
