package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A colleague who goes by another's name, even written with that one's
// tag, is told apart from them wherever investigators read who did what:
// the tip's history, its claim, a refused decision and /queue show each
// member's own tag first, the one /team shows beside their platform id.
func TestMembersWithTheSameNameAreToldApart(t *testing.T) {
	tm := newTeam(t)
	ana := storage.MemberTag(tm.store.Pseudonym("telegram", "2002"))
	other := storage.MemberTag(tm.store.Pseudonym("telegram", "2003"))
	if ana == other || len(ana) != 5 {
		t.Fatalf("tags %q and %q", ana, other)
	}
	impostor := "[" + ana + "] Ana"
	tm.join("2002", "Ana")
	tm.join("2003", impostor)
	tm.report("7401", "cobran piso en el mercado", "")
	tm.report("7402", "venden droga en la esquina", "")
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	tm.as("2003", impostor, commands.Request{Command: "next"})
	tm.as("2003", impostor, commands.Request{Command: "note", Args: "1 descartado, sin pruebas"})

	real, forged := "["+ana+"] \u2068Ana\u2069", "["+other+"] \u2068"+impostor+"\u2069"
	if r := tm.as("2003", impostor, commands.Request{Command: "triage", Args: "1 dismissed"}); !strings.Contains(r[0].Text, "claimed by "+real+" ") {
		t.Errorf("a decision on Ana's claim: %q", r[0].Text)
	}
	view := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"})[0].Text
	for _, want := range []string{"Claimed by " + real + " ", "· " + real + " took it", "· note by " + forged + ": descartado"} {
		if !strings.Contains(view, want) {
			t.Errorf("/tip 1 does not show %q:\n%s", want, view)
		}
	}
	queue := tm.as(adminID, "Ada", commands.Request{Command: "queue"})[0].Text
	for _, want := range []string{"\n• 1 · " + real + "\n", "\n• 1 · " + forged + "\n"} {
		if !strings.Contains(queue, want) {
			t.Errorf("/queue does not show %q:\n%s", want, queue)
		}
	}
	team := tm.as(adminID, "Ada", commands.Request{Command: "team"})[0].Text
	for _, want := range []string{real + " · telegram:2002 ·", forged + " · telegram:2003 ·"} {
		if !strings.Contains(team, want) {
			t.Errorf("/team does not show %q:\n%s", want, team)
		}
	}
	if tag := storage.MemberTag(tm.store.Pseudonym("telegram", adminID)); !strings.Contains(team, "["+tag+"] telegram:"+adminID+" ·") {
		t.Errorf("/team does not show the configured admin's tag %s:\n%s", tag, team)
	}
}

// tagged is a member's name as investigators read it: behind the tag of
// the Telegram user (storage.MemberTag).
func (e *env) tagged(user, name string) string {
	return "[" + storage.MemberTag(e.store.Pseudonym("telegram", user)) + "] \u2068" + name + "\u2069"
}
