package tips

import "testing"

// FoldLookalikes reads the Cyrillic and Greek letters that look like
// Latin ones as those, capitals (latinCapitals) and small letters
// (confusables) alike, and otherwise folds as Fold: ordinary Latin text,
// accents aside, is Fold's.
func TestFoldLookalikes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"infоrmante", "informante"},           // Cyrillic о
		{"іnfоrmаnte", "informante"},           // Cyrillic і, о, а
		{"ΙΝFΟRΜΑΝΤΕ", "informante"},           // Greek capitals: Ν is n, not v
		{"РЕМЕХ", "pemex"},                     // Cyrillic capitals
		{"Rosаlinda Pérez", "rosalinda perez"}, // Cyrillic а
		{"ＲＯＳＡＬＩＮＤＡ", "rosalinda"},             // full-width
		{"Cobran piso en la calle", "cobran piso en la calle"},
	} {
		if got := FoldLookalikes(c.in); got != c.want {
			t.Errorf("FoldLookalikes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, s := range []string{"Saludos, Pedro Martínez López", "Extorsión en São Paulo", "Ça ne va pas", "ñandú"} {
		if got, want := FoldLookalikes(s), Fold(s); got != want {
			t.Errorf("FoldLookalikes(%q) = %q, Fold %q", s, got, want)
		}
	}
}
