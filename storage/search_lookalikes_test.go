package storage

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// A word written with a Cyrillic look-alike among Latin letters
// ("Sіnaloa", Cyrillic і) is found by its Latin spelling, and the other
// way round; a tip indexed before, under the word as written, is found
// still by the query that found it then (its old form is looked up too),
// and a purge takes that old form's posting out.
// Mutation: Search and PastIndexTokens without LookalikeIndexTokens ->
// the tip indexed before is not found by "Sіnaloa", nor purged. (The
// words as now read: TestIndexTokensReadLookalikesInLatinWords.)
func TestSearchFoldsLookalikeLetters(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	const mixed, latin, mixedBefore = "El cártel de Sіnaloa cobra piso", "Halcones del cártel de Sinaloa", "Sіnaloa recluta en la secundaria"
	a := batchSubmit(t, s, "631", 10, mixed)
	b := batchSubmit(t, s, "632", 20, latin)
	c := batchSubmit(t, s, "633", 30, mixedBefore)
	indexUntilDone(t, s)
	reindexAs(t, s, c, mixedBefore, tips.LookalikeIndexTokens)
	for query, want := range map[string][]string{
		"Sinaloa":            {a, b},
		"sinaloa cobra":      {a},
		"Sіnaloa":            {a, b, c},
		"Sіnaloa secundaria": {c},
		"Ｓｉｎａｌｏａ":            {a, b},
		"SΙΝALOA":            {a, b}, // Greek capitals Ι, Ν
	} {
		searchFinds(t, s, query, want)
	}
	created := time.UnixMilli(mustInt(t, s.rdb.HGet(ctx, s.k.tip(c), "t").Val()))
	num, _ := strconv.ParseUint(c, 10, 32)
	old := s.k.indexToken(s.tokenMAC("sіnaloa"), indexDay(created))
	if !slices.Contains(decodePostings(s.rdb.Get(ctx, old).Val()), uint32(num)) {
		t.Fatal("the old form's posting does not name the tip before the purge: the test reads the wrong key")
	}
	if err := s.Purge(ctx, c); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(decodePostings(s.rdb.Get(ctx, old).Val()), uint32(num)) {
		t.Error("the purged tip's old form still names it")
	}
}
