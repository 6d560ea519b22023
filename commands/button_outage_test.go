package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// An invited investigator's role is kept in Redis: with Redis down it
// cannot be read, and a genuine decision or publication button the
// investigator presses then is no forged one. The investigator is told
// to try again later (error_storage_retry), as for any press that fails
// on storage, not that the button does not work here (button_invalid),
// which would have them look for another button. Mutation: triageButton
// and publishButton answering forgedButton whatever the role's read
// (roleUnread ignored) -> both presses are answered button_invalid.
func TestTeamButtonsInAnOutageAreToldToTryAgain(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	r := tm.as("2002", "Ana", commands.Request{Command: "next"})
	decide := press(r, "tr:1:verified")
	if decide == "" {
		t.Fatalf("next: %q", texts(r))
	}
	tm.mux.AddSender("telegram", &community{})
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.as("7003", "R", commands.Request{Command: "warn", Args: "retén falso en la carretera"})
	r = tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2"})
	publish := press(r, "pub:2:")
	if publish == "" {
		t.Fatalf("publish: %q", texts(r))
	}
	tm.srv.Stop()
	for _, data := range []string{decide, publish} {
		for _, chat := range []commands.Request{{Callback: data}, {Callback: data, ChatKind: commands.Group, ChatID: "-100777"}} {
			if r := tm.as("2002", "Ana", chat); len(r) != 1 || r[0].Text != tm.text("en", "error_storage_retry", nil) {
				t.Errorf("Ana pressed %q (chat %q) with Redis down: %q, want error_storage_retry", data, chat.ChatID, texts(r))
			}
		}
	}
	// Which answer depends on Redis, not on who pressed: a reporter
	// pressing a team button hears the same.
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: decide}); len(r) != 1 || r[0].Text != tm.text("en", "error_storage_retry", nil) {
		t.Errorf("a reporter pressed %q with Redis down: %q, want error_storage_retry", decide, texts(r))
	}
}
