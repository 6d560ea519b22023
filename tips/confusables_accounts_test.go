package tips

import (
	"slices"
	"testing"
)

// Cyrillic palochka ӏ (and its capital Ӏ), qa ԛ, we ԝ, Latin alpha ɑ
// and script g ɡ look like l, q, w, a and g: FoldLookalikes reads them
// so ("@vigiɑ_user" is the reporter "@vigia_user"), and a handle with
// one is the handle with the Latin letter ("@ɑlfa_99" is "alfa_99"). A
// tip indexed before is under the key that kept the letter, a past form
// (PastLinkEntities) for a purge and /forget.
// Mutation: confusables without the five letters (pastConfusablePairs
// alone) -> fails (FoldLookalikes and the keys keep them, no past form).
func TestConfusablesReadTheAccountsLookalikeLetters(t *testing.T) {
	for in, want := range map[string]string{
		"@vigiɑ_user":  "@vigia_user",
		"@ӏuis_ԛ":      "@luis_q",
		"Ӏuz ԝeb ɡato": "luz web gato",
		"@ⱭꞬԜ":         "@agw",
	} {
		if got := FoldLookalikes(in); got != want {
			t.Errorf("FoldLookalikes(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		text       string
		want, past []string
	}{
		{"me escribe @ɑlfa_99 cada noche", []string{"handle:alfa_99"}, []string{"handle:ɑlfa_99"}},
		{"canal t.me/ɡato_negro", []string{"handle:telegram:gato_negro", "handle:gato_negro"}, []string{"handle:telegram:ɡato_negro", "handle:ɡato_negro"}},
		{"@Ӏuz_ԝeb", []string{"handle:luz_web"}, []string{"handle:ӏuz_ԝeb"}},
		{"@alfa_99 y @nаrco", []string{"handle:alfa_99", "handle:narco"}, nil},
	} {
		var got, past []string
		for _, e := range Extract(c.text, "") {
			if e.Kind == KindHandle {
				got = append(got, e.Key())
			}
		}
		for _, e := range PastLinkEntities(c.text, "") {
			past = append(past, e.Key())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Extract(%q) handles %q, want %q", c.text, got, c.want)
		}
		if !slices.Equal(past, c.past) {
			t.Errorf("PastLinkEntities(%q) = %q, want %q", c.text, past, c.past)
		}
	}
}
