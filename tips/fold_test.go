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

// A word of a Brahmic script is one search word with its vowel signs:
// the spacing ones (Hindi "भाई", U+093E; Bengali "ভাইকে", U+09BE) cut
// words into pieces, mostly single letters no index keeps, so a tip in
// Hindi or Bengali was found by few of its words or none.
func TestSpacingMarksAreNoSearchWordBreak(t *testing.T) {
	for text, want := range map[string][]string{
		"मेरे भाई को धमकी मिली है":       {"मेरे", "भाई", "को", "धमकी", "मिली", "है"},
		"আমার ভাইকে হুমকি দেওয়া হয়েছে": {"আমার", "ভাইকে", "হুমকি", "দেওয়া", "হয়েছে"},
	} {
		got := IndexTokens(text)
		var folded []string
		for _, w := range want {
			folded = append(folded, Fold(w))
		}
		if !slices.Equal(got, folded) {
			t.Errorf("%q: search words %q, want %q", text, got, folded)
		}
		for _, w := range want { // each word alone, as a search has it
			if one := IndexTokens(w); len(one) != 1 || !slices.Contains(got, one[0]) {
				t.Errorf("%q: %q searches for %q, not one of the tip's words", text, w, one)
			}
		}
	}
	// A mark on nothing (after a space) begins no word, an enclosing mark
	// (a circle drawn around a word) ends one, and Latin text is cut as
	// before.
	if got := IndexTokens("\u093e\u093e ab cd\u0301e hola\u20dd\u20dd x1\ufe0f\u20e3"); !slices.Equal(got, []string{"ab", "cde", "hola", "x1"}) {
		t.Errorf("search words %q", got)
	}
}

// MarkSplitIndexTokens gives the words the index kept before words ran
// across spacing marks (a tip indexed then holds them): pieces, the
// shorter ones dropped; nil for text without such marks.
func TestMarkSplitIndexTokensAreTheOldWords(t *testing.T) {
	if got := MarkSplitIndexTokens("मेरे भाई को धमकी मिली है"); !slices.Equal(got, []string{"मर", "धमक"}) {
		t.Errorf("old words %q", got)
	}
	for _, text := range []string{"extorsión en el mercado", "می\u200cخواهم", "मेरे"} {
		if got := MarkSplitIndexTokens(text); got != nil {
			t.Errorf("%q: old words %q, want none (the same as now)", text, got)
		}
	}
	if got := PastIndexTokens("धमकी xn--e1afmkfd.xn--p1ai"); !slices.Equal(got, []string{"धमक", "пример", "рф", "धमक", "xn", "e1afmkfd", "p1ai"}) {
		t.Errorf("past words %q", got)
	}
}

// Fold keeps the nonspacing marks that spell words in Indic scripts
// (vowel signs, virama, nukta, candrabindu): Hindi "मेरा" ("my") and
// "मरा" ("died") are two words, and so are a search's. Latin accents
// still fold away.
func TestFoldKeepsIndicMarks(t *testing.T) {
	for _, pair := range [][2]string{
		{"मेरा", "मरा"},     // Devanagari vowel sign E
		{"हिंदी", "हिदी"},   // anusvara
		{"पत्नी", "पतनी"},   // virama
		{"ज़मीन", "जमीन"},   // nukta
		{"কুমার", "কমার"},   // Bengali
		{"ਮੁੰਡਾ", "ਮਡਾ"},    // Gurmukhi
		{"ગુનો", "ગનો"},     // Gujarati
		{"கல்", "கல"},       // Tamil pulli
		{"ముప్పు", "ముపపు"}, // Telugu
		{"ಕಿವಿ", "ಕವ"},      // Kannada
		{"കുട്ടി", "കടടി"},  // Malayalam
		{"මිනිස්", "මනස"},   // Sinhala
	} {
		if Fold(pair[0]) == Fold(pair[1]) {
			t.Errorf("Fold(%q) = Fold(%q) = %q: two words, one search word", pair[0], pair[1], Fold(pair[0]))
		}
	}
	for text, want := range map[string][]string{
		"मेरा भाई मरा":               {"मेरा", "भाई", "मरा"},
		"ਮੇਰੇ ਮੁੰਡੇ ਨੂੰ ਧਮਕੀ":        {"ਮੇਰੇ", "ਮੁੰਡੇ", "ਨੂੰ", "ਧਮਕੀ"},
		"ముప్పు వచ్చింది":            {"ముప్పు", "వచ్చింది"},
		"Extorsión en Ciudad Juárez": {"extorsion", "ciudad", "juarez"},
	} {
		if got := IndexTokens(text); !slices.Equal(got, want) {
			t.Errorf("%q: search words %q, want %q", text, got, want)
		}
	}
}
