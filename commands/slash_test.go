package commands_test

import (
	"slices"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A command's start alone written otherwise than "/" (slashes alone, a
// zero-width space after it, a full-width solidus, addressed to a bot
// but naming no command) is answered as "/" alone is: an unknown
// command, no draft begun.
// Mutation: loneSlash comparing the trimmed text with "/" (as before)
// -> each of these begins a draft and the test fails.
func TestSlashFormsAloneAreAnUnknownCommand(t *testing.T) {
	e := newEnv(t, nil)
	unknown := e.text("en", "unknown_command", nil)
	for _, text := range []string{"//", "/\u200b", "\u200b/", "/\u2060\n", "／", "／／", "/@VigiaBot", "/@otrobot", "/<@12345>", "//@VigiaBot"} {
		if r := e.do(reporterID, commands.Request{Text: text, Language: "en"}); len(r) != 1 || r[0].Text != unknown || press(r, "send:") != "" {
			t.Fatalf("%q: %q, want %q", text, texts(r), unknown)
		}
	}
	for _, text := range []string{"/@VigiaBot cobran piso", "// cobran piso", "/\u200b cobran piso"} {
		if r := e.do(reporterID, commands.Request{Text: text, Language: "en"}); press(r, "send:") == "" {
			t.Fatalf("%q is a tip's words: %q", text, texts(r))
		}
	}
}

// A command the platform could not mark ("／help" from a full-width
// keyboard, "/\u200bhelp") is that command when its name is one of the
// engine's, as Discord reads a DM's "/word"; any other word after it is
// a tip's, as "/ñandú" is on Telegram.
// Mutation: Handle without slashCommand -> "／help" begins a draft and
// the test fails.
func TestSlashLookalikeCommands(t *testing.T) {
	e := newEnv(t, nil)
	help := texts(e.do(reporterID, commands.Request{Command: "help", Language: "en"}))
	for _, text := range []string{"／help", "／ｈｅｌｐ", "　／Help", "/\u200bhelp", "\u200b／help"} {
		if r := e.do(reporterID, commands.Request{Text: text, Language: "en"}); !slices.Equal(texts(r), help) {
			t.Fatalf("%q: %q, want /help's %q", text, texts(r), help)
		}
	}
	// An alias is read as typed after "/" ("ayuda" answers in Spanish).
	ayuda := texts(e.do(reporterID, commands.Request{Command: "ayuda", Language: "en"}))
	if r := e.do(reporterID, commands.Request{Text: "／ayuda", Language: "en"}); !slices.Equal(texts(r), ayuda) {
		t.Fatalf("／ayuda: %q, want /ayuda's %q", texts(r), ayuda)
	}
	for _, text := range []string{"／calle 5 de mayo, hay halcones", "／helpme", "help ／help"} {
		if r := e.do(reporterID, commands.Request{Text: text, Language: "en"}); press(r, "send:") == "" {
			t.Fatalf("%q is a tip's words: %q", text, texts(r))
		}
	}
	// A forward's words are never a command.
	if r := e.do(reporterID, commands.Request{Text: "／cancel", Forward: &tips.Forward{}, Language: "en"}); press(r, "send:") == "" {
		t.Fatalf("a forwarded ／cancel: %q", texts(r))
	}
}
