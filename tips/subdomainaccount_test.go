package tips

import (
	"slices"
	"strings"
	"testing"
)

// "<name>.t.me", Telegram's subdomain form of t.me/<name>, is the
// account name, indexed as t.me/name is ("telegram:name" and its bare
// handle, no domain), written with or without a scheme, with a "_" in
// the name too (no host name to IDNA). A subdomain that is no username
// ("vigia-user.t.me") stays a domain; another host is not Telegram's.
// A tip indexed before under the domain "vigiauser.t.me" is under a past
// form (PastLinkEntities). LinksTelegramAccount reads the name as
// Telegram reads a username where Extract reads no link ("%C2%A0"
// escaped around it).
// Mutations: profile without its "<name>.t.me" case -> fails (no
// account); urlEntities without the "_" fallback or bareHost without
// telegramSubdomain -> fails ("vigia_user.t.me" no link);
// LinksTelegramAccount's last reading without TelegramUsername (as
// before) -> fails ("%C2%A0"); telegramSubdomain without its length
// bound -> fails ("ab.t.me", 33 letters), without "joinchat" -> fails;
// PastLinkEntities without the unbounded reading -> fails (no past
// account of "ab.t.me"); keeping only its handles (not the link) or
// the past reading bounded -> fails (no past "url:ab.t.me",
// "url:a_b.t.me/x", "domain:ab.t.me").
func TestTelegramSubdomainIsTheAccountsLink(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
		past []string
	}{
		{"ver vigia_user.t.me hoy", []string{"handle:telegram:vigia_user", "handle:vigia_user", "url:vigia_user.t.me"}, nil},
		{"https://Vigia_User.t.me/5", []string{"handle:telegram:vigia_user", "handle:vigia_user", "url:vigia_user.t.me/5"}, nil},
		{"https://vigiauser.t.me", []string{"handle:telegram:vigiauser", "handle:vigiauser", "url:vigiauser.t.me"}, []string{"domain:vigiauser.t.me"}},
		{"https://vigia-user.t.me", []string{"domain:vigia-user.t.me", "url:vigia-user.t.me"}, nil},
		{"x.vigia_user.t.me vigia_user.t.me.evil.example", nil, nil},
		// Only a name Telegram gives (4 to 32 letters, digits or "_", not
		// a word t.me/ reads as none) is an account; another is a domain
		// (or no link: a "_" is no host name's), a tip indexed before
		// under the account it was read as is under it as a past form.
		{"https://abcd.t.me", []string{"handle:telegram:abcd", "handle:abcd", "url:abcd.t.me"}, []string{"domain:abcd.t.me"}},
		{"https://" + strings.Repeat("a", 32) + ".t.me", []string{"handle:telegram:" + strings.Repeat("a", 32), "handle:" + strings.Repeat("a", 32), "url:" + strings.Repeat("a", 32) + ".t.me"}, []string{"domain:" + strings.Repeat("a", 32) + ".t.me"}},
		{"https://ab.t.me", []string{"domain:ab.t.me", "url:ab.t.me"}, []string{"handle:telegram:ab", "handle:ab"}},
		{"https://s.t.me", []string{"domain:s.t.me", "url:s.t.me"}, []string{"handle:telegram:s", "handle:s"}},
		{"https://joinchat.t.me", []string{"domain:joinchat.t.me", "url:joinchat.t.me"}, []string{"handle:telegram:joinchat", "handle:joinchat"}},
		{"https://" + strings.Repeat("a", 33) + ".t.me", []string{"domain:" + strings.Repeat("a", 33) + ".t.me", "url:" + strings.Repeat("a", 33) + ".t.me"}, []string{"handle:telegram:" + strings.Repeat("a", 33), "handle:" + strings.Repeat("a", 33)}},
		{"ver " + strings.Repeat("a_", 20) + ".t.me hoy", nil, []string{"handle:telegram:" + strings.Repeat("a_", 20), "handle:" + strings.Repeat("a_", 20), "url:" + strings.Repeat("a_", 20) + ".t.me"}},
		// No link now, the link it was indexed under before is a past
		// form too: "ab.t.me" written bare (and its domain as read before
		// "<name>.t.me" was an account), a name with a "_".
		{"ver ab.t.me hoy", nil, []string{"domain:ab.t.me", "handle:telegram:ab", "handle:ab", "url:ab.t.me"}},
		{"https://a_b.t.me/x", nil, []string{"handle:telegram:a_b", "handle:a_b", "url:a_b.t.me/x"}},
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
	for _, c := range []struct {
		link, name string
		want       bool
	}{
		{"vigia_user.t.me", "vigia_user", true},
		{"https://vigia_user.t.me", "@Vigia_User", true},
		{"https://%C2%A0vigia_user.t.me", "vigia_user", true},
		{"https://vigia%C2%A0.t.me", "vigia", true},
		{"ver https://vigia_user%C2%A0.t.me hoy", "vigia_user", true},
		{"https://vigia_user2%C2%A0.t.me", "vigia_user", false},
		{"https://x%C2%A0vigia_user.t.me", "vigia_user", false},
		{"https://x.vigia_user.t.me", "vigia_user", false},
	} {
		if got := LinksTelegramAccount(c.link, c.name); got != c.want {
			t.Errorf("LinksTelegramAccount(%q, %q) = %v, want %v", c.link, c.name, got, c.want)
		}
	}
}
