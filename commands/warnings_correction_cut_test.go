package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
)

// A warning's first words are quoted as its copy shows them: characters
// that show nothing there (zero-width spaces, soft hyphens, bidi
// controls, as text pasted from a web page carries) neither use up the
// 80-rune cap nor stand as words, or the correction would quote nothing
// a member can recognise.
// Mutation: correction splitting pub.Text as stored → it quotes "…" alone.
func TestCorrectionQuotesTheVisibleWords(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Messages: msg, DefaultLanguage: "en"})
	pub := storage.Publication{
		Text: strings.Repeat("\u200b", 90) + " \u00ad \u202e Halcones en la entrada del mercado",
		At:   time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC),
	}
	got := m.correction("en", pub, true)
	if !strings.Contains(got, "“Halcones en la entrada del mercado”") || !strings.Contains(got, "2026-03-14") {
		t.Fatalf("correction %q, want it to quote the words its copy shows", got)
	}
}
