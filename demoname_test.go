package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/tips"
)

// The demo's investigator is named in the language the session speaks
// when they act: switched to Spanish or French, a tip claimed says
// "Asignada a [tag] investigador" or "Attribué à [tag] enquêteur", not
// the English name the demo started with.
// Mutation: the identities labelled once, in the start language (as
// before) -> this test fails (the claim reads "⁨investigator⁩").
func TestDemoInvestigatorNameFollowsTheLanguage(t *testing.T) {
	for _, c := range []struct{ lang, name string }{{"es", "investigador"}, {"fr", "enquêteur"}} {
		script := strings.Join([]string{
			"cobran piso en el mercado de abastos",
			"#10", // Send
			"/as investigator",
			"/language " + c.lang,
			"/next",
			"/quit",
		}, "\n") + "\n"
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"demo"}, env(nil), strings.NewReader(script), &out, &errb); code != 0 {
			t.Fatalf("vigia demo: exit %d, stderr %q", code, errb.String())
		}
		_, claimed, ok := strings.Cut(out.String(), c.name+"> /next\n")
		if !ok {
			t.Fatalf("no /next in the session:\n%s", out.String())
		}
		if !strings.Contains(claimed, "] \u2068"+c.name+"\u2069") || strings.Contains(claimed, "\u2068investigator\u2069") {
			t.Errorf("/language %s, then /next: the claimer is not named %q:\n%s", c.lang, c.name, claimed)
		}
	}
}

// /as takes the identities' names in every language the bot speaks
// ("/as investigador", "/as ENQUETEUR", "/as denunciante"), as well as
// the English role, whatever the session speaks; and the demo's lines
// that say how to switch (the banner, /as alone, a message sent to the
// other chat) name them in the session's language: "escribe /as
// investigador", never "/as investigator" in a Spanish sentence; so does
// the prompt ("investigador> /recent"). Before,
// only "reporter" and "investigator" switched: "/as investigador" was
// answered demo_as_usage, in English words. Mutations: named matching
// Role alone (as before) -> every localised name fails to switch;
// demo_as_usage filled without names (as before, with the English words
// in the text) -> the usage checks fail; the prompt as the Role (as
// before) -> the switch checks fail in es, pt-BR and fr.
func TestDemoRoleNamesInEveryLanguage_oracle(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	names := func(lang string) map[string]any {
		return map[string]any{"Reporter": msg.Localize(lang, "demo_role_reporter", nil), "Investigator": msg.Localize(lang, "demo_role_investigator", nil)}
	}
	// One role's name in a language is no other role's in any: "/as X"
	// means one identity.
	seen := map[string]string{}
	for _, lang := range locales.Supported {
		for role, name := range names(lang) {
			k := tips.Fold(name.(string))
			if other, ok := seen[k]; ok && other != role {
				t.Fatalf("%q names both %s and %s", name, other, role)
			}
			seen[k] = role
		}
	}
	for _, session := range locales.Supported {
		for _, lang := range locales.Supported {
			n := names(lang)
			inv, rep := n["Investigator"].(string), n["Reporter"].(string)
			script := strings.Join([]string{
				"/language " + session,
				"/as " + strings.ToUpper(tips.Fold(inv)), // any case, without accents
				"/recent",
				"/as " + rep,
				"hola",
				"/as",
				"/quit",
			}, "\n") + "\n"
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"demo"}, env(nil), strings.NewReader(script), &out, &errb); code != 0 {
				t.Fatalf("vigia demo: exit %d, stderr %q", code, errb.String())
			}
			s := out.String()
			// The prompt names who is played in the session's language.
			prompt := names(session)
			if !strings.Contains(s, "\n"+prompt["Investigator"].(string)+"> /recent\n") {
				t.Errorf("session %s: /as %s did not switch to the investigator:\n%s", session, strings.ToUpper(tips.Fold(inv)), s)
			}
			if !strings.Contains(s, "\n"+prompt["Reporter"].(string)+"> hola\n") {
				t.Errorf("session %s: /as %s did not switch back to the reporter:\n%s", session, rep, s)
			}
			usage := msg.Localize(session, "demo_as_usage", names(session))
			if !strings.Contains(s, "  "+usage+"\n") {
				t.Errorf("session %s: /as alone is not answered %q:\n%s", session, usage, s)
			}
			for _, name := range names(session) {
				if !strings.Contains(usage, "/as "+name.(string)) {
					t.Errorf("session %s: %q does not name %q", session, usage, name)
				}
			}
		}
	}
	// The banner, in the default language, names them in it.
	for _, lang := range locales.Supported {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"demo"}, env(map[string]string{"VIGIA_DEFAULT_LANGUAGE": lang}), strings.NewReader("/quit\n"), &out, &errb); code != 0 {
			t.Fatalf("vigia demo: exit %d, stderr %q", code, errb.String())
		}
		banner, _, _ := strings.Cut(out.String(), "\n\n")
		for _, name := range names(lang) {
			if !strings.Contains(banner, "/as "+name.(string)) {
				t.Errorf("%s banner does not say /as %s:\n%s", lang, name, banner)
			}
		}
	}
}
