package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A reporter whose private chat ran past VIGIA_LIMIT_CHAT (forwarding a
// long threatening conversation, say) can still press Send, so the draft
// does not wait unsendable until it is dropped as idle, can still submit
// the report form, whose text would be lost with it, and can still wipe
// the chat, now or later: all were silently refused for the rest of the
// hour. Anything else stays refused, without a word.
func TestPrivateChatOverLimitCanStillSendAndWipe(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "cl", p, commands.Options{Limits: commands.Limits{MaxMessageRunes: 4096, MaxParts: 30,
		MaxChars: 20000, PartsPerHour: 300, TipsPerHour: 20, QueriesPerHour: 300, ChatPerHour: 3}})
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	send := press(rep(commands.Request{Text: "Cobran piso en el mercado", MessageID: "10"}), "send:")
	rep(commands.Request{Text: "los martes", MessageID: "11"})
	rep(commands.Request{Text: "en moto roja", MessageID: "12"})
	if r := rep(commands.Request{Text: "dos hombres", MessageID: "13"}); len(r) != 1 || r[0].Text != e.text("en", "rate_limited", nil) {
		t.Fatalf("the fourth request in the hour: %+v", r)
	}
	if r := rep(commands.Request{Command: "help", MessageID: "14"}); len(r) != 0 {
		t.Fatalf("a flood gets answers: %+v", r)
	}
	// The report form (Discord): its text is gone from the closed form.
	if r := rep(commands.Request{FormID: "report", Form: map[string]string{"tip": "Cobran piso en la farmacia"}}); len(r) != 1 || !strings.HasPrefix(r[0].Text, e.text("en", "draft_added", nil, 4)) {
		t.Fatalf("the report form over the chat's limit: %+v", r)
	}
	if r := rep(commands.Request{Callback: send, MessageID: "15"}); len(r) == 0 || codeRE.FindString(r[0].Text) == "" {
		t.Fatalf("Send over the chat's limit: %+v", r)
	}
	if r := rep(commands.Request{Callback: "wipe:60", MessageID: "16"}); len(r) != 1 || r[0].Text != e.text("en", "wipe_scheduled", map[string]any{"Delay": "1 hour"}) {
		t.Fatalf("a wipe button over the chat's limit: %+v", r)
	}
	rep(commands.Request{Command: "wipe", MessageID: "17"})
	if _, wiped := p.took(); len(wiped) != 1 || wiped[0] != wiperID+"/17" {
		t.Fatalf("/wipe over the chat's limit wiped %v", wiped)
	}
}
