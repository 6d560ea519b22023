package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
		_, claimed, ok := strings.Cut(out.String(), "investigator> /next\n")
		if !ok {
			t.Fatalf("no /next in the session:\n%s", out.String())
		}
		if !strings.Contains(claimed, "] \u2068"+c.name+"\u2069") || strings.Contains(claimed, "\u2068investigator\u2069") {
			t.Errorf("/language %s, then /next: the claimer is not named %q:\n%s", c.lang, c.name, claimed)
		}
	}
}
