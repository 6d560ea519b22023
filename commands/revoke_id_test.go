package commands_test

import (
	"errors"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A member's id is written as the platform gives it: /revoke refuses one
// with leading zeros ("telegram:0009001") or written "-0", in the admin's language, and
// revokes no one, neither the member 9001 nor anyone else; the
// configuration's lists refuse it too (such an entry matched no one).
func TestRevokeRefusesIDsWithLeadingZeros(t *testing.T) {
	tm := newTeam(t)
	tm.join("9001", "Nueve")
	queue := func() string {
		r := tm.as("9001", "Nueve", commands.Request{Command: "queue"})
		if len(r) == 0 {
			return ""
		}
		return r[0].Text
	}
	unknown := tm.text("en", "unknown_command", nil)
	if q := queue(); q == unknown {
		t.Fatal("the member did not join")
	}
	for _, c := range []struct{ arg, lang string }{{"telegram:0009001", "en"}, {"telegram:09001", "es"}, {" TELEGRAM:09001 ", "fr"}, {"discord:0123", "pt-BR"}, {"telegram:-0100777", "en"}, {"telegram:-0", "es"}, {"discord:-0", "en"}} {
		want := tm.text(c.lang, "revoke_leading_zero", nil)
		if r := tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: c.arg, Language: c.lang}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("/revoke %s: %q, want %q", c.arg, texts(r), want)
		}
	}
	if q := queue(); q == unknown {
		t.Fatal("member 9001 was revoked by /revoke telegram:0009001")
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:9001"}); len(r) != 1 || r[0].Text != tm.text("en", "revoke_done", map[string]any{"What": "telegram:9001"}) {
		t.Fatalf("/revoke telegram:9001: %q", texts(r))
	}
	if q := queue(); q != unknown {
		t.Fatalf("revoked, member 9001 still runs /queue: %q", q)
	}
	for _, list := range []string{"telegram:0009001", "telegram:1, discord:0042", "telegram:-0100", "telegram:-0", "discord:7, telegram: -0 "} {
		if _, err := commands.ParseIDList(list); !errors.Is(err, commands.ErrLeadingZero) {
			t.Fatalf("ParseIDList(%q): %v, want ErrLeadingZero", list, err)
		}
	}
	if ids, err := commands.ParseIDList("telegram:0, telegram:-100777, discord:9001"); err != nil || len(ids) != 3 {
		t.Fatalf("ids without a leading zero: %q %v", ids, err)
	}
}
