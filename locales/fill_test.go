package locales

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
)

// dataNames are the names the messages' {{.Name}} actions read, in every
// language.
func dataNames(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	re := regexp.MustCompile(`\{\{\.([A-Za-z_][A-Za-z0-9_]*)\}\}`)
	for _, lang := range Supported {
		data, err := files.ReadFile("active." + lang + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			seen[m[1]] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// Every message in every language, rendered with data or a count twice
// (the second time from its plan), reads as go-i18n renders it, and
// leaves the caller's data as go-i18n's rendering does (a count added):
// with every name the messages read, as strings (random, marks and
// actions among them) or ints, some missing ("<no value>"), names no
// message reads, each of several counts, and values of other types
// (rendered by go-i18n each time).
func TestLocalizeFillsDataAsGoI18nRenders(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	names := dataNames(t)
	if len(names) < 20 {
		t.Fatalf("names %q: the files read too few", names)
	}
	r := rand.New(rand.NewPCG(3, 17))
	values := []string{"", "K7QD-9XMA-R2TP-4WZN", "\x00", "\x000\x00", "{{.ID}}", "<no value>", "Ñandú 🇲🇽", "a\nb", "%d %s", "<b>x</b>"}
	datas := []func() map[string]any{
		func() map[string]any { return nil },
		func() map[string]any { return map[string]any{} },
		func() map[string]any {
			d := map[string]any{}
			for _, n := range names {
				d[n] = values[r.IntN(len(values))]
			}
			return d
		},
		func() map[string]any {
			d := map[string]any{"Unread": "x"}
			for _, n := range names {
				if r.IntN(3) > 0 {
					d[n] = r.IntN(2000) - 1000
				}
			}
			return d
		},
		func() map[string]any {
			d := map[string]any{}
			for _, n := range names {
				d[n] = fmt.Sprint(r.Uint64())
			}
			d[names[r.IntN(len(names))]] = 2.5 // (a float: go-i18n's each time)
			return d
		},
	}
	filled := 0
	for _, lang := range append(Supported, "xx") {
		for _, id := range append(b.IDs(), "no_such_message") {
			if b.filled[id] {
				filled++
			}
			for _, counts := range [][]int{nil, {0}, {1}, {2}, {21}} {
				for di, mk := range datas {
					for round := range 2 {
						d := mk()
						var want map[string]any
						if d != nil {
							want = maps.Clone(d)
						}
						ws, err := fresh.localize(lang, id, want, counts...)
						if err != nil && ws == "" {
							ws = id
						}
						if got := b.Localize(lang, id, d, counts...); got != ws {
							t.Fatalf("%s %s counts %v data %d round %d: %q, go-i18n renders %q", lang, id, counts, di, round, got, ws)
						}
						if !maps.Equal(d, want) {
							t.Fatalf("%s %s counts %v data %d: data left %v, go-i18n leaves %v", lang, id, counts, di, d, want)
						}
					}
				}
			}
		}
	}
	if filled < len(b.IDs())*3/4 || len(b.plans) == 0 {
		t.Fatalf("%d of %d ids filled, %d plans: too few to test", filled/(len(Supported)+1), len(b.IDs()), len(b.plans))
	}
}
