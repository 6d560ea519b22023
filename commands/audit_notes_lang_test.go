package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// What the bot adds to an audit entry (a triage or publication button
// pressed, not typed; a question refused at a limit on questions) is
// read in the admin's language, as the rest of /audit is: it was kept as
// English words in the entry's arguments ("1 verified (button)", "1
// (refused: 3 unanswered)"), shown so to an admin reading in Spanish.
func TestAuditNotesAreInTheReadersLanguage(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?", "¿Qué hora?", "¿Dónde?")
	if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuántos?", Language: "es"}); len(r) != 1 || !strings.Contains(r[0].Text, "3") {
		t.Fatalf("a fourth unanswered question: %q", texts(r))
	}
	tm.as("2002", "Ana", commands.Request{Callback: "tr:1:verified", Language: "es"})
	for _, lang := range []string{"es", "fr", "pt-BR", "en"} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "audit", Language: lang})
		if len(r) != 1 {
			t.Fatalf("/audit in %s: %q", lang, texts(r))
		}
		audit := strings.NewReplacer("\u2068", "", "\u2069", "").Replace(r[0].Text)
		for _, want := range []string{
			"/triage 1 verified " + tm.text(lang, "audit_note_button", nil),
			"/ask 1 " + tm.text(lang, "audit_note_ask_open", map[string]any{"Max": storage.MaxOpenQuestions}),
		} {
			if !strings.Contains(audit, want) {
				t.Errorf("/audit in %s lacks %q:\n%s", lang, want, audit)
			}
		}
		if lang != "en" && (strings.Contains(audit, "(button)") || strings.Contains(audit, "refused") || strings.Contains(audit, "unanswered")) {
			t.Errorf("/audit in %s holds English:\n%s", lang, audit)
		}
	}
}

// The role a /redeem joined as is read in the admin's language too: it
// was kept as an English word in the entry's arguments ("/redeem
// investigator code:…"), shown so to an admin reading in Spanish.
func TestAuditRedeemRoleIsInTheReadersLanguage(t *testing.T) {
	tm := newTeam(t)
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite", Args: "investigator"})[0].Text)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code, Language: "es"})
	tag := tm.store.CodeTag(code)
	for _, lang := range []string{"es", "fr", "pt-BR", "en"} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "audit", Language: lang})
		if len(r) != 1 {
			t.Fatalf("/audit in %s: %q", lang, texts(r))
		}
		audit := strings.NewReplacer("\u2068", "", "\u2069", "").Replace(r[0].Text)
		if want := "/redeem " + tm.text(lang, "role_investigator", nil) + " " + tag; !strings.Contains(audit, want) {
			t.Errorf("/audit in %s lacks %q:\n%s", lang, want, audit)
		}
		if lang != "en" && strings.Contains(audit, "/redeem investigator") {
			t.Errorf("/audit in %s holds English:\n%s", lang, audit)
		}
	}
}
