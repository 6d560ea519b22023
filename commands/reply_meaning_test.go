package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /reply drops what is written between the code and the answer only
// when it can part them and nothing else (":", ",", ";", "|", an arrow,
// a dash before words): a comparison mark ("CODE > 5 hombres", "more
// than five men"), a dash before a number ("CODE - 5": maybe "-5"), a
// sign, quotes and emoji are the answer's and delivered with it. Found
// after 51a10cf: "> 5 hombres" was delivered as "5 hombres", "- 5" as
// "5". Mutations: dropPartingWord dropping any word of dashes, colons,
// ">", "=" (as before) → this test fails ("5 hombres", "5", "10 km", "3
// carros" delivered); partingMark trimming "<", ">" and "=" again → it
// fails ("5 hombres" for "CODE>5 hombres"); opensNumber without "," and
// other dashes → it fails ("5 litros" for "CODE:,5 litros", "5" for
// "CODE—5"); opensNumber with "$" alone of the currencies → it fails
// ("€5" for "CODE - €5", "£20" for "CODE — £20").
func TestReplyKeepsWhatMayMeanSomethingBeforeTheAnswer(t *testing.T) {
	for _, c := range []struct{ after, want string }{
		// Words of their own on the code's line (es, en, fr, pt-BR).
		{" > 5 hombres", "> 5 hombres"},
		{" < 10 km", "< 10 km"},
		{" >= 3 carros", ">= 3 carros"},
		{" ≥ 3 voitures", "≥ 3 voitures"},
		{" = 3", "= 3"},
		{" ~ 20 personas", "~ 20 personas"},
		{" - 5", "- 5"},
		{" - 5 grados", "- 5 grados"},
		{" — 5 hombres", "— 5 hombres"},
		{" – 2 carros", "– 2 carros"},
		{" - .5 litros", "- .5 litros"},
		{" - $500", "- $500"},
		{" - €5", "- €5"},
		{" — £20", "— £20"},
		{" - ½ kilo", "- ½ kilo"},
		{" -5 grados", "-5 grados"},
		{" +52 55 1234 5678", "+52 55 1234 5678"},
		{" « 5 » hommes", "« 5 » hommes"},
		{" \"5\" men", "\"5\" men"},
		{" 👉 5 homens", "👉 5 homens"},
		{" 🔫 > 3", "🔫 > 3"},
		{" ... no sé", "... no sé"},
		{" : > 5 hommes", "> 5 hommes"}, // the colon parts, the comparison stays
		{" -> > 5", "> 5"},
		// Separators that can only part: dropped.
		{" : sí", "sí"},
		{" : 5", "5"},
		{" , yes", "yes"},
		{" | 5", "5"},
		{" ; oui", "oui"},
		{" -> sim", "sim"},
		{" => 5", "5"},
		{" → el lunes", "el lunes"},
		{" - el lunes", "el lunes"},
		{" — mais de 5", "mais de 5"},
		{" – lundi", "lundi"},
		{" - 👍", "👍"},
		{" - \"sí\"", "\"sí\""},
		// Against the code.
		{">5 hombres", ">5 hombres"},
		{"<10", "<10"},
		{"=3", "=3"},
		{":>5 hommes", ">5 hommes"},
		{":,5 litros", ",5 litros"},
		{"—5 hombres", "—5 hombres"},
		{":-5 grados", "-5 grados"},
		{"->sí", "sí"},
		{"=>5", "5"},
		{":sí", "sí"},
		{"—El lunes", "El lunes"},
		{":«oui»", "«oui»"},
		{":👍", "👍"},
	} {
		tm, receipt := questioned(t, "¿Cuántos?")
		a := receipt + c.after
		if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: a}); !tm.answered(r) {
			t.Errorf("/reply %q: %q", a, texts(r))
			continue
		}
		if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Cuántos?", c.want) {
			t.Errorf("/reply %q: Ana was told %q, want %q", a, n, c.want)
		}
	}
}
