package tips

import (
	"slices"
	"testing"
)

// An account's name in a link with a blank escaped around it (space,
// control or format character: "t.me/vigia_user%00", "%0A", "%20",
// "%7F", "%C2%A0", "%20%40") is the account without them, and one
// inside it ends it, as Telegram opens it ("t.me/vigia_use%00r" is
// "vigia_use"'s, as LinksTelegramAccount reads it): indexed as
// "telegram:vigia_user", never as a key of its own that shows
// investigators the name with a control character in it. On every
// network whose profiles Extract reads. The old readings are past forms
// (PastLinkEntities), for a purge and /forget to take a tip indexed
// then out of them.
// Mutation: profile's handle without accountName (as before) -> fails
// (the handles "vigia_user\x00", "vigia_user\n"… and no past forms).
func TestExtractReadsAccountsNamesWithoutBlanks(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // its handles
		past []string // PastLinkEntities
	}{
		{"ver t.me/vigia_user%00 hoy", []string{"handle:telegram:vigia_user", "handle:vigia_user"}, []string{"handle:telegram:vigia_user\x00", "handle:vigia_user\x00"}},
		{"https://t.me/vigia_user%0A", []string{"handle:telegram:vigia_user", "handle:vigia_user"}, []string{"handle:telegram:vigia_user\n", "handle:vigia_user\n"}},
		{"https://t.me/s/Vigia_User%7F/5", []string{"handle:telegram:vigia_user", "handle:vigia_user"}, []string{"handle:telegram:vigia_user\x7f", "handle:vigia_user\x7f"}},
		{"https://t.me/%00vigia_user", []string{"handle:telegram:vigia_user", "handle:vigia_user"}, []string{"handle:telegram:\x00vigia_user", "handle:\x00vigia_user"}},
		{"https://t.me/vigia_user%20", []string{"handle:telegram:vigia_user", "handle:vigia_user"}, []string{"handle:telegram:vigia_user ", "handle:vigia_user "}},
		{"https://t.me/vigia_user%C2%A0", []string{"handle:telegram:vigia_user", "handle:vigia_user"}, []string{"handle:telegram:vigia_user ", "handle:vigia_user "}},
		{"https://t.me/%20%40vigia_user", []string{"handle:telegram:vigia_user", "handle:vigia_user"}, []string{"handle:telegram: @vigia_user", "handle: @vigia_user"}},
		{"https://t.me/vigia_use%00r", []string{"handle:telegram:vigia_use", "handle:vigia_use"}, []string{"handle:telegram:vigia_use\x00r", "handle:vigia_use\x00r"}},
		{"https://t.me/vigia%20user", []string{"handle:telegram:vigia", "handle:vigia"}, []string{"handle:telegram:vigia user", "handle:vigia user"}},
		{"https://instagram.com/halcon_55%00", []string{"handle:instagram:halcon_55", "handle:halcon_55"}, []string{"handle:instagram:halcon_55\x00", "handle:halcon_55\x00"}},
		// Read alike then and now: no past form.
		{"https://t.me/vigia_user y @halcon_55", []string{"handle:telegram:vigia_user", "handle:vigia_user", "handle:halcon_55"}, nil},
		{"https://t.me/vigia_user%E2%80%8B", []string{"handle:telegram:vigia_user", "handle:vigia_user"}, nil},
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
