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

// A team's command under its name in a language, read after a slash the
// platform could not mark ("／nota …", "/\u200bnota …"), is read as
// Discord reads "/nota …" from someone who may not run it: a reporter's
// words, kept in a draft, not an unknown command that loses them. A
// team member's is the command.
// Mutation: teamCommand reverting to words on Discord alone (as before)
// -> the reporter's "／nota el del carro rojo…" is an unknown command,
// no draft begun, and the test fails.
func TestSlashLookalikeTeamNamesAreAReportersWords(t *testing.T) {
	e := newEnv(t, nil)
	for _, text := range []string{"／nota el del carro rojo cobra piso", "/\u200bnota el del carro rojo cobra piso", "／siguiente calle a la izquierda"} {
		if r := e.do(reporterID, commands.Request{Text: text, Language: "es"}); press(r, "send:") == "" {
			t.Fatalf("%q is a reporter's words: %q", text, texts(r))
		}
	}
	next := texts(e.do(investigatorID, commands.Request{Command: "next", Language: "es"}))
	if r := e.do(investigatorID, commands.Request{Text: "／siguiente", Language: "es"}); !slices.Equal(texts(r), next) {
		t.Fatalf("an investigator's ／siguiente: %q, want /next's %q", texts(r), next)
	}
}
