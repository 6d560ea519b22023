package commands_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// queryRecorder records what /search asks the store to look for.
type queryRecorder struct {
	commands.Store
	query string
}

func (s *queryRecorder) Search(ctx context.Context, query string, since time.Time, category tips.Category, n int) ([]tips.Tip, bool, error) {
	s.query = query
	return s.Store.Search(ctx, query, since, category, n)
}

// A link copied from a view into /search reaches the store with its host
// whole, not folded into words: a tip indexed before punycode was read
// decoded is found by the host's punycode words (storage's
// TestSearchAndEntityFindAPunycodeHostIndexedBefore), which "cobranca"
// and "example" alone no longer give. The link's scheme is still no
// word it looks for, and the tips indexed now are found as before.
func TestSearchKeepsALinksHostForItsPunycode(t *testing.T) {
	tm := newTeam(t)
	tm.report("7401", "amenazas desde https://cobrança.example/cobro", "")
	st := &queryRecorder{Store: tm.store}
	tm.mux = commands.New(commands.Options{Store: st, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en",
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin}})
	for shown, want := range map[string][]string{
		"hxxps://cobrança[.]example/cobro":     {"xn", "cobrana", "zxa", "example", "cobro"},
		"hxxps://пример[.]рф/pago":             {"xn", "e1afmkfd", "p1ai", "pago"},
		"http://www.xn--e1afmkfd.xn--p1ai/ ok": {"xn", "e1afmkfd", "p1ai", "ok"},
	} {
		text := tm.as(adminID, "Ada", commands.Request{Command: "search", Args: shown})[0].Text
		if got := tips.PunycodeIndexTokens(st.query); !slices.Equal(got, want) {
			t.Errorf("/search %s looked for %q: its host's punycode words %q, want %q", shown, st.query, got, want)
		}
		if words := tips.IndexTokens(st.query); slices.ContainsFunc(words, func(w string) bool { return w == "http" || w == "https" || w == "www" }) {
			t.Errorf("/search %s looked for the link's scheme: %q", shown, words)
		}
		if shown == "hxxps://cobrança[.]example/cobro" && !strings.Contains(text, "#1 ") {
			t.Errorf("/search %s:\n%s", shown, text)
		}
	}
}
