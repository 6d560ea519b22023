package commands_test

import (
	"strconv"
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

// The first request past the chat's limit is the one told to slow down:
// when it is one that still goes through (a Send press), it is told so
// with its answer, or nobody ever is, and the reporter's next messages
// are refused without a word.
func TestPrivateChatOverLimitFirstOverThroughIsStillTold(t *testing.T) {
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
	told := 0
	count := func(rs []commands.Reply) {
		for _, r := range rs {
			if r.Text == e.text("en", "rate_limited", nil) {
				told++
			}
		}
	}
	r := rep(commands.Request{Callback: send, MessageID: "13"})
	count(r)
	if !containsCode(r) {
		t.Fatalf("Send, the first request over the chat's limit: %+v", r)
	}
	count(rep(commands.Request{Text: "dos hombres", MessageID: "14"}))
	count(rep(commands.Request{Text: "en la esquina", MessageID: "15"}))
	if told != 1 {
		t.Fatalf("told to slow down %d times, want once", told)
	}
}

func containsCode(rs []commands.Reply) bool {
	for _, r := range rs {
		if codeRE.FindString(r.Text) != "" {
			return true
		}
	}
	return false
}

// What still goes through past the chat's limit has a bound of its own:
// a chat pressing an old Send button, or asking for a wipe, over and over
// gets answers (receipts, wipes: a dozen API calls each) only so often,
// then silence like anything else.
func TestPrivateChatOverLimitSendAndWipeAreBounded(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "cl", p, commands.Options{Limits: commands.Limits{MaxMessageRunes: 4096, MaxParts: 30,
		MaxChars: 20000, PartsPerHour: 300, TipsPerHour: 20, QueriesPerHour: 300, ChatPerHour: 3}})
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	send := press(rep(commands.Request{Text: "Cobran piso en el mercado", MessageID: "10"}), "send:")
	rep(commands.Request{Callback: send, MessageID: "11"})
	rep(commands.Request{Text: "los martes", MessageID: "12"})
	rep(commands.Request{Text: "en moto roja", MessageID: "13"}) // told to slow down
	answered := 0
	for i := range 200 {
		if r := rep(commands.Request{Callback: send, MessageID: strconv.Itoa(100 + i)}); len(r) > 0 {
			answered++
		}
	}
	for i := range 200 {
		rep(commands.Request{Command: "wipe", MessageID: strconv.Itoa(300 + i)})
	}
	_, wiped := p.took()
	if answered+len(wiped) > 60 {
		t.Fatalf("past the chat's limit, %d Send presses answered and %d wipes done, of 200 each", answered, len(wiped))
	}
	if answered == 0 {
		t.Fatal("no Send press went through past the chat's limit")
	}
}
