package tips

import (
	"slices"
	"testing"
)

// The entities a Telegram link was read as before the three link hosts
// were read alike and the path's first word in any case (774bbac): the
// domain telegram.dog, the accounts "s", "joinchat", "c" of a first word
// not in lower case. None for a link read alike then and now.
func TestPastLinkEntities(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"ver telegram.dog/halcon_55 ya", []string{"domain:telegram.dog"}},
		{"https://www.telegram.dog", []string{"domain:telegram.dog"}},
		{"canal https://t.me/S/halcon_55", []string{"handle:telegram:s", "handle:s"}},
		{"T.ME/JoinChat/AbCdEf y telegram.me/C/123/4", []string{"handle:telegram:joinchat", "handle:joinchat", "handle:telegram:c", "handle:c"}},
		{"t.me/%53/halcon_55", []string{"handle:telegram:s", "handle:s"}},
		{"t.me/s/halcon_55 t.me/joinchat/x t.me/c/1 t.me/halcon_55 telegram.me/Halcon", nil},
		{"evil-telegram.dog/x telegram.dog.mx/x", nil},
		{"nada aquí", nil},
	} {
		var got []string
		for _, e := range PastLinkEntities(c.text, "") {
			got = append(got, e.Key())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("PastLinkEntities(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
