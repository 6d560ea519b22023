package commands

import (
	"strings"
	"testing"
)

// BenchmarkNamesSenderWorstCase reads a 4,096-character message made to
// be the worst for namesSender: every word almost the username or the
// display name (a prefix of it, then a Cyrillic look-alike, a markdown
// escape, a percent escape, a "_"), none of them the name.
func BenchmarkNamesSenderWorstCase(b *testing.B) {
	const name = "Rosalinda Pérez María de la Cruz @informante_anonimo"
	for _, c := range []struct{ label, unit string }{
		{"handles", `@informante\_anonim t.me/%69nformante_anoni informаnte_anonim2 `},
		{"names", "Rosalinda_Pére Pérez,Rosalind Rosalinda\u200bPére de la Cruz, "},
	} {
		var sb strings.Builder
		for sb.Len() < 4096 {
			sb.WriteString(c.unit)
		}
		text := sb.String()[:4096]
		if namesSender(name, text) {
			b.Fatalf("%s: told", c.label)
		}
		b.Run(c.label, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				namesSender(name, text)
			}
		})
	}
}
