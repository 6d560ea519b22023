package tips

import (
	"slices"
	"strings"
	"testing"
)

// A receipt code with punctuation other than a dash between its groups
// (bullets and middle dots, semicolons, ellipses, question or exclamation
// marks, the ideographic comma and full stop) reads as the code to an
// investigator, as README promises ("other punctuation between its
// groups"): it is read and cut. Prose with that punctuation among
// ordinary words asks no lookup.
func TestCutReceiptsTakesPunctuationBetweenGroups(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	g := strings.Split(code, "-")
	for _, sep := range []string{"•", " • ", "∙", "⋅", ";", "; ", "…", " … ", "、", "。", "・", "!", "?", "#", "‧", "⁃", "‖"} {
		written := strings.Join(g, sep)
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi código " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi código gracias" {
			t.Errorf("%q: cut %q %v %v", written, out[0], cut, err)
		}
	}
	for text, want := range map[string][]string{
		"¿Qué? ¡Pagamos! 2024; 5000… cada・viernes • el jefe; la casa. ok": nil,
		"placas AB12 • CD34 • EF56 • GH78 y nada más":                     {"AB12-CD34-EF56-GH78"}, // code-like, looked up, kept
	} {
		var asked []string
		out, cut, err := CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked = codes
			return make([]bool, len(codes)), nil
		})
		if err != nil || cut || out[0] != text || !slices.Equal(asked, want) {
			t.Errorf("%q: asked %q, want %q (%q %v %v)", text, asked, want, out, cut, err)
		}
	}
}
