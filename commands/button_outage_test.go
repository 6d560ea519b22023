package commands_test

import (
	"strings"
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

// An invited investigator's command typed while Redis is down: the role
// cannot be read, so the command is not refused as unknown (which would
// tell an investigator that /next no longer exists) but answered, in the
// sender's language, that storage is briefly unavailable. So is every
// command the engine cannot place then, an unknown one and a reporter's
// included: the answer depends on Redis, so it tells no one which
// commands exist. Before, each was answered unknown_command. Mutation:
// the roleUnread check before unknown_command removed -> every case fails.
func TestInvitedInvestigatorsCommandInAnOutageIsToldToTryAgain(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	if r := tm.as("2002", "Ana", commands.Request{Command: "next"}); len(r) == 0 || !strings.Contains(r[0].Text, "#1") {
		t.Fatalf("next before the outage: %q", texts(r))
	}
	tm.srv.Stop()
	for _, c := range []struct{ user, cmd, args string }{
		{"2002", "next", ""}, {"2002", "queue", ""}, {"2002", "tip", "1"}, {"2002", "triage", "1 verified"},
		{"2002", "bogus", ""}, {reporterID, "triage", "1 verified"}, {reporterID, "bogus", ""},
	} {
		for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
			r := tm.as(c.user, "X", commands.Request{Command: c.cmd, Args: c.args, Language: lang})
			if want := tm.text(lang, "error_storage_retry", nil); len(r) != 1 || r[0].Text != want {
				t.Errorf("%s sent /%s %s in %s with Redis down: %q, want %q", c.user, c.cmd, c.args, lang, texts(r), want)
			}
		}
	}
}
