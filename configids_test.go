package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Ids pasted as an operator pastes them are read when they can mean one
// thing only: one a line, apart by ";", in full-width or Arabic-Indic
// digits, with the minus sign "−", a zero-width space or a byte order
// mark. What may mean two things ("1 234": two ids or one) is refused
// with an error naming the variable and the entry's position, never the
// id.
// Mutation: ParseIDList without its mapping (ASCII digits and commas
// alone, as before) → every accepted list is refused.
func TestConfigReadsPastedIDs(t *testing.T) {
	e := validEnv()
	e["VIGIA_ADMINS"] = "\ufefftelegram:1\r\ndiscord:９００１\n"
	e["VIGIA_INVESTIGATORS"] = "telegram:١٢٣; telegram:4\u200b56 ,\n telegram : 789"
	e["VIGIA_INVESTIGATOR_CHATS"] = "telegram:\u2212100123\ntelegram：－100456"
	c, err := loadConfig(env(e), false)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]string{
		"telegram:1,discord:9001":                c.Admins,
		"telegram:123,telegram:456,telegram:789": c.Investigators,
		"telegram:-100123,telegram:-100456":      c.InvestigatorChats,
	} {
		if strings.Join(got, ",") != name {
			t.Errorf("read %q, want %q", got, name)
		}
	}
	for _, bad := range []struct{ name, value, want string }{
		{"VIGIA_INVESTIGATORS", "telegram:1\ntelegram:111 222", "entry 2: the id must be a number (separate entries with commas)"},
		{"VIGIA_ADMINS", "telegram:1;telegram:1.234", "entry 2: the id must be a number"},
		{"VIGIA_INVESTIGATOR_CHATS", "telegram:-100123\ntelegram:--100456", "entry 2: the id must be a number"},
		{"VIGIA_ADMINS", "telegram:1\ntelegram:٠٠٩٩", "entry 2: the id must be written without leading zeros"},
	} {
		e := validEnv()
		e[bad.name] = bad.value
		var errb bytes.Buffer
		code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
		msg := errb.String()
		if code != 2 || !strings.HasPrefix(msg, "vigia: "+bad.name+": "+bad.want) {
			t.Errorf("%s=%q: exit %d, %q", bad.name, bad.value, code, msg)
		}
		for _, v := range []string{"111", "222", "234", "100456", "٩٩"} {
			if strings.Contains(msg, v) {
				t.Errorf("%s: the value was printed: %q", bad.name, msg)
			}
		}
	}
}
