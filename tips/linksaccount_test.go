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

// A link whose account name has a blank escaped before or after it
// (space, control, format character) or a character no username holds
// after it is read as Telegram reads the username, what follows ignored:
// the account's. A longer name, or one with letters before, is another's.
// Mutation: LinksTelegramAccount comparing the whole first word (without
// TelegramUsername) -> fails ("%00", "%20", "%0A", "%7F" not the account's).
func TestLinksTelegramAccountReadsTheUsernameAsTelegramDoes(t *testing.T) {
	for _, c := range []struct {
		link string
		want bool
	}{
		{"https://t.me/vigia_user%00", true},
		{"https://t.me/vigia_user%20", true},
		{"https://t.me/vigia_user%0A", true},
		{"https://t.me/vigia_user%7F", true},
		{"https://t.me/vigia_user%C2%A0", true},
		{"https://t.me/vigia_user%E2%80%8B", true},
		{"https://t.me/vigia_user%3F", true},
		{"https://t.me/s/Vigia_User%09/5", true},
		{"https://t.me/%20vigia_user", true},
		{"https://t.me/%20@vigia_user", true},
		{"https://t.me/@%20vigia_user%00", true},
		{"https://t.me/%20%40vigia_user", true},
		{"https://t.me/x@vigia_user", false},
		{"https://t.me/%20@vigia_user2", false},
		{"https://t.me/vigia_user", true},
		{"https://t.me/vigia_user2%00", false},
		{"https://t.me/vigia_use%00r", false},
		{"https://t.me/x%00vigia_user", false},
		{"https://t.me/%2576igia_user", false},
	} {
		if got := LinksTelegramAccount(c.link, "@vigia_user"); got != c.want {
			t.Errorf("LinksTelegramAccount(%q, vigia_user) = %v, want %v", c.link, got, c.want)
		}
	}
	for in, want := range map[string]string{
		"vigia_user\x00": "vigia_user", " \u200bvigia_user\n": "vigia_user", "vigia_user!x": "vigia_user",
		"x vigia_user": "x", "": "", "\x00": "", "Vigia_User": "Vigia_User",
	} {
		if got := TelegramUsername(in); got != want {
			t.Errorf("TelegramUsername(%q) = %q, want %q", in, got, want)
		}
	}
}
