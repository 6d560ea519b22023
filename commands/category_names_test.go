package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/tips"
)

// A category reads by its name in every language, whole or by a word of
// it, singular or plural, irregular plurals included ("extorsões"); a stem
// or a typo of one is no category ("menac" is not "menaces"), nor are
// three letters.
func TestCategoryNamesAndPluralsReadInEveryLanguage(t *testing.T) {
	tm := newTeam(t)
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	reads := func(typed string) string {
		t.Helper()
		return tm.as(adminID, "Ada", commands.Request{Command: "search", Args: "category:" + typed})[0].Text
	}
	check := func(typed string, want tips.Category) {
		t.Helper()
		got := reads(typed)
		if want == "" {
			if !strings.Contains(got, "window:30d") {
				t.Errorf("category:%s reads as a category: %q", typed, got)
			}
			return
		}
		if line := en("search_filter_category", map[string]any{"Category": en("category_"+string(want), nil)}); !strings.Contains(got, line) {
			t.Errorf("category:%s does not read as %s: %q", typed, want, got)
		}
	}
	// Every name, whole (its spaces as the investigator would leave them
	// out of a filter: the name's words joined), in every language.
	for _, lang := range locales.Supported {
		for _, cat := range tips.Categories {
			name := tm.msg.Localize(lang, "category_"+string(cat), nil)
			if !strings.Contains(name, " ") {
				check(name, cat)
				check(strings.ToUpper(name), cat)
			}
		}
	}
	for _, c := range []struct {
		typed string
		want  tips.Category
	}{
		// pt
		{"extorsões", tips.Extortion}, {"extorsoes", tips.Extortion}, {"Extorsão", tips.Extortion},
		{"corrupções", tips.Corruption}, {"ameaça", tips.Violence}, {"ameaças", tips.Violence},
		{"tráficos", tips.Trafficking}, {"pessoas", tips.Trafficking}, {"desaparecidas", tips.Missing},
		{"violências", tips.Violence}, {"outros", tips.Other},
		// es
		{"extorsiones", tips.Extortion}, {"corrupciones", tips.Corruption}, {"amenaza", tips.Violence},
		{"violencias", tips.Violence}, {"desaparecidas", tips.Missing}, {"droga", tips.Drugs}, {"arma", tips.Weapons},
		// fr
		{"extorsions", tips.Extortion}, {"menace", tips.Violence}, {"menaces", tips.Violence}, {"violence", tips.Violence},
		{"drogues", tips.Drugs}, {"arme", tips.Weapons}, {"disparues", tips.Missing}, {"humain", tips.Trafficking},
		{"corruptions", tips.Corruption}, {"autres", tips.Other},
		// en
		{"extortions", tips.Extortion}, {"drug", tips.Drugs}, {"weapon", tips.Weapons}, {"threat", tips.Violence},
		{"corruptions", tips.Corruption}, {"persons", tips.Missing}, {"others", tips.Other},
		// Participles of either gender, singular or plural (es, pt, fr).
		{"desaparecido", tips.Missing}, {"desaparecidos", tips.Missing}, {"Desaparecida", tips.Missing},
		{"disparu", tips.Missing}, {"disparus", tips.Missing}, {"disparue", tips.Missing},
		{"amenazada", tips.Violence}, {"amenazado", tips.Violence}, {"amenazadas", tips.Violence},
		{"ameaçada", tips.Violence}, {"ameaçados", tips.Violence},
		// Trafficking by its word and the trafficked; "tratado" (a treaty,
		// treated) is not "trata".
		{"trata", tips.Trafficking}, {"Trata", tips.Trafficking}, {"tráfico", tips.Trafficking},
		{"traficada", tips.Trafficking}, {"traficadas", tips.Trafficking}, {"traficado", tips.Trafficking}, {"traficados", tips.Trafficking},
		{"tratado", ""}, {"tratada", ""}, {"tratados", ""}, {"tratadas", ""}, {"Tratado", ""}, {"traficad", ""},
		// French "traite" (trafficking) and its plural; "traité", "traitée"
		// (a treaty, treated) are not it, accents and all.
		{"traite", tips.Trafficking}, {"Traite", tips.Trafficking}, {"traites", tips.Trafficking},
		{"traité", ""}, {"Traité", ""}, {"TRAITÉ", ""}, {"traitée", ""}, {"traités", ""}, {"traitées", ""}, {"traite\u0301", ""},
		// Stems and typos: none.
		{"menac", ""}, {"violenc", ""}, {"extors", ""}, {"extorsio", ""}, {"corrupc", ""}, {"amenaz", ""},
		{"drog", ""}, {"arm", ""}, {"weapo", ""}, {"threates", ""}, {"desaparecid", ""},
		{"menacee", ""}, {"disparition", ""}, {"amenazad", ""}, {"desaparecide", ""}, {"disparo", ""}, {"drogu", ""},
	} {
		check(c.typed, c.want)
	}
}
