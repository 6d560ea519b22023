package locales

import (
	"strings"
	"testing"
)

// rendered is what Localize rendered before it remembered renderings:
// go-i18n's, through a bundle of its own, the id where it has none.
func rendered(t *testing.T, lang, id string, data map[string]any, count ...int) string {
	t.Helper()
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.localize(lang, id, data, count...)
	if err != nil && s == "" {
		return id
	}
	return s
}

// Every message in every language, asked for twice without data (the
// second time remembered), reads as go-i18n renders it; an unknown
// language and an unknown id as before.
func TestLocalizeRemembersWhatIsTheSameEveryTime(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, round := range []string{"first", "remembered"} {
		for _, lang := range append(Supported, "xx") {
			for _, id := range append(b.IDs(), "no_such_message") {
				want, err := fresh.localize(lang, id, nil)
				if err != nil && want == "" {
					want = id
				}
				if got := b.Localize(lang, id, nil); got != want {
					t.Fatalf("%s %s (%s): %q, go-i18n renders %q", lang, id, round, got, want)
				}
			}
		}
	}
}

// What depends on the data or the count is rendered each time: the
// receipt code and the number of parts are the reporter's own.
func TestLocalizeRendersDataAndCountEachTime(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Supported {
		b.Localize(lang, "sent", nil)
		b.Localize(lang, "draft_added", nil)
		for _, code := range []string{"K7QD-9XMA-R2TP-4WZN", "ABCD-EFGH-JKMN-PQR5"} {
			data := map[string]any{"Receipt": code}
			if got := b.Localize(lang, "sent", data); !strings.Contains(got, code) || got != rendered(t, lang, "sent", data) {
				t.Fatalf("%s sent with %s: %q", lang, code, got)
			}
		}
		for _, n := range []int{1, 3} {
			if got, want := b.Localize(lang, "draft_added", nil, n), rendered(t, lang, "draft_added", nil, n); got != want {
				t.Fatalf("%s draft_added %d: %q, want %q", lang, n, got, want)
			}
		}
	}
}

// BenchmarkLocalize is a button's label (no data: remembered), the
// receipt's message (with data) and a draft's count, as a tip's draft
// and Send render them.
func BenchmarkLocalize(b *testing.B) {
	bundle, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bundle.Localize("es", "button_send", nil)
		}
	})
	b.Run("data", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bundle.Localize("es", "sent", map[string]any{"Receipt": "K7QD-9XMA-R2TP-4WZN"})
		}
	})
	b.Run("count", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bundle.Localize("es", "draft_added", nil, 2)
		}
	})
}
