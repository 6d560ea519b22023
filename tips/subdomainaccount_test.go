package tips

import (
	"slices"
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
// before) -> fails ("%C2%A0").
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
	} {
		var got, past []string
		for _, e := range Extract(c.text, "") {
			got = append(got, e.Key())
		}
		for _, e := range PastLinkEntities(c.text) {
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
