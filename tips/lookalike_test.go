package tips

import (
	"slices"
	"testing"
)

// A word mixing Latin letters with Cyrillic or Greek look-alikes is
// indexed as the Latin word; a word of one script keeps its letters;
// LookalikeIndexTokens gives the words as indexed before, only where
// they differ.
// Mutation: IndexTokens without unconfused -> "Sіnaloa" is "sіnaloa" and
// the test fails; without unconfusedCapitals -> "SΙΝALOA" is "sivaloa",
// "ΝUEVO" "vuevo", "ΗALCONES" "ηalcones", and the test fails.
func TestIndexTokensReadLookalikesInLatinWords(t *testing.T) {
	for text, want := range map[string][]string{
		"Cártel de Sіnaloa":     {"cartel", "sinaloa"}, // Cyrillic і
		"ЅІNALOA":               {"sinaloa"},           // Cyrillic Ѕ, І
		"Sinαloa":               {"sinaloa"},           // Greek α
		"SΙΝALOA":               {"sinaloa"},           // Greek capitals Ι, Ν (Ν folded is ν, "v")
		"ΝUEVO LAREDO":          {"nuevo", "laredo"},   // Greek capital Ν
		"ΗALCONES":              {"halcones"},          // Greek capital Η (folded, η)
		"ΑΘΗΝΑ":                 {"αθηνα"},             // Greek alone: as written
		"аррӏе москва":          {"аррӏе", "москва"},   // Cyrillic alone: as written
		"Ｓｉｎａｌｏａ":               {"sinaloa"},
		"kırmızı araba Sinaloa": {"kırmızı", "araba", "sinaloa"},
	} {
		if got := IndexTokens(text); !slices.Equal(got, want) {
			t.Errorf("IndexTokens(%q) = %q, want %q", text, got, want)
		}
	}
	if got, want := LookalikeIndexTokens("Cártel de Sіnaloa"), []string{"cartel", "sіnaloa"}; !slices.Equal(got, want) {
		t.Errorf("LookalikeIndexTokens: %q, want %q", got, want)
	}
	if got, want := LookalikeIndexTokens("ΗALCONES"), []string{"ηalcones"}; !slices.Equal(got, want) {
		t.Errorf("LookalikeIndexTokens(ΗALCONES): %q, want %q", got, want)
	}
	for _, text := range []string{"Cártel de Sinaloa", "аррӏе москва", "Ｓｉｎａｌｏａ"} {
		if got := LookalikeIndexTokens(text); got != nil {
			t.Errorf("LookalikeIndexTokens(%q) = %q, want nil", text, got)
		}
	}
}
