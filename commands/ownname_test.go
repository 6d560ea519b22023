package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A reporter who signs their tip with their own full name, or writes
// their own username, is told investigators will read it (the words are
// kept as written: a tip is not edited behind its reporter's back). A
// first name alone, a name inside another word, a forward naming them
// (someone else's words, evidence) are not told of.
func TestOwnNameInATipIsPointedOut(t *testing.T) {
	tm := newTeam(t)
	const name = "Pedro Martínez @pedro_mtz"
	note := tm.text("es", "own_name_in_text", nil)
	for i, c := range []struct {
		text    string
		forward bool
		told    bool
	}{
		{"Cobran piso en la tienda. Saludos, pedro martinez", false, true},
		{"soy @Pedro_Mtz, me amenazaron", false, true},
		{"mi usuario es pedro_mtz por si necesitan", false, true},
		{"Pedro el de la esquina cobra piso", false, false},
		{"el usuario @pedro_mtz2 amenaza a los tenderos", false, false},
		{"Te vamos a encontrar Pedro Martínez", true, false},
	} {
		user := "70" + string(rune('0'+i))
		req := commands.Request{Text: c.text, Language: "es", EventID: int64(9000 + i)}
		if c.forward {
			req.Forward = &tips.Forward{}
		}
		r := tm.as(user, name, req)
		if len(r) != 1 {
			t.Fatalf("%q: %d replies", c.text, len(r))
		}
		if told := strings.Contains(r[0].Text, note); told != c.told || press(r, "send:") == "" {
			t.Errorf("%q: told %v (want %v): %q", c.text, told, c.told, r[0].Text)
		}
		if !c.told {
			continue
		}
		// Kept as written all the same.
		if _, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", user)); err != nil {
			t.Errorf("%q: no draft: %v", c.text, err)
		}
	}
	// Told for the part that names them, not for every part after it.
	if r := tm.as("700", name, commands.Request{Text: "los martes a las 9", Language: "es", EventID: 9100}); len(r) != 1 || strings.Contains(r[0].Text, note) {
		t.Errorf("a later part without the name: %+v", r)
	}
}

// A display name as people set them: with a flag or an emoji after it,
// with both surnames (a reporter signs with the first), with a note in
// brackets; and a signature spread over two lines. The name is still
// seen. A first name alone, or a name particle beside a word ("de la"),
// is still not.
func TestOwnDecoratedNameInATipIsPointedOut(t *testing.T) {
	tm := newTeam(t)
	note := tm.text("es", "own_name_in_text", nil)
	for i, c := range []struct {
		name, text string
		told       bool
	}{
		{"Pedro Martínez 🇲🇽", "Cobran piso en la tienda. Saludos, Pedro Martínez", true},
		{"Pedro Martínez López", "Cobran piso en la tienda. Atte. Pedro Martínez", true},
		{"Rosa Ruiz (tienda centro)", "Cobran piso. Rosa Ruiz", true},
		{"Pedro Martínez", "Cobran piso en la tienda.\nPedro\nMartínez", true},
		{"🌵 Rosa 🌵", "Rosa vio a los halcones", false},
		{"María de la Cruz", "viven en la calle de la cruz verde", false},
		{"Juan del Río Pérez", "tiran basura al lado del río", false},
	} {
		user := "71" + string(rune('0'+i))
		r := tm.as(user, c.name, commands.Request{Text: c.text, Language: "es", EventID: int64(9200 + i)})
		if len(r) != 1 {
			t.Fatalf("%q: %d replies", c.text, len(r))
		}
		if told := strings.Contains(r[0].Text, note); told != c.told {
			t.Errorf("%q writing %q: told %v (want %v)", c.name, c.text, told, c.told)
		}
	}
}

// A name's parts joined by particles ("María de la Cruz López", "Pedro
// San Juan") are seen when signed with a first name and a surname, the
// particles between them; a surname's particle with the word after it
// alone ("San Juan", "Santa Cruz", "de la Cruz") is a place as often as
// not, and a tip naming the place is not told it holds its reporter's
// name (and asked to rewrite it without).
func TestOwnNameWithParticlesIsPointedOutNotItsPlaces(t *testing.T) {
	tm := newTeam(t)
	note := tm.text("es", "own_name_in_text", nil)
	for i, c := range []struct {
		name, text string
		told       bool
	}{
		{"María de la Cruz López", "Cobran piso en la tienda. Atte. María de la Cruz", true},
		{"Pedro San Juan López", "Cobran piso en la tienda. Saludos, Pedro San Juan", true},
		{"Pedro San Juan", "en la colonia San Juan venden droga", false},
		{"Ana Santa Cruz", "en Santa Cruz hay halcones en cada esquina", false},
		{"María de la Cruz López", "viven en la calle de la cruz verde", false},
		{"Pedro Martínez López", "Cobran piso en la tienda. Atte. Pedro Martínez", true},
	} {
		user := "72" + string(rune('0'+i))
		r := tm.as(user, c.name, commands.Request{Text: c.text, Language: "es", EventID: int64(9300 + i)})
		if len(r) != 1 {
			t.Fatalf("%q: %d replies", c.text, len(r))
		}
		if told := strings.Contains(r[0].Text, note); told != c.told {
			t.Errorf("%q writing %q: told %v (want %v)", c.name, c.text, told, c.told)
		}
	}
}
