package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A link to the reporter's own account with an escape in it opens that
// account, as Telegram reads a username (tips.TelegramUsername): a blank
// or control escape before or after the name ("t.me/%0Avigia_user",
// "t.me/vigia_user%00"), or "@" or "/" escaped ("t.me/%40sol",
// "t.me/s%2Fsol"), whatever the name's length. It is told of; a link to
// another account is not.
func TestOwnNameInEscapedLinkIsPointedOut(t *testing.T) {
	tm := newTeam(t)
	note := tm.text("es", "own_name_in_text", nil)
	for i, c := range []struct {
		name, text string
		told       bool
	}{
		{"Ana R @vigia_user", "ver t.me/vigia_user%00 hoy", true},
		{"Ana R @vigia_user", "ver t.me/%0Avigia_user hoy", true},
		{"Ana R @vigia_user", "ver t.me/%20vigia_user hoy", true},
		{"Ana R @vigia_user", "ver https://t.me/%00vigia_user", true},
		{"Ana R @sol", "ver t.me/%40sol", true},
		{"Ana R @sol", "ver t.me/s%2Fsol", true},
		{"Ana R @sol", "ver t.me/%0Asol", true},
		{"Ana R @sol", "ver t.me/%40sol2 y el 100% del sol", false},
		{"Ana R @vigia_user", "ver t.me/%0Avigia_user2", false},
	} {
		user := "78" + string(rune('a'+i))
		r := tm.as(user, c.name, commands.Request{Text: c.text, Language: "es", EventID: int64(9800 + i)})
		if len(r) != 1 {
			t.Fatalf("%q: %d replies", c.text, len(r))
		}
		if told := strings.Contains(r[0].Text, note); told != c.told {
			t.Errorf("%q writing %q: told %v (want %v): %q", c.name, c.text, told, c.told, r[0].Text)
		}
	}
}
