package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A reporter's own username or display name written so it reads alike to
// an investigator is told of as written plainly: a username with "_"
// escaped for markdown ("@informante\_anonimo", as Telegram users type
// it), with a Cyrillic or Greek letter that looks like a Latin one
// ("@infоrmante_anonimo", Cyrillic о), full-width; a display name surname
// first with a comma ("Pérez, Rosalinda"), joined by "_" or by an
// invisible character ("Rosalinda\u200bPérez"). A short username written
// bare, a look-alike of another name and a first name alone are still
// not told of. Told or not, the tip is kept as written.
func TestOwnNameWrittenInDisguiseIsPointedOut(t *testing.T) {
	tm := newTeam(t)
	note := tm.text("es", "own_name_in_text", nil)
	const name = "Rosalinda Pérez @informante_anonimo"
	for i, c := range []struct {
		name, text string
		told       bool
	}{
		{name, `soy @informante\_anonimo, me amenazaron`, true},
		{name, `mi usuario: informante\_anonimo`, true},
		{name, `ver t.me/informante\_anonimo`, true},
		{name, "soy @infоrmante_anonimo", true},     // Cyrillic о
		{name, "soy @іnfоrmаnte_аnоnіmо", true},     // Cyrillic і, о, а
		{name, "soy @ΙΝFΟRΜΑΝΤΕ_ΑΝΟΝΙΜΟ hoy", true}, // Greek capitals
		{name, "soy ＠ｉｎｆｏｒｍａｎｔｅ＿ａｎｏｎｉｍｏ", true},     // full-width
		{name, "el usuario @infоrmante_anonimo2 amenaza", false},
		{name, "Cobran piso. Pérez, Rosalinda", true},
		{name, "Cobran piso. PEREZ ROSALINDA", true},
		{name, "Cobran piso. Rosalinda_Pérez", true},
		{name, "Cobran piso. Rosalinda\u200bPérez", true},
		{name, "Cobran piso. Rosalinda\u200b Pérez", true},
		{name, "Cobran piso. Rosаlinda Pérez", true}, // Cyrillic а
		{name, "Cobran piso. Rosalinda la de la tienda", false},
		{name, "Cobran piso en la calle Pérez", false},
		{"Ana R @halco", `el halc\_o y el hаlco de la esquina`, false},
		{"Ana R @halco", `soy @hаlco`, true}, // Cyrillic а, as a handle
		{"María de la Cruz López", "Saludos. Cruz López, María", true},
		{"María de la Cruz López", "Saludos. López, María de la Cruz", true},
		{"María de la Cruz López", "vive en la Cruz, María la sabe", false},
		{"Pedro Martínez López", "Saludos. Martínez, Pedro", true},
		{"Pedro Martínez López", "Saludos. Martínez López, Pedro", true},
	} {
		user := "77" + string(rune('a'+i))
		r := tm.as(user, c.name, commands.Request{Text: c.text, Language: "es", EventID: int64(9700 + i)})
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
