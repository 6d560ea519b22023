package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A receipt code an investigator types into a note or a label (a
// reporter read it out on a call, say) is not kept (text_holds_code), and
// the audit log keeps it as its tag: Redis holds it in no form, as the
// code, without its dashes or as a group of it.
// Mutation: holdsReceipt answering false → the note and the label are
// kept (note_done, triage_done).
func TestCodesInNotesAndLabelsAreNotInRedis(t *testing.T) {
	tm := newTeam(t)
	code := tm.reportCode("7001", "cobran piso en el mercado")
	compact := strings.ReplaceAll(code, "-", "")
	if r := tm.as(adminID, "Ada", commands.Request{Command: "note", Args: "1 el código es " + code}); r[0].Text != tm.text("en", "text_holds_code", nil) {
		t.Fatalf("/note: %q", r[0].Text)
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 escalated " + compact}); r[0].Text != tm.text("en", "text_holds_code", nil) {
		t.Fatalf("/triage: %q", r[0].Text)
	}
	for k, v := range keyspace(t, tm.srv, "w") {
		for _, form := range []string{code, compact, code[:9]} {
			if strings.Contains(strings.ToUpper(k+" "+v), form) {
				t.Errorf("Redis key %s holds %q", k, form)
			}
		}
	}
}
