package locales

import (
	"io/fs"
	"maps"
	"slices"
	"testing"

	"github.com/BurntSushi/toml"
)

// Every message file holds the same message ids as the English one, each
// plural (a table of forms) in every file or in none, and every embedded
// file is of a supported language. TestEveryLocaleHasEveryMessageAndPluralForm
// renders the English ids in each language, so a message missing from a
// file was caught; an id only one translation has (a message renamed in
// English and not there, or misspelt there) was not, and stayed unused.
// Mutations: a stray id added to active.es.toml, one id removed from
// active.fr.toml, or a plain message made plural in pt-BR -> this fails.
func TestEveryLocaleHasTheSameMessageIDs(t *testing.T) {
	read := func(name string) map[string]bool {
		t.Helper()
		raw, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := toml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plural := map[string]bool{}
		for id, v := range m {
			_, plural[id] = v.(map[string]any)
		}
		return plural
	}
	en := read("active." + Supported[0] + ".toml")
	for _, lang := range Supported[1:] {
		name := "active." + lang + ".toml"
		other := read(name)
		for _, id := range slices.Sorted(maps.Keys(en)) {
			p, ok := other[id]
			switch {
			case !ok:
				t.Errorf("%s lacks %q", name, id)
			case p != en[id]:
				t.Errorf("%s: %q is plural in one of it and English, not both", name, id)
			}
		}
		for _, id := range slices.Sorted(maps.Keys(other)) {
			if _, ok := en[id]; !ok {
				t.Errorf("%s has %q, which English lacks", name, id)
			}
		}
	}
	names, err := fs.Glob(files, "active.*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !slices.ContainsFunc(Supported, func(l string) bool { return name == "active."+l+".toml" }) {
			t.Errorf("%s is embedded but its language is not in Supported", name)
		}
	}
}
