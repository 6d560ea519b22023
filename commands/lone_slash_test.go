package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// "/" alone (a command's start sent without its name: Telegram's and
// Discord's list of commands opens at "/") is answered as an unknown
// command, which says to send /help; it begins no draft, and is not
// added to one open: the tip sent after holds only its words.
// Mutation: route without its loneSlash case (as before) -> "/" begins a
// draft (its answer has a Send button), and is kept in the tip.
func TestALoneSlashIsAnUnknownCommand(t *testing.T) {
	e := newEnv(t, nil)
	unknown := e.text("en", "unknown_command", nil)
	for _, text := range []string{"/", " / ", "/\n"} {
		if r := e.do(reporterID, commands.Request{Text: text, Language: "en"}); len(r) != 1 || r[0].Text != unknown || press(r, "send:") != "" {
			t.Fatalf("%q, no draft: %q, want %q", text, texts(r), unknown)
		}
	}
	r := e.do(reporterID, commands.Request{Text: "cobran piso en el mercado", Language: "en"})
	send := press(r, "send:")
	if send == "" {
		t.Fatalf("a tip's words: %q", texts(r))
	}
	if r := e.do(reporterID, commands.Request{Text: "/", Language: "en"}); len(r) != 1 || r[0].Text != unknown {
		t.Fatalf(`"/", a draft open: %q, want %q`, texts(r), unknown)
	}
	if r = e.do(reporterID, commands.Request{Callback: send, Language: "en"}); len(r) == 0 {
		t.Fatal("Send: no answer")
	}
	tip, err := e.store.Tip(context.Background(), "1")
	if err != nil || strings.TrimSpace(tip.Content.Text()) != "cobran piso en el mercado" {
		t.Fatalf("tip #1: %q (%v), want its words alone", tip.Content.Text(), err)
	}
}
