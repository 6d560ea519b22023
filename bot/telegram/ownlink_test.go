package telegram

import (
	"fmt"
	"slices"
	"testing"
)

// A link hidden behind words to the sender's own account
// ("tg://user?id=ID", as a mention by id is written) is not kept: the
// reporter does not see it, and investigators would read who reported.
// One to another account (the extortionist's, say) is evidence, kept.
func TestHiddenLinkToTheSendersOwnAccountIsNotKept(t *testing.T) {
	a := testAdapter()
	for _, c := range []struct {
		url  string
		kept bool
	}{
		{"tg://user?id=5550001", false},
		{"TG://User?ID=5550001", false},
		{"tg://user?id=5550001&text=x", false},
		{"tg://openmessage?user_id=5550001", false},
		{"tg://user?id=5550001;x", false},
		{"tg://user?x=1;id=5550001", false},
		{"tg://user?id=0005550001", false},
		{"tg:/user?id=5550001", false},
		{"tg:user?id=5550001", false},
		{"tg:///user/?id=5550001", false},
		{"tg://user?id=%35550001", false},
		{"tg://openmessage?user_id=05550001;a=b", false},
		{"tg://user?id=55500010", true},
		{"tg://user?id=5550001x", false},
		{"tg://user?id=0005550002", true},
		{"tg://resolve?domain=x;id=5550001", true},
		{"tg://user?id=5550002", true},
		{"tg://openmessage?user_id=777", true},
		{"https://evil.example/?id=5550001", true},
	} {
		m := decode(t, fmt.Sprintf(`{"message_id":1,"date":1,"chat":{"id":5550001,"type":"private"},"from":{"id":5550001,"first_name":"x"},`+
			`"text":"mira aquí","entities":[{"type":"text_link","offset":5,"length":4,"url":%q}]}`, c.url))
		req, _ := a.request(1, m)
		if kept := slices.Contains(req.HiddenLinks, c.url); kept != c.kept || req.Text != "mira aquí" {
			t.Errorf("%s: kept %v, want %v (links %q, text %q)", c.url, kept, c.kept, req.HiddenLinks, req.Text)
		}
	}
}
