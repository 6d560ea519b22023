package tips

import "testing"

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
