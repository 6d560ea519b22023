package tips

import "testing"

// A link LinksTelegramAccount does not take for an account's is one
// Extract reads no such account of either: an escape it keeps ("%40",
// "%2F") is one Extract reads decoded, and the index and investigators
// then read the account name. "%2576" is "%76", no account's name.
// Mutation: LinksTelegramAccount without Extract's handle -> fails
// ("t.me/%40vecin", "t.me/@vecin", "t.me/s%2Fvecin" not the account's).
func TestLinksTelegramAccountAsExtractReadsIt(t *testing.T) {
	for _, c := range []struct {
		link string
		want bool
	}{
		{"https://t.me/%40vecin", true},
		{"https://t.me/@Vecin", true},
		{"https://t.me/s%2Fvecin", true},
		{"https://telegram.dog/%40vecin/5", true},
		{"https://t.me/%76ecin", true},
		{"https://t.me/%2576ecin", false},
		{"https://t.me/%40vecino", false},
		{"https://t.me/joinchat%2Fvecin", false},
	} {
		if got := LinksTelegramAccount(c.link, "@vecin"); got != c.want {
			t.Errorf("LinksTelegramAccount(%q, vecin) = %v, want %v", c.link, got, c.want)
		}
	}
}
