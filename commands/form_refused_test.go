package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// formRefused checks that r tells a report form was NOT received, and
// gives the reporter back what they typed, quoted (only to them).
func formRefused(t *testing.T, e *env, r []commands.Reply) {
	t.Helper()
	head, _, _ := strings.Cut(e.text("en", "form_not_received", map[string]any{"Text": "\x00"}), "\x00")
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, head) || codeRE.FindString(r[0].Text) != "" ||
		!strings.Contains(r[0].Text, "\n"+commands.QuoteMark+" Cobran piso en la farmacia\n"+commands.QuoteMark+" ") ||
		!strings.Contains(r[0].Text, "example") || strings.Contains(r[0].Text, "https://example.org") {
		t.Fatalf("the refused form's answer: %+v", r)
	}
	// Sent anywhere but where the form was opened (a server's ephemeral
	// answer that went by DM), it holds nothing of what was typed.
	if r[0].Instead != e.text("en", "form_not_received_elsewhere", nil) || strings.Contains(r[0].Instead, "piso") {
		t.Fatalf("the refused form's answer elsewhere: %q", r[0].Instead)
	}
}

var refusedForm = commands.Request{FormID: "report", Form: map[string]string{"tip": "Cobran piso en la farmacia", "links": "https://example.org/perfil"}}

// A report form (Discord's modal) submitted past the chat's limit and its
// passes (pastChatLimit) is not received, as before, but no longer in
// silence: the reporter is told, every time, that it was NOT received and
// to send it later, and is given back what they typed, which the closed
// form no longer holds. Nothing of it is kept.
func TestReportFormPastTheChatLimitIsToldNotReceived(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "fr", p, commands.Options{Limits: commands.Limits{MaxMessageRunes: 4096, MaxParts: 30,
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
	// The passes past the limit, spent on an old Send button.
	for range 25 {
		rep(commands.Request{Callback: send})
	}
	if r := rep(commands.Request{Command: "help"}); len(r) != 0 {
		t.Fatalf("past the passes, a command is answered: %+v", r)
	}
	for range 2 {
		formRefused(t, e, rep(refusedForm))
	}
	ctx := context.Background()
	if _, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", wiperID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a draft after the refused forms: %v", err)
	}
	if list, _ := e.store.Recent(ctx, 5); len(list) != 1 {
		t.Fatalf("%d tips", len(list))
	}
}

// So is a form the reporter's limit on messages (VIGIA_LIMIT_MESSAGES)
// refuses: told the first time and every time after, its text given back.
func TestReportFormPastThePartLimitIsToldNotReceived(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "fp", p, commands.Options{Limits: commands.Limits{MaxMessageRunes: 4096, MaxParts: 30,
		MaxChars: 20000, PartsPerHour: 2, TipsPerHour: 20, QueriesPerHour: 300, ChatPerHour: 300}})
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	rep(commands.Request{Text: "Cobran piso en el mercado", MessageID: "10"})
	rep(commands.Request{Text: "los martes", MessageID: "11"})
	for range 2 {
		formRefused(t, e, rep(refusedForm))
	}
	d, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", wiperID))
	if err != nil || d.Parts != 2 {
		t.Fatalf("draft: %+v %v", d, err)
	}
}
