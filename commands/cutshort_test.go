package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
)

// A retracted warning's first words, cut at the correction's cap on what
// it quotes (correctionRunes) right after a word, are quoted without the
// space the cut left before the ellipsis ("… cuatro…", not "… cuatro …");
// so is an audit entry's text cut at maxAuditShown.
// Mutation: correction and auditText appending "…" to the cut as it fell
// (as before) -> both fail, a space before the ellipsis.
func TestACutLeavesNoSpaceBeforeTheEllipsis(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Messages: msg, DefaultLanguage: "en"})
	// Five words of 19 letters: the 80th rune is the space after the fourth.
	word := strings.Repeat("a", 19)
	pub := storage.Publication{
		Text: strings.Repeat(word+" ", 4) + word,
		At:   time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC),
	}
	want := msg.Localize("en", "broadcast_correction_of", map[string]any{"Date": "2026-03-14", "Text": strings.TrimSuffix(strings.Repeat(word+" ", 4), " ") + "…"})
	if got := m.correction("en", pub, true); got != want {
		t.Errorf("correction %q, want %q", got, want)
	}
	args := strings.Repeat("x", maxAuditShown-1) + " y"
	if got, want := auditText(args), strings.Repeat("x", maxAuditShown-1)+"…"; got != want {
		t.Errorf("auditText: %q, want %q", got[maxAuditShown-10:], want[maxAuditShown-10:])
	}
}
