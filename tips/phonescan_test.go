package tips

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// phoneScanSeeds are texts at the edges of phoneRE: its shortest and
// longest matches, a run one too long, "+" and "(" before and inside,
// ASCII spaces of every kind and a vertical tab (no \s), non-ASCII
// digits and spaces, invalid UTF-8, two numbers in a row.
var phoneScanSeeds = []string{
	"+52 55 1234 5678", "1------2", "1-----2", "tel 55-1234 y (55) 1234.5678", "++52 55 1234 5678",
	"+(55) 1234 5678", "(+55) 1234 5678", "1\t2\n3\f4\r5 6.7", "1\v2345678", "5 5",
	"1" + strings.Repeat(" ", 30) + "2", "1" + strings.Repeat(" ", 31) + "2", "1" + strings.Repeat("9", 40),
	"12345678901234567890123456789012345678", "٥٥ 1234 5678", "55\u00a01234\u00a05678", "55 12\xff34 5678",
	"llama al 55 1234 5678 o al 55 8765 4321, 3 veces", "+", "(", "+(", "9", "1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8",
}

// The scan finds what phoneRE finds, match for match, up to the same
// bound: Extract reads phone numbers from its matches.
func TestPhoneCandidatesArePhoneRE(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 41))
	pieces := []string{"0", "1", "5", "9", " ", "  ", "-", ".", "(", ")", "+", "\t", "\n", "\f", "\r", "\v", "a", "x", "é", "٣", "\u00a0", "\xff", ",", "/"}
	texts := slices.Clone(phoneScanSeeds)
	for range 20000 {
		var b strings.Builder
		for range r.IntN(60) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	texts = append(texts, strings.Repeat("55 1234 5678 ", 120)) // more than the bound's 100 matches
	for _, text := range texts {
		for _, n := range []int{100, 1} {
			if got, want := phoneCandidates(text, n), phoneRE.FindAllString(text, n); !slices.Equal(got, want) {
				t.Fatalf("phoneCandidates(%q, %d) = %q, phoneRE finds %q", text, n, got, want)
			}
		}
	}
}

func FuzzPhoneCandidatesArePhoneRE(f *testing.F) {
	for _, s := range phoneScanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := phoneCandidates(text, 100), phoneRE.FindAllString(text, 100); !slices.Equal(got, want) {
			t.Fatalf("phoneCandidates(%q) = %q, phoneRE finds %q", text, got, want)
		}
	})
}

// BenchmarkPhoneCandidates is the phone pattern on a tip's text: the
// scan, and the expression it replaced.
func BenchmarkPhoneCandidates(b *testing.B) {
	b.Run("scan", func(b *testing.B) { benchText(b, func(s string) { phoneCandidates(s, 100) }) })
	b.Run("regexp", func(b *testing.B) { benchText(b, func(s string) { phoneRE.FindAllString(s, 100) }) })
}
