package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A group over its hourly limit: an invitation code written there (after
// /redeem, in a /warn, after any command) was seen by everyone, and is
// void as within the limit, its message removed.
func TestGroupOverItsLimitVoidsInvitationCodes(t *testing.T) {
	sent := &recorder{}
	limits := commands.DefaultLimits
	limits.ChatPerHour = 3
	e, srv := newEngine(t, "w", sent, commands.Options{Retention: 24 * time.Hour, Limits: limits, Roles: commands.Roles{"telegram:" + adminID: commands.Admin}})
	tm := &team{env: e, srv: srv, sent: sent}
	for range 3 { // someone else spends the group's counter
		tm.inGroup("6666", "-1", false, commands.Request{Command: "help"})
	}
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	for i, cmd := range []string{"redeem", "warn", "help"} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		if code == "" {
			t.Fatal("no invitation code")
		}
		w, r := tm.inGroupAsIs("7777", "-1", commands.Request{Command: cmd, Args: code, CommandAtStart: true})
		if !w.deleted {
			t.Errorf("/%s CODE over the group's limit was left in view", cmd)
		}
		if len(r) != 1 || !strings.HasSuffix(r[0].Text, en("redeem_void_in_group")) {
			t.Errorf("/%s CODE over the group's limit: %+v, want the group told the code is void", cmd, r)
		}
		if r := tm.as("400"+string(rune('4'+i)), "Eve", commands.Request{Command: "redeem", Args: code}); len(r) == 0 || r[0].Text != en("redeem_bad") {
			t.Errorf("/%s CODE over the group's limit: the code still works: %+v", cmd, r)
		}
	}
}

// A group over its hourly limit (anyone there can use it up on purpose):
// a tip's receipt code under any command is removed as within the limit,
// and an invitation code in a link shown as words is void too.
func TestGroupOverItsLimitRemovesReceiptCodes(t *testing.T) {
	sent := &recorder{}
	limits := commands.DefaultLimits
	limits.ChatPerHour = 3
	e, srv := newEngine(t, "w", sent, commands.Options{Retention: 24 * time.Hour, Limits: limits, Roles: commands.Roles{"telegram:" + adminID: commands.Admin}})
	tm := &team{env: e, srv: srv, sent: sent}
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	if receipt == "" {
		t.Fatal("no receipt")
	}
	for range 3 { // someone else spends the group's counter
		tm.inGroup("6666", "-1", false, commands.Request{Command: "help"})
	}
	for _, cmd := range []string{"help", "wipe", "nope"} {
		if w, _ := tm.inGroupAsIs("7777", "-1", commands.Request{Command: cmd, Args: receipt, Text: "/" + cmd + " " + receipt, CommandAtStart: true}); !w.deleted {
			t.Errorf("/%s RECEIPT over the group's limit was left in view", cmd)
		}
	}
	// A code of no tip is the group's: left.
	if w, _ := tm.inGroupAsIs("7777", "-1", commands.Request{Command: "help", Args: "ABCD-EFGH-JKMN-PQRS", Text: "/help ABCD-EFGH-JKMN-PQRS", CommandAtStart: true}); w.deleted {
		t.Errorf("/help with a code of no tip over the group's limit was removed")
	}
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	w, _ := tm.inGroupAsIs("7777", "-1", commands.Request{Command: "help", Args: "mira aquí", Text: "/help mira aquí", CommandAtStart: true,
		HiddenLinks: []string{"https://example.org/unirse?c=" + code}})
	if !w.deleted {
		t.Errorf("/help with an invitation code in a link over the group's limit was left in view")
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); len(r) == 0 || r[0].Text != tm.msg.Localize("en", "redeem_bad", nil) {
		t.Errorf("an invitation code in a link over the group's limit still works: %+v", r)
	}
}
