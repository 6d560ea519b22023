package discord

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// special are the characters Discord's markdown, mentions, emoji,
// timestamps and links are made of.
const special = "\\*_~`|>#-[]()<@:"

// FuzzRender renders arbitrary text as the bot sends it to Discord: every
// markdown, mention or link character is escaped (so "@everyone", "<@id>",
// "[x](https://…)", "||spoiler||" and "https://" show as written and
// neither ping, format nor link), no escape is cut from what it escapes,
// every message fits Discord's limit, and nothing is lost.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"@everyone @here <@123456789012345678> <@!1> <@&987> <#555> <:e:1> <a:e:1> <t:1:R> </cmd:1>",
		"*b* **bb** _i_ __u__ ~~s~~ ||spoiler|| `c` ```go\nx```\n> quote\n>>> all\n# H\n-# small\n- item",
		"[click](https://evil.example) <https://evil.example> https://evil.example/a_b_c",
		"\\@everyone \\\\*x* \\",
		"factura\u202Egpj.exe \u200B\u2060 \x00\x07 \xff\xfe",
		strings.Repeat("@", 3000),
		strings.Repeat("é\\", 1500),
		strings.Repeat("x", 1999) + "@everyone",
		strings.Repeat("línea\n", 500),
		commands.QuoteMark + " " + strings.Repeat("a *│ ", 1000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		chunks := render(text)
		if len(chunks) == 0 {
			t.Fatal("no message")
		}
		var back strings.Builder
		for _, c := range chunks {
			if len(c) > maxContent {
				t.Fatalf("message of %d bytes", len(c))
			}
			for i := 0; i < len(c); i++ {
				switch {
				case c[i] == '\\':
					if i+1 == len(c) || !strings.ContainsRune(special, rune(c[i+1])) {
						t.Fatalf("dangling backslash at %d in %q", i, c)
					}
					i++
					back.WriteByte(c[i])
				case strings.IndexByte(special, c[i]) >= 0:
					t.Fatalf("unescaped %q at %d in %q", c[i], i, c)
				default:
					back.WriteByte(c[i])
				}
			}
		}
		// A quoted line cut between two messages goes on behind the mark
		// in the next: that mark is the only text added.
		if got := back.String(); got != text && strings.ReplaceAll(got, commands.QuoteMark+" ", "") != strings.ReplaceAll(text, commands.QuoteMark+" ", "") {
			t.Fatalf("rendering changed the text: %q, want %q", got, text)
		}
	})
}
