package tips

import (
	"slices"
	"testing"
)

// A link to a Telegram account reads alike on Telegram's three link
// hosts (t.me, telegram.me, telegram.dog), none of which is a domain
// entity (every tip with a Telegram link would corroborate it), and its
// path's first word in any case: the public preview "t.me/S/name" is
// name, as "t.me/s/name" is, never an account "s". An invite
// ("joinchat") or a private channel's post ("c/…") names no account.
func TestTelegramLinkReadsAlikeOnEveryHost(t *testing.T) {
	for _, link := range []string{
		"t.me/halcon_55", "https://telegram.me/halcon_55", "telegram.dog/halcon_55", "https://Telegram.Dog/Halcon_55?start=1",
		"t.me/s/halcon_55", "T.ME/S/Halcon_55", "https://t.me/S/halcon_55/12?before=40", "TELEGRAM.DOG/s/halcon_55", "telegram.me/S/halcon_55",
	} {
		var got []string
		for _, e := range Extract("cobran por "+link+" ya", "MX") {
			if e.Kind != KindURL {
				got = append(got, e.Key())
			}
		}
		if want := []string{"handle:telegram:halcon_55", "handle:halcon_55"}; !slices.Equal(got, want) {
			t.Errorf("%s: entities %v, want %v", link, got, want)
		}
	}
	for _, link := range []string{"t.me/JoinChat/AbCdEf", "telegram.dog/joinchat/AbCdEf", "T.ME/C/1234/5", "telegram.dog/s/"} {
		for _, e := range Extract("cobran por "+link+" ya", "MX") {
			if e.Kind != KindURL {
				t.Errorf("%s: entity %v, want the link alone", link, e.Key())
			}
		}
	}
}
