package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

func TestSearchEntitySignalsAndAlert(t *testing.T) {
	tm := newTeam(t)
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	tip := func(user, text string) {
		r := tm.as(user, "R", commands.Request{Text: text})
		tm.as(user, "R", commands.Request{Callback: press(r, "send:")})
		if err := tm.mux.IndexPending(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	tip("7001", "Extorsión en el mercado, cobran del +52 55 1234 5678")
	tip("7001", "otra vez la extorsión, llaman del 5512345678")
	tip("7002", "me extorsionan desde el 55-1234-5678")
	if got := tm.sent.sent["-100777"]; len(got) != 0 {
		t.Fatalf("alert with two distinct reporters: %+v", got)
	}
	tip("7003", "el mismo número (55) 1234 5678 cobra piso en la colonia")
	alerts := tm.sent.sent["-100777"]
	if len(alerts) != 1 || !strings.Contains(alerts[0].Text, "+52 55 1234 5678") || !strings.Contains(alerts[0].Text, " 3 ") {
		t.Fatalf("alert: %+v", alerts)
	}
	tip("7004", "y también el 5512345678 amenaza")
	if len(tm.sent.sent["-100777"]) != 1 {
		t.Fatal("alerted twice in one window")
	}

	r := tm.as("2002", "Ana", commands.Request{Command: "search", Args: "EXTORSION mercado"})
	if !strings.Contains(r[0].Text, "#1 ") || strings.Contains(r[0].Text, "#3 ") {
		t.Fatalf("search: %s", r[0].Text)
	}
	r = tm.as("2002", "Ana", commands.Request{Command: "search", Args: "extorsion 30d extortion"})
	if !strings.Contains(r[0].Text, "#1 ") || !strings.Contains(r[0].Text, "#2 ") || strings.Contains(r[0].Text, "#4 ") {
		t.Fatalf("search with window and category: %s", r[0].Text)
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "search", Args: "30d"}); r[0].Text != tm.msg.Localize("en", "search_usage", nil) {
		t.Fatalf("empty search: %+v", r)
	}
	r = tm.as("2002", "Ana", commands.Request{Command: "entity", Args: "+52 (55) 1234-5678"})
	for _, id := range []string{"#1 ", "#2 ", "#3 ", "#4 ", "#5 "} {
		if !strings.Contains(r[0].Text, id) {
			t.Fatalf("entity lacks %s: %s", id, r[0].Text)
		}
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "entity", Args: "nada que ver"}); r[0].Text != tm.msg.Localize("en", "entity_unknown", nil) {
		t.Fatalf("entity of nothing: %+v", r)
	}
	r = tm.as("2002", "Ana", commands.Request{Command: "signals"})
	if !strings.Contains(r[0].Text, "+52 55 1234 5678 · 4 reporters · 5 tips") {
		t.Fatalf("signals: %s", r[0].Text)
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "signals", Args: "forever"}); r[0].Text != tm.msg.Localize("en", "signals_usage", nil) {
		t.Fatalf("bad window: %+v", r)
	}
	// Reporters cannot search.
	if r = tm.as("7001", "R", commands.Request{Command: "search", Args: "extorsion"}); r[0].Text != tm.msg.Localize("en", "unknown_command", nil) {
		t.Fatalf("reporter search: %+v", r)
	}
	// The queries are audited with their arguments.
	r = tm.as(adminID, "Ada", commands.Request{Command: "audit"})
	for _, want := range []string{"/search EXTORSION mercado", "/entity +52 (55) 1234-5678", "/signals"} {
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("audit lacks %q", want)
		}
	}
}
