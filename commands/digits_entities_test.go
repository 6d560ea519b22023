package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A phone number typed with Arabic-Indic or Persian digits is a phone
// number: /publish flags it in a warning (it may be the sender's own) and
// a tip naming it is found by /entity, however the number is written.
func TestPhoneInArabicIndicDigits(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	tm.mux.AddSender("telegram", &community{})
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana")
	flag := tm.msg.Localize("en", "publish_identifying", nil) + "\n• phone number: +52 55 1111 2222"
	for i, text := range []string{"Retén falso en la carretera, llámame al ٥٥١١١١٢٢٢٢", "Retén falso en la carretera, llámame al ۵۵۱۱۱۱۲۲۲۲"} {
		tm.as(reporterID, "R", commands.Request{Command: "warn", Args: text})
		id := string(rune('1' + i))
		if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: id}); len(r) != 1 || !strings.Contains(r[0].Text, flag) {
			t.Errorf("the preview of %q does not flag the phone: %+v", text, r)
		}
	}

	tm.report("7001", "Cobran piso, llaman del ٥٥١٢٣٤٥٦٧٨", "")
	for _, query := range []string{"5512345678", "٥٥١٢٣٤٥٦٧٨", "+52 55 1234 5678"} {
		r := tm.as("2002", "Ana", commands.Request{Command: "entity", Args: query})
		if len(r) != 1 || !strings.Contains(r[0].Text, "#3 ") {
			t.Errorf("/entity %s: %+v", query, r)
		}
	}
}
