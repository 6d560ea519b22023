package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// "/status CODE gracias", as reporters type, checks the code and ignores
// the words after it (the code typed in groups too); /forget likewise.
// Words alone, or a code too short, still get the usage answer, and
// /forget forgets nothing.
// Mutation: status and forget reading all of the arguments as the code
// (tips.NormalizeReceipt, as before) → both answer the usage.
func TestStatusAndForgetIgnoreWordsAfterTheCode(t *testing.T) {
	e := newEnv(t, nil)
	code := e.sendTip(reporterID, "me cobran piso en el mercado cada lunes")
	received := e.text("es", "status_received", map[string]any{"Age": e.text("es", "age_under_minute", nil)})
	for _, args := range []string{
		code + " gracias",
		code + ", muchas gracias!",
		strings.ToLower(strings.ReplaceAll(code, "-", " ")) + " gracias",
		code + "\nya mandé fotos",
	} {
		r := e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != received {
			t.Errorf("/status %q: %+v", args, r)
		}
	}
	for _, args := range []string{"gracias", "gracias " + code[:9], code[:14] + " gracias"} {
		r := e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "status_usage", nil) {
			t.Errorf("/status %q: %+v", args, r)
		}
		r = e.do(reporterID, commands.Request{Command: "forget", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "forget_usage", nil) {
			t.Errorf("/forget %q: %+v", args, r)
		}
	}
	r := e.do(reporterID, commands.Request{Command: "forget", Args: code + " por favor", Language: "es-MX"})
	if len(r) != 1 || r[0].Text != e.text("es", "forget_done", nil) {
		t.Errorf("/forget CODE por favor: %+v", r)
	}
}
