package tips

import (
	"slices"
	"strings"
	"testing"
)

// "t.me/<name>" is the account name only where name is one Telegram
// gives, as "<name>.t.me" is (telegramUsername: 4 to 32 letters, digits
// or "_", no word of t.me's own links): "t.me/share/url?…",
// "t.me/addstickers/…", an invitation ("t.me/+…"), "t.me/ab", a name of
// 33 letters or with a "-" open no account, and read as one they made an
// index key that corroborates across tips ("telegram:share" from any two
// shared links). "t.me/boost/<name>" is the channel name, as
// "t.me/s/<name>" is. The link itself stays an entity; a tip indexed
// before under the account it was read as is under it as a past form
// (PastLinkEntities), for a purge or /forget to take it out.
// Mutations: the path's account unbounded (profile's old switch for
// every reading) -> fails ("share", "addstickers", "+invite", "ab", 33
// letters read as accounts); telegramUsername without
// telegramLinkWords -> fails ("share", "addstickers", "share.t.me");
// without its length bound -> fails ("ab", 33 letters); "boost/" not
// read as "s/" is -> fails (no "vecina_x"); PastLinkEntities' unbounded
// reading bounded too -> fails (no past "telegram:share").
func TestTelegramLinkPathIsAnAccountOnlyWhereTelegramGivesOne(t *testing.T) {
	long := strings.Repeat("a", 33)
	for _, c := range []struct {
		text string
		want []string
		past []string
	}{
		{"https://t.me/share/url?url=x", []string{"url:t.me/share/url?url=x"}, []string{"handle:telegram:share", "handle:share"}},
		{"t.me/addstickers/Cartel", []string{"url:t.me/addstickers/Cartel"}, []string{"handle:telegram:addstickers", "handle:addstickers"}},
		{"t.me/+AbCdEfGh", []string{"url:t.me/+AbCdEfGh"}, []string{"handle:telegram:+abcdefgh", "handle:+abcdefgh"}},
		{"t.me/ab", []string{"url:t.me/ab"}, []string{"handle:telegram:ab", "handle:ab"}},
		{"t.me/" + long, []string{"url:t.me/" + long}, []string{"handle:telegram:" + long, "handle:" + long}},
		{"t.me/vecina-x", []string{"url:t.me/vecina-x"}, []string{"handle:telegram:vecina-x", "handle:vecina-x"}},
		{"t.me/boost/vecina_x", []string{"handle:telegram:vecina_x", "handle:vecina_x", "url:t.me/boost/vecina_x"}, []string{"handle:telegram:boost", "handle:boost"}},
		{"https://share.t.me", []string{"domain:share.t.me", "url:share.t.me"}, []string{"handle:telegram:share", "handle:share"}},
		// A username Telegram gives reads as before, on every host and
		// form.
		{"t.me/abcd", []string{"handle:telegram:abcd", "handle:abcd", "url:t.me/abcd"}, nil},
		{"t.me/" + long[1:], []string{"handle:telegram:" + long[1:], "handle:" + long[1:], "url:t.me/" + long[1:]}, nil},
		{"telegram.me/Vecina_X/12", []string{"handle:telegram:vecina_x", "handle:vecina_x", "url:telegram.me/Vecina_X/12"}, nil},
		{"t.me/s/vecina_x", []string{"handle:telegram:vecina_x", "handle:vecina_x", "url:t.me/s/vecina_x"}, nil},
		{"t.me/%40vigia_user", []string{"handle:telegram:vigia_user", "handle:vigia_user", "url:t.me/%40vigia_user"}, nil},
		{"t.me/v%D0%B5cina_x", []string{"handle:telegram:vecina_x", "handle:vecina_x", "url:t.me/v%D0%B5cina_x"}, nil},
	} {
		var got, past []string
		for _, e := range Extract(c.text, "") {
			got = append(got, e.Key())
		}
		for _, e := range PastLinkEntities(c.text, "") {
			past = append(past, e.Key())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Extract(%q) = %q, want %q", c.text, got, c.want)
		}
		if !slices.Equal(past, c.past) {
			t.Errorf("PastLinkEntities(%q) = %q, want %q", c.text, past, c.past)
		}
	}
}
