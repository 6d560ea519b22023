package tips

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// gluedAtReadingAll is gluedAt as it was before gluedRoom: the reading
// made at every start strayFront allows. The property test holds
// gluedAt to it.
func gluedAtReadingAll(text string, i int, out [][2]int, most int) [][2]int {
	next := i
	for b := 0; b <= 2*maxStrays && next < len(text); b++ {
		if most > 0 && len(out) >= most {
			return out
		}
		s := next
		size, _ := strayChar(text, s)
		next += size
		if !strayFront(text, s) {
			continue
		}
		rd := receiptReading{i: s, glued: true}
		end, letter, digit, _ := rd.read(text, len(text)+1)
		if !letter || !digit || rd.spaced || !asciiText(text[s:end]) || !asciiAlnum(text[end-4:end]) || strayInLink(text, s, end) {
			continue
		}
		t, e := 0, end
		for e < len(text) && b+t <= 2*maxStrays {
			size, ok := strayChar(text, e)
			if !ok {
				break
			}
			t, e = t+1, e+size
		}
		if b+t > 2*maxStrays || t == 0 && b == 0 || !wordEndsAt(text, e) {
			continue
		}
		if readAlready(out, i, [2]int{s, end}) {
			continue
		}
		out = append(out, [2]int{s, end})
	}
	return out
}

// gluedRoomSeeds are codes with strays against them and at the edges of
// gluedRoom: separators of every kind between groups (spaces, tabs,
// newlines, a link's characters, escapes, entities, invisible and
// non-ASCII ones), codes of fifteen and sixteen characters, spelled
// out, at the text's end, in prose.
var gluedRoomSeeds = []string{
	"tkK7QD9XMAR2TP4WZN", "tkK7QD-9XMA-R2TP-4WZNx", "abcdK7QD9XMA-R2TP-4WZN", "tK7QD9XMAR2TP4WZNxy",
	"tkK7QD 9XMA R2TP 4WZN", "tkK7QD\t9XMA\tR2TP\t4WZN", "tkK7QD\n9XMA-R2TP-4WZN", "tkK7QD%2D9XMA%2DR2TP%2D4WZN",
	"tkK7QD&#45;9XMA-R2TP-4WZN", "tkK7QD/9XMA/R2TP/4WZN", "tkK7QD?9XMA=R2TP#4WZN", "tkK7QD\u200b9XMA\u200bR2TP\u200b4WZN",
	"tkK7QD–9XMA–R2TP–4WZN", "tkK7QD9XMAR2TP4WZ", "tkK7QD9XMAR2TP4W", "tkK7QD.9XMA_R2TP*4WZN", "tkK7QD---9XMA---R2TP---4WZNz",
	"tkK7QD----9XMA-R2TP-4WZN", "ñúaK7QD9XMAR2TP4WZN", "e\u0301K7QD9XMAR2TP4WZN", "tkK 7 Q D-9 X M A-R 2 T P-4 W Z N",
	"Vi al jefe tK7QD9XMAR2TP4WZN ayer", "mi código 1K7QD9XMAR2TP4WZNé", "tkК7QD9XMAR2TP4WZN", "tkＫ7QD9XMAR2TP4WZN",
	"tk\vK7QD9XMA-R2TP-4WZN", "tkK7QD\v9XMA-R2TP-4WZN", "tkK7QD\f9XMA\r9XMA-4WZN", "tkK7QD9XMA\x85R2TP4WZN",
	"extorsión de la camioneta gris placas ABC-123-D", "ABCDEFGHIJKLMNOP1", "a1b2c3d4e5f6g7h8i9",
	// slashed zeros (d42c3d0), runs of spaces between groups (2790e95),
	// a code's piece in a link set off by marks (6081174)
	"tkKØTC9XMAR2TP4WZN", "tkK7QD9XMAR2TP4WZØ", "tkK7QD9XMAR2TP4WZNø", "øøK7QD9XMAR2TP4WZN", "tjøch-øx19-R2TP-4WZNx",
	"tkK7QD    9XMA    R2TP    4WZN", "tkK7QD-9XMA-\n    R2TP-4WZN", "tkK7QD-9XMA-\r\n  R2TP-4WZN", "tkK7QD  -  9XMA  -  R2TP  -  4WZNx",
	"tkK7QD-9XMA-R2TP https://x/?c=_4WZN_", "tkK7QD-9XMA-R2TP https://x/#(4WZN)", "K7QD-9XMA-R2TP https://x/-4wznxy/ver", "xK7QD-9XMA-R2 https://x/?c=**TP-4WZN**",
}

// gluedAt with gluedRoom finds what it found making every reading, on
// the seeds and 25,000 random texts of code characters, strays and
// separators of every kind (half of them a code's four groups with
// separators and strays between and around them), at every start, with and without a bound:
// gluedRoom only skips readings that could not be kept. (With out nil
// and no bound every reading kept is returned, so the two keep the same
// readings whatever out and most are: readAlready and the bound act
// after the reading alike.)
func TestGluedRoomSkipsOnlyReadingsNotKept(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	pieces := []string{
		"K7QD", "9XMA", "R2TP", "4WZN", "k7qd", "K", "7", "x", "Z", "0", "t", "tk", "é", "e\u0301", "ñ", "К", "Ｋ", "٣",
		"-", "--", ".", "_", "*", "|", "[", "]", " ", "\t", "\n", "\v", "\f", "\r", "\u00a0", "\x85", "\xff",
		"/", "?", "=", "#", "%", "&", "%2D", "%252D", "%4B", "&#75;", "&#x4B;", "&amp;", "&Kcy;", "\u200b", "–", "🇲🇽", "1️⃣", "👍",
	}
	texts := slices.Clone(gluedRoomSeeds)
	groups := []string{"K7QD", "9XMA", "R2TP", "4WZN", "k7qd", "ABCD", "1234", "K7Q", "K7QDX"}
	seps := []string{"", "", "-", "-", "--", ".", "_", " ", "\t", "\n", "/", "%2D", "&#45;", "\u200b", "–", "🇲🇽", "e\u0301"}
	strays := []string{"", "t", "tk", "tkq", "abcd", "é", "ñú", "1", "x", "xyz", "_", " ", "&amp;"}
	for n := range 25000 {
		if n == 20000 {
			// then slashed zeros, runs of spaces and links' pieces too
			pieces = append(pieces, "Ø", "ø", "KØTC", "    ", "\r\n  ", "-\n    ", " https://x/?c=_", "#(", "/-")
			groups = append(groups, "KØTC", "jøch", "K7QØ")
			seps = append(seps, "    ", "\r\n  ", "-\n    ", "  -  ", " https://x/?c=_", " https://x/-")
			strays = append(strays, "ø", "Ø")
		}
		var b strings.Builder
		if n%2 == 0 {
			// a code's shape, strays against it, pieces around it
			b.WriteString(pieces[r.IntN(len(pieces))])
			b.WriteString(strays[r.IntN(len(strays))])
			for g := range 4 {
				if g > 0 {
					b.WriteString(seps[r.IntN(len(seps))])
				}
				b.WriteString(groups[r.IntN(len(groups))])
			}
			b.WriteString(strays[r.IntN(len(strays))])
			b.WriteString(pieces[r.IntN(len(pieces))])
		} else {
			for range r.IntN(24) {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
		}
		texts = append(texts, b.String())
	}
	kept := 0
	for _, text := range texts {
		for i := range text {
			for _, most := range []int{0, 1} {
				got, want := gluedAt(text, i, nil, most), gluedAtReadingAll(text, i, nil, most)
				if !slices.Equal(got, want) {
					t.Fatalf("gluedAt(%q, %d, %d) = %v, making every reading %v", text, i, most, got, want)
				}
				kept += len(want)
			}
		}
	}
	t.Logf("%d readings kept", kept)
	if kept < 1000 {
		t.Fatalf("%d readings kept in all: the texts test too few codes", kept)
	}
}
