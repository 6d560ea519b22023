package commands_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// Regions are separated by commas and may have several words; a warning
// names a region when it has all its words, together and in order. A region
// without a usable word is refused, and the answer shows the regions as
// kept.
func TestSubscribeRegionsOfSeveralWords(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	subscribe := func(chat, args string) string {
		t.Helper()
		_, r := tm.inGroup("50", chat, true, commands.Request{Command: "subscribe", Args: args})
		if len(r) != 1 {
			t.Fatalf("/subscribe %s: %+v", args, r)
		}
		return r[0].Text
	}
	if got := subscribe("-1", "Ciudad Juárez"); !strings.Contains(got, "• ciudad juarez\n") || !strings.Contains(got, "Separate regions with commas") {
		t.Fatalf("/subscribe Ciudad Juárez answered %q", got)
	}
	subscribe("-2", "Zona 1")
	if got := subscribe("-3", "Monterrey,  norte ,"); !strings.Contains(got, "• monterrey\n• norte\n") {
		t.Fatalf("two regions answered %q", got)
	}
	subscribe("-4", "norte") // one word, as every region was before
	subscribe("-9", "")      // every warning, so each warning below is published
	for args, bad := range map[string]string{"1": "1", "Zona 1, -": "-", " , ": ","} {
		if got := subscribe("-5", args); got != tm.msg.Localize("en", "subscribe_bad_region", map[string]any{"Text": bad}) {
			t.Fatalf("/subscribe %q answered %q", args, got)
		}
	}
	eleven := "r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11"
	if got := subscribe("-5", eleven); got != tm.msg.Localize("en", "subscribe_too_many_regions", map[string]any{"Max": 10, "MaxChars": 60}) {
		t.Fatalf("eleven regions answered %q", got)
	}
	if _, r := tm.inGroup("50", "-5", true, commands.Request{Command: "unsubscribe"}); r[0].Text != tm.msg.Localize("en", "unsubscribe_none", nil) {
		t.Fatalf("a refused /subscribe subscribed the chat: %q", r[0].Text)
	}
	// Repeated regions count once, as kept: ten regions, one of them
	// written three ways, are ten.
	if got := subscribe("-6", "r1, r2, r3, r4, r5, r6, r7, r8, r9, Norte, norte, NORTE , r1"); !strings.Contains(got, "• r9\n• norte\n") || strings.Count(got, "• ") != 10 {
		t.Fatalf("ten regions, repeated, answered %q", got)
	}
	tm.inGroup("50", "-6", true, commands.Request{Command: "unsubscribe"})

	tm.investigators("2002 Ana")
	want := map[string][]string{
		"Retén falso en la Ciudad de México, salida a Juárez por la zona 10, 1 detenido": {"-9"},
		"Retén falso en Ciudad Juárez, colonia Zona 1":                                   {"-1", "-2", "-9"},
		"Cobran piso en la zona 10 del norte":                                            {"-3", "-4", "-9"},
	}
	id := 0
	for _, text := range []string{"Retén falso en la Ciudad de México, salida a Juárez por la zona 10, 1 detenido", "Retén falso en Ciudad Juárez, colonia Zona 1", "Cobran piso en la zona 10 del norte"} {
		chats := want[text]
		id++
		platform.got = nil
		tm.as(reporterID, "R", commands.Request{Command: "warn", Args: text})
		tm.approve(t, "2002", "Ana", fmt.Sprint(id))
		tm.deliverAll(t)
		for _, chat := range []string{"-1", "-2", "-3", "-4", "-9"} {
			got := len(platform.got[chat]) == 1
			if got != containsString(chats, chat) {
				t.Errorf("%q: chat %s received it: %v", text, chat, got)
			}
		}
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Regions written one a line, as a list on a phone, are as many regions
// as lines, not one region of all their words (which a warning would name
// only with them all together, in that order).
func TestSubscribeRegionsOneALine(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	tm.mux.AddSender("telegram", &community{})
	_, r := tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe", Args: "Ciudad Juárez\nZona 1\r\nCentro,\n Norte\n\n"})
	if len(r) != 1 || !strings.Contains(r[0].Text, "• ciudad juarez\n• zona 1\n• centro\n• norte\n") {
		t.Fatalf("regions one a line answered %+v", r)
	}
}

// A list copied from an app that ends its lines with Unicode's line or
// paragraph separators (U+2028, U+2029, NEL), not "\n", is as many regions
// as lines too: shown one a line, it reads as the same list.
func TestSubscribeRegionsOneALineWithUnicodeSeparators(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	tm.mux.AddSender("telegram", &community{})
	_, r := tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe", Args: "Ciudad Juárez\u2028Zona 1\u2029Centro\u0085Norte\vSur\fEste"})
	if len(r) != 1 || !strings.Contains(r[0].Text, "• ciudad juarez\n• zona 1\n• centro\n• norte\n• sur\n• este\n") {
		t.Fatalf("regions one a line answered %+v", r)
	}
}
