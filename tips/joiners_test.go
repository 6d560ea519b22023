package tips

import (
	"slices"
	"strings"
	"testing"
)

// A zero-width joiner between the ASCII letters or digits of a name
// (pasted from a post that hid the name from filters so) is invisible,
// and Defang takes it out of what investigators read: the entity is the
// name they read, not the part before the joiner ("@sica\u200drio" was
// the handle "sica", "sica\u200drio@mail.example" the address
// "rio@mail.example", "33 1234\u200d5678" no phone,
// "https://pago\u200d-piso.mx" no link). A tip indexed before is under
// those handles, addresses and hashtags, and a phone number read after a
// joiner in the index's region ("044 \u200d55 1234 5678"), past forms
// (PastLinkEntities) for a purge and /forget. Emoji and conjuncts keep
// their joiners.
// Mutations: prepare without dropHostJoiners -> fails (the cut entities);
// PastLinkEntities without the joiners' readings -> fails (no past form);
// the joiners' readings without region -> fails (no past phone).
func TestJoinerInsideANameIsTheName(t *testing.T) {
	const j = "\u200d"
	for _, c := range []struct {
		text string
		past []string // PastLinkEntities
	}{
		{"cobra @sica" + j + "rio_norte cada lunes", []string{"handle:sica"}},
		{"escriban a sica" + j + "rio@mail.example hoy", []string{"email:rio@mail.example"}},
		{"usan #cobro" + j + "depiso", []string{"hashtag:cobro"}},
		// A number after a joiner was read alone, in the region: now
		// the trunk prefix before it is read with it.
		{"llamen al 044 " + j + "55 1234 5678", []string{"phone:+525512345678"}},
		// Phones and links cut by a joiner were not read at all (no
		// past form).
		{"llamen al 33 1234" + j + "5678", nil},
		{"llamen al +52 33 1234 567" + j + "8", nil},
		{"pagan en https://pago" + j + "-piso.mx/cuenta", nil},
		{"ver pago-piso" + j + ".mx", nil},
	} {
		clean := strings.ReplaceAll(c.text, j, "")
		want := keys(Extract(clean, "MX"))
		if got := keys(Extract(c.text, "MX")); !slices.Equal(got, want) {
			t.Errorf("Extract(%q) = %q, want %q (as without the joiner)", c.text, got, want)
		}
		if got := keys(PastLinkEntities(c.text, "MX")); !slices.Equal(got, c.past) {
			t.Errorf("PastLinkEntities(%q) = %q, want %q", c.text, got, c.past)
		}
		if got := keys(PastLinkEntities(clean, "MX")); got != nil {
			t.Errorf("PastLinkEntities(%q) = %q, want none", clean, got)
		}
	}
	// Where no ASCII letter, digit or full stop is next to it, it stays.
	for _, text := range []string{"#👨" + j + "👩" + j + "👧 @र्" + j + "य", "#ශ්" + j + "රී"} {
		if got, want := keys(Extract(text, "MX")), keys(extractRead(text, "MX", false, false, prepareKeepingJoiners)); !slices.Equal(got, want) {
			t.Errorf("Extract(%q) = %q, want %q (joiners kept)", text, got, want)
		}
	}
}

func keys(es []Entity) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Key())
	}
	return out
}
