package tips

import (
	"slices"
	"strings"
	"testing"
)

// Fold's table path must give what the general path gives. Folding is
// local (a rune can only combine with its neighbours), so every pair of
// table runes, each also followed by a combining mark and by a rune past
// the table, covers how they could interact.
func TestFoldTableMatchesGeneralPath(t *testing.T) {
	after := []string{"", "\u0301", "\u0308", "Ω", "\u200d", "\xff"}
	for a := rune(0); a < foldTableSize; a++ {
		for b := rune(0); b < foldTableSize; b++ {
			s := string([]rune{a, b})
			if got, want := Fold(s), foldGeneral(s); got != want {
				t.Fatalf("Fold(%q) = %q, general path %q", s, got, want)
			}
		}
		for _, x := range after {
			s := string(a) + x
			if got, want := Fold(s), foldGeneral(s); got != want {
				t.Fatalf("Fold(%q) = %q, general path %q", s, got, want)
			}
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, seed := range []string{"EXTORSIÓN Cobrança ÉLÈVE Straße", "İstanbul ǄEM ŉ ½ ª", "e\u0301 a\u0308", "ｅｖｉｌ ﬁ", "\xff\xfe x", "ΣΑΣ"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Fold(s), foldGeneral(s); got != want {
			t.Fatalf("Fold(%q) = %q, general path %q", s, got, want)
		}
	})
}

// A word written with the zero-width non-joiner Neutralize keeps
// (Persian, Urdu) is one search word, the same as written without it:
// phones often leave it out, or put it in where a tip did not, and a
// search must find the tip either way. Nor does it split a word in two.
func TestNonJoinerIsNoSearchWordBreak(t *testing.T) {
	for with, without := range map[string]string{
		"می\u200cخواهم":          "میخواهم",
		"نامه\u200cها رسید":      "نامهها رسید",
		"اخاذی در بازار\u200cها": "اخاذی در بازارها",
	} {
		got, want := IndexTokens(Neutralize(with)), IndexTokens(without)
		if !slices.Equal(got, want) || len(want) != len(strings.Fields(without)) {
			t.Errorf("%q: search words %q, want those of %q: %q", with, got, without, want)
		}
	}
}
