package tips

import (
	"slices"
	"strings"
	"testing"
)

// telegramHandles are the Telegram accounts Extract reads in text.
func telegramHandles(text string) []string {
	var out []string
	for _, e := range Extract(text, "") {
		if h, ok := strings.CutPrefix(e.Value, "telegram:"); e.Kind == KindHandle && ok {
			out = append(out, h)
		}
	}
	return out
}

// "<name>.t.me" and "t.me/<name>" open the same account: whatever name
// is (a hostile one of thousands of letters too), where the subdomain
// form is read as an account it is one Telegram gives (4 to 32 letters,
// digits or "_"), and, name written as a username, the account the path
// form reads, LinksTelegramAccount saying so of both.
// Mutation: telegramSubdomain without its bound or without "joinchat"
// -> the seeds fail ("s", "c", "joinchat", 40 letters).
func FuzzTelegramSubdomainIsThePathsAccount(f *testing.F) {
	for _, s := range []string{"vigia_user", "Vigia_User", "ab", "www", "s", "c", "joinchat", "_abc_", "9abcde", strings.Repeat("a", 40), strings.Repeat("b", 100000), "vigia-user", "x.vigia"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		sub := telegramHandles("https://" + name + ".t.me")
		if len(sub) == 0 {
			return
		}
		if h := sub[0]; len(h) < 4 || len(h) > 32 || TelegramUsername(h) != h {
			t.Errorf("%q: %s.t.me is the account %q, no username Telegram gives", name, name, h)
		}
		if TelegramUsername(name) != name {
			return // a blank, "/", "." in it: the two links are not of one name
		}
		path := telegramHandles("https://t.me/" + name)
		if !slices.Equal(sub, path) {
			t.Errorf("%q: %s.t.me is %q, t.me/%s %q", name, name, sub, name, path)
		}
		if !LinksTelegramAccount("https://"+name+".t.me", sub[0]) || !LinksTelegramAccount("https://t.me/"+name, sub[0]) {
			t.Errorf("%q: LinksTelegramAccount does not read %q in both forms", name, sub[0])
		}
	})
}
