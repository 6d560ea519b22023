package tips

import (
	"slices"
	"strings"
	"testing"
)

// A receipt code written in two pieces, its first groups before a link
// and the rest within the link's address (a path, a query, escaped as a
// browser writes it), reads as the code to an investigator, who reads
// them one after the other: the pieces are cut, the address stays.
func TestCutReceiptsSplitIntoALink(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=4WZN gracias", "mi código https://x.example/?c= gracias"},
		{"mi código K7QD-9XMA-R2TP\nhttps://x.example/estado?c=4WZN", "mi código\nhttps://x.example/estado?c="}, // a hidden link, as a part keeps it
		{"mi código K7QD-9XMA-R2 https://x.example/?c=TP-4WZN&lang=es", "mi código https://x.example/?c=&lang=es"},
		{"mi código K7QD x.example/a/9XMA-R2TP-4wzn", "mi código x.example/a/"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?q=%34WZN%20y", "mi código https://x.example/?q=%20y"},
		{"mi código K7QD-9XMA-R2TP https://x.example/4WZN/ver", "mi código https://x.example//ver"},
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=_4WZN_ gracias", "mi código https://x.example/?c=__ gracias"}, // set off by punctuation
		{"mi código K7QD-9XMA-R2TP https://x.example/#(4WZN)", "mi código https://x.example/#()"},
		{"mi código K7QD-9XMA-R2TP https://x.example/-4wzn/ver", "mi código https://x.example/-/ver"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
		if codes := ReceiptCodesIn(tc.in); !slices.Contains(codes, code) {
			t.Errorf("%q: ReceiptCodesIn = %q", tc.in, codes)
		}
		if got, err := ReplaceKnownReceipts(tc.in, knowsOnly(code), func(string) string { return "[code]" }); err != nil || strings.Contains(got, "4WZN") || strings.Contains(got, "K7QD") || !strings.Contains(got, "[code]") || !strings.Contains(got, "example") {
			t.Errorf("%q: replaced %q %v", tc.in, got, err)
		}
	}
	// Or the link sent as a message of its own, after the text.
	for _, tc := range []struct{ in, want []string }{
		{[]string{"mi código K7QD-9XMA-R2TP", "https://x.example/?c=4WZN"}, []string{"mi código", "https://x.example/?c="}},
		{[]string{"mi código K7QD-9XMA-R2TP ", "https://x.example/?c=4WZN", "otra"}, []string{"mi código", "https://x.example/?c=", "otra"}},
		{[]string{"mi código K7QD-9XMA", "R2TP https://x.example/?c=4WZN"}, []string{"mi código", "https://x.example/?c="}},
	} {
		out, cut, err := CutReceiptsAcross(tc.in, knowsOnly(code))
		if err != nil || !cut || !slices.Equal(out, tc.want) {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
	}
	// A code-like word that is no tip's, split the same way, stays.
	in := "la referencia AB12-CD34-EF56 https://pago.example/?ref=GH78"
	if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || cut || out[0] != in {
		t.Errorf("%q: cut %q %v %v", in, out, cut, err)
	}
}

// Prose with links (dates and numbers in their paths, words before
// them) asks no lookup it did not ask before: a code before a link holds
// a digit and ends right where the link starts.
func TestProseWithLinksIsNoMoreLookups(t *testing.T) {
	const prose = "Mira esto https://example.com/2024/05/noticia-extorsion?id=1234&p=2 y esto otro: https://t.me/canal/5678. " +
		"El 5 de mayo de 2024 https://www.example.org/search?q=cobro+de+piso+mercado#resultados, pagina www.example.net/a/b/c. " +
		"Casa para mama https://x.example/esta y casa 2024 https://x.example/?ref=abcd. "
	var asked []string
	out, cut, err := CutReceipts([]string{strings.Repeat(prose, 5)}, func(codes []string) ([]bool, error) {
		asked = codes
		return make([]bool, len(codes)), nil
	})
	if err != nil || cut || out[0] != strings.Repeat(prose, 5) || len(asked) != 0 {
		t.Errorf("asked %q (%v %v)", asked, cut, err)
	}
}

// A long address ("/a/a/a…" over a whole message) is not read again in
// full from each of its "/": each reading is bounded by how far a code
// may reach, so a message of 4 kB stays a scan of a few hundred bytes a
// "/" (it took seconds), and a code whose last piece is at the end of a
// long address is still cut, the address kept.
func TestLongLinkIsReadInBoundedPieces(t *testing.T) {
	longest := 0
	linkViewRead = func(view string) { longest = max(longest, len(view)) }
	defer func() { linkViewRead = func(string) {} }()
	const code = "K7QD-9XMA-R2TP-4WZN"
	path := strings.Repeat("/a", 2000)
	for _, tc := range []struct{ in, want string }{
		{"mi código K7QD " + path, "mi código K7QD " + path},
		{"mi código K7QD-9XMA-R2TP https://x.example" + path + "?c=4WZN", "mi código https://x.example" + path + "?c="},
	} {
		longest = 0
		out, _, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || out[0] != tc.want {
			t.Errorf("%.40q…: cut %.40q… %v, want %.40q…", tc.in, out[0], err, tc.want)
		}
		if bound := 3*linkReach + len(partSeparator); longest > bound {
			t.Errorf("%.40q…: a reading of %d bytes across the link, more than %d", tc.in, longest, bound)
		}
	}
}

// Prose before links, in every language Vigía speaks, is not read
// across its links at all (each reading scans the words before the link
// again, from each "/" of it: prose with links cost four times what it
// did): words ending in a small letter with no digit among their last
// fifteen letters and digits are no code's first piece. A code written
// in small letters before a link is still cut.
func TestProseBeforeLinksIsNotReadAcrossThem(t *testing.T) {
	readings := 0
	linkViewRead = func(string) { readings++ }
	defer func() { linkViewRead = func(string) {} }()
	for _, prose := range []string{
		benchTip,
		"Llaman del +52 55 1234 5678 y cobran piso en el mercado, mira la nota https://x.example/2024/05/12/cobro?id=77&p=2 y también el video de ayer https://youtu.be/dQw4w9WgXcQ?t=42",
		"They call from +1 555 1234 and collect every week, see https://news.example/world/2024/05/article-12345678?ref=home#top",
		"Ils appellent du 06 12 34 56 78 et menacent les commerçants, voir https://lemonde.example/societe/article/2024/05/12/racket_123.html",
		"Ligam do 11 91234 5678 e cobram dos comerciantes, veja a matéria https://g1.example/sp/noticia/2023/10/05/extorsao.ghtml",
	} {
		readings = 0
		var asked []string
		if _, _, err := CutReceipts([]string{prose}, func(codes []string) ([]bool, error) {
			asked = append(asked, codes...)
			return make([]bool, len(codes)), nil
		}); err != nil || readings != 0 || len(asked) != 0 {
			t.Errorf("%.50q…: %d readings across a link, asked %q (%v)", prose, readings, asked, err)
		}
	}
	const code = "K7QD-9XMA-R2TP-4WZN"
	in := "mi código k7qd-9xma-r2tp https://x.example/?c=4wzn gracias"
	if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código https://x.example/?c= gracias" {
		t.Errorf("%q: cut %q %v %v", in, out, cut, err)
	}
}
