package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A reporter who writes their own username as "<name>.t.me" (Telegram's
// subdomain form of t.me/<name>) is told investigators will read it, a
// blank escaped around the name too ("https://%C2%A0vigia_user.t.me"),
// as for t.me/<name>, and a username written with a lookalike letter
// ("@vigiɑ_user", a Latin alpha). Ordinary tips in Spanish, Portuguese, French and
// Russian, with a "%" in them (LinksTelegramAccount reads them word by
// word) or written in Cyrillic, are not told of.
// Mutation: LinksTelegramAccount's last reading comparing the name whole
// (no TelegramUsername, as before) -> fails (the "%C2%A0" tips not told);
// tips' confusables without ɑ (as before) -> fails ("@vigiɑ_user").
func TestOwnAccountsSubdomainLinkIsPointedOut(t *testing.T) {
	tm := newTeam(t)
	note := tm.text("es", "own_name_in_text", nil)
	for i, c := range []struct {
		name, text string
		told       bool
	}{
		{"Ana R @vigia_user", "me amenazan, soy vigia_user.t.me", true},
		{"Ana R @vigia_user", "me amenazan, soy https://Vigia_User.t.me/5", true},
		{"Ana R @vigia_user", "me amenazan, soy https://%C2%A0vigia_user.t.me", true},
		{"Ana R @vigia", "me amenazan, soy https://vigia%C2%A0.t.me", true},
		{"Ana R @vigia_user", "el que cobra es https://vigia_user2%C2%A0.t.me", false},
		{"Ana R @vigia_user", "escríbanme a @vigiɑ_user", true},
		{"Ana R @vigia_user", "escríbanme a vigiɑ_user.t.me", true},
		{"Ana Rosa @vigia_user", "Cobran piso al 100% de los comercios del mercado, los martes y los viernes.", false},
		{"João Silva @vigia_user", "Estão cobrando 20% de cada venda na feira, perto da estação.", false},
		{"Marie Dubois @vigia_user", "Ils prennent 30 % des recettes, le vendredi près de la gare.", false},
		{"Иван Петров @vigia_user", "Они берут 50% с каждого магазина, каждую пятницу возле вокзала.", false},
		{"Иван Петров @vigia_user", "Вымогают деньги у торговцев на рынке, угрожают оружием.", false},
	} {
		user := "75" + string(rune('a'+i))
		r := tm.as(user, c.name, commands.Request{Text: c.text, Language: "es", EventID: int64(9500 + i)})
		if len(r) != 1 {
			t.Fatalf("%q: %d replies", c.text, len(r))
		}
		if told := strings.Contains(r[0].Text, note); told != c.told {
			t.Errorf("%q writing %q: told %v (want %v): %q", c.name, c.text, told, c.told, r[0].Text)
		}
	}
}
