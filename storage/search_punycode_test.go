package storage

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// A tip indexed before punycode was read decoded holds the words its
// punycode host was cut into then ("xn", "e1afmkfd", "p1ai"): /search of
// that host, decoded or in punycode, and /entity of it find the tip
// still. A homograph is not the host it mimics.
func TestSearchAndEntityFindAPunycodeHostIndexedBefore(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	for _, c := range []struct {
		user, text string
		old        []string // the words the indexer gave it before
	}{
		{"451", "cobran piso en https://xn--e1afmkfd.xn--p1ai/pago", []string{"cobran", "piso", "https", "xn", "e1afmkfd", "p1ai", "pago"}},
		{"452", "amenazas desde XN--COBRANA-ZXA.example/cobro", []string{"amenazas", "desde", "xn", "cobrana", "zxa", "example", "cobro"}},
		{"453", "venden cuentas en https://xn--80ak6aa92e.com/login", []string{"venden", "cuentas", "https", "xn", "80ak6aa92e", "com", "login"}},
	} {
		id := batchSubmit(t, s, c.user, mustInt(t, c.user), c.text)
		indexUntilDone(t, s)
		reindexUnder(t, s, id, c.text, c.old)
	}
	const pago, cobranca, homograph = "1", "2", "3"
	for query, want := range map[string][]string{
		"пример.рф":             {pago},
		"xn--e1afmkfd.xn--p1ai": {pago},
		"пример.рф/pago":        {pago},
		"piso пример.рф":        {pago},
		"cobrança.example":      {cobranca},
		"аррӏе.com":             {homograph},
		"xn--80ak6aa92e.com":    {homograph},
		"apple.com":             nil,
		"пример.рф/cobro":       nil, // the host, not this path
	} {
		res, _, err := s.Search(ctx, query, time.Now().Add(-time.Hour), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tip := range res {
			got = append(got, tip.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("/search %s: tips %v, want %v", query, got, want)
		}
	}
	for _, host := range []string{"пример.рф", "xn--e1afmkfd.xn--p1ai"} {
		e, ok := tips.DomainEntity(host)
		if !ok {
			t.Fatalf("%s is no domain", host)
		}
		res, err := s.EntityTips(ctx, e, time.Now().Add(-time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || res[0].ID != pago {
			t.Errorf("/entity %s: %d tips, want tip %s", host, len(res), pago)
		}
	}
}

// A tip indexed before punycode was read decoded was indexed, too, before
// Fold kept the nonspacing marks of Indic scripts: its words then were
// read without them ("पत्नी" as "पतन", cut at its vowel sign). /search of
// such a word with the host still finds it; read with the marks kept,
// "पत्नी" would be cut at its virama too ("पत"), a word the tip does not
// hold.
func TestSearchFindsAnIndicWordBesideAPunycodeHostIndexedBefore(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	const text = "पत्नी को धमकी https://xn--e1afmkfd.xn--p1ai/pago"
	id := batchSubmit(t, s, "461", 461, text)
	indexUntilDone(t, s)
	reindexUnder(t, s, id, text, []string{"पतन", "धमक", "https", "xn", "e1afmkfd", "p1ai", "pago"})
	for _, query := range []string{"पत्नी пример.рф", "पत्नी xn--e1afmkfd.xn--p1ai", "धमकी पत्नी пример.рф"} {
		res, _, err := s.Search(ctx, query, time.Now().Add(-time.Hour), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || res[0].ID != id {
			t.Errorf("/search %s: %d tips, want tip %s", query, len(res), id)
		}
	}
}
