package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A reporter known in a Discord server by a nickname (the adapter hands
// Member.Nick on as Request.Nickname) who signs with it is told
// investigators will read it, as for their display name: in a tip and in
// a /warn. The nickname counts as a display name: of two words or more
// (one word alone, "Chuy", is too common to tell), never as a username
// ("@chuy_ramirez" written bare is no handle). Without the nickname the
// same words are no one's.
// Mutation: namedBySender reading Name only (Nickname ignored) -> fails
// (the nickname's cases not told); the nickname's "@" kept (read as a
// username) -> fails ("chuy_ramirez" told).
func TestOwnServerNicknameIsPointedOut(t *testing.T) {
	tm := newTeam(t)
	note := tm.text("es", "own_name_in_text", nil)
	sent := tm.text("es", "own_name_sent", nil)
	for i, c := range []struct {
		nick, text string
		warn       bool
		told       bool
	}{
		{"Chuy Ramírez", "cobran piso en el mercado. Saludos, Chuy Ramirez", false, true},
		{"Chuy Ramírez 🇲🇽", "cobran piso en el mercado. Ramírez, Chuy", false, true},
		{"@Chuy Ramírez", "cobran piso en el mercado, chuy ramírez", false, true},
		{"Chuy Ramírez", "cobran piso en el mercado. Saludos, Chuy Ramirez", true, true},
		{"Chuy", "Chuy dice que cobran piso en el mercado", false, false},
		{"@chuy_ramirez", "chuy_ramirez cobra piso en el mercado", false, false},
		{"", "cobran piso en el mercado. Saludos, Chuy Ramirez", false, false},
		{"Chuy Ramírez", "cobran piso en el mercado los martes", false, false},
	} {
		user := "76" + string(rune('a'+i))
		req := commands.Request{Text: c.text, Language: "es", EventID: int64(9600 + i), Nickname: c.nick}
		want := note
		if c.warn {
			req = commands.Request{Command: "warn", Args: c.text, Language: "es", EventID: int64(9600 + i), Nickname: c.nick}
			want = sent
		}
		r := tm.as(user, "Jesús R @vecino_x", req)
		if len(r) != 1 {
			t.Fatalf("%q: %d replies", c.text, len(r))
		}
		if told := strings.Contains(r[0].Text, want); told != c.told {
			t.Errorf("nickname %q writing %q (warn %v): told %v (want %v): %q", c.nick, c.text, c.warn, told, c.told, r[0].Text)
		}
	}
}

// The own-name notes are true of a server nickname too: they name a
// nickname beside the name and username, and do not say the account
// shows it (a Discord server nickname is the server's, not the
// account's), in every language.
// Mutation: the notes' old wording ("as your account shows them") back in
// any language -> fails.
func TestOwnNameNotesAreTrueOfANickname(t *testing.T) {
	tm := newTeam(t)
	for _, c := range []struct{ lang, nickname, account string }{
		{"en", "nickname", "your account"},
		{"es", "apodo", "tu cuenta"},
		{"fr", "pseudo", "votre compte"},
		{"pt-BR", "apelido", "sua conta"},
	} {
		for _, id := range []string{"own_name_in_text", "own_name_sent", "own_name_owed"} {
			s := tm.text(c.lang, id, nil)
			if !strings.Contains(s, c.nickname) || strings.Contains(s, c.account) {
				t.Errorf("%s %s: %q names no %q, or says %q shows it", c.lang, id, s, c.nickname, c.account)
			}
		}
	}
}
