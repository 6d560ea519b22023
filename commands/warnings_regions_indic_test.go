package commands_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A region in an Indic script is its words, vowel signs, virama and all:
// "ঢাকা" (Dhaka) was cut at its vowel signs into letters too short to
// name anything and refused, "दिल्ली" (Delhi) kept as "द लल". Each is
// kept whole, and takes the warnings naming it, and only those.
func TestSubscribeIndicRegions(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	for chat, region := range map[string]string{"-1": "ঢাকা", "-2": "दिल्ली", "-3": "मेरठ, কলকাতা"} {
		_, r := tm.inGroup("50", chat, true, commands.Request{Command: "subscribe", Args: region})
		if len(r) != 1 {
			t.Fatalf("/subscribe %s: %+v", region, r)
		}
		for _, each := range strings.Split(region, ", ") {
			if !strings.Contains(r[0].Text, "• "+each+"\n") {
				t.Fatalf("/subscribe %s answered %q", region, r[0].Text)
			}
		}
	}
	tm.inGroup("50", "-9", true, commands.Request{Command: "subscribe"}) // every warning
	tm.investigators("2002 Ana")
	for i, c := range []struct {
		text  string
		chats []string
	}{
		{"ঢাকা শহরে চাঁদাবাজি চলছে", []string{"-1", "-9"}},
		{"दिल्ली में फर्जी नाका लगा है", []string{"-2", "-9"}},
		{"दलाल ने लाल गाड़ी में धमकी दी", []string{"-9"}},
		{"কলকাতা বন্দরে অস্ত্র", []string{"-3", "-9"}},
	} {
		platform.got = nil
		tm.as(reporterID, "R", commands.Request{Command: "warn", Args: c.text})
		tm.approve(t, "2002", "Ana", fmt.Sprint(i+1))
		tm.deliverAll(t)
		for _, chat := range []string{"-1", "-2", "-3", "-9"} {
			if got := len(platform.got[chat]) == 1; got != containsString(c.chats, chat) {
				t.Errorf("%q: chat %s received it: %v", c.text, chat, got)
			}
		}
	}
}
