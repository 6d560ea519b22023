package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A reporter who writes their own username as a handle is told
// investigators will read it, whatever its length: "@halco", or a
// Telegram link that opens the account (t.me, telegram.me, telegram.dog,
// the public preview "t.me/s/…", "halco.t.me", "tg://resolve?domain=…"),
// also with letters percent-escaped in its host or path, as a browser
// opens it ("t.me/%76igia_user", "%74.me/…"). A short username written as
// a plain word ("el halco") is an ordinary word and not told of; nor is a
// link to another account (a longer name, another host that ends in
// "t.me"). Told or not, the tip is kept as written.
func TestOwnHandleLinkedInATipIsPointedOut(t *testing.T) {
	tm := newTeam(t)
	note := tm.text("es", "own_name_in_text", nil)
	for i, c := range []struct {
		name, text string
		told       bool
	}{
		{"Ana R @halco", "me buscan, soy t.me/halco", true},
		{"Ana R @halco", "mi cuenta https://T.ME/Halco?start=1 la vieron", true},
		{"Ana R @halco", "www.telegram.dog/halco y telegram.me/halco/5", true},
		{"Ana R @halco", "ver t.me/s/halco", true},
		{"Ana R @halco", "https://halco.t.me.", true},
		{"Ana R @halco", "tg://resolve?domain=halco", true},
		{"Ana R @halco", "el halco de la esquina cobra piso", false},
		{"Ana R @halco", "el que cobra es t.me/halcon", false},
		{"Ana R @halco", "ver evilt.me/halco y t.me/halco_2 y x.halco.t.me", false},
		{"Ana R @vigia_user", "me amenaza https://t.me/%76igia_user", true},
		{"Ana R @vigia_user", "me amenaza https://%74.me/Vigia_User", true},
		{"Ana R @vigia_user", "tg://resolve?domain=%76igia%5fuser", true},
		{"Ana R @vigia_user", "me amenaza https://t.me/%76igia_user2", false},
		{"Ana R @halco", "me amenaza t.me/%68alco", true},
		{"Ana R @halco", "me amenaza https://%74.me/halco", true},
	} {
		user := "74" + string(rune('a'+i))
		r := tm.as(user, c.name, commands.Request{Text: c.text, Language: "es", EventID: int64(9400 + i)})
		if len(r) != 1 {
			t.Fatalf("%q: %d replies", c.text, len(r))
		}
		if told := strings.Contains(r[0].Text, note); told != c.told || press(r, "send:") == "" {
			t.Errorf("%q writing %q: told %v (want %v): %q", c.name, c.text, told, c.told, r[0].Text)
		}
		d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", user))
		if err != nil || d.Parts != 1 {
			t.Errorf("%q: draft %+v, %v: the tip not kept as written", c.text, d, err)
		}
	}
}
