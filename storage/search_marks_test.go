package storage

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// reindexAsBefore moves tip id's postings to the words the indexer gave
// its text before words ran across spacing marks: as a tip indexed then
// holds them.
func reindexAsBefore(t *testing.T, s *Store, id, text string) {
	t.Helper()
	reindexAs(t, s, id, text, tips.MarkSplitIndexTokens)
}

// reindexAs moves tip id's postings to the words past gives its text: as
// a tip indexed by that generation of the indexer holds them.
func reindexAs(t *testing.T, s *Store, id, text string, past func(string) []string) {
	t.Helper()
	old := past(text)
	if len(old) == 0 {
		t.Fatalf("%q: no past words: the test indexes nothing", text)
	}
	reindexUnder(t, s, id, text, old)
}

// reindexUnder moves tip id's postings from the words of its text to
// old, as an earlier indexer wrote them.
func reindexUnder(t *testing.T, s *Store, id, text string, old []string) {
	t.Helper()
	ctx := context.Background()
	created := time.UnixMilli(mustInt(t, s.rdb.HGet(ctx, s.k.tip(id), "t").Val()))
	num, _ := postingNum(id)
	day := indexDay(created)
	pipe := s.rdb.Pipeline()
	for _, w := range tips.IndexTokens(text) {
		dropPosting.Eval(ctx, pipe, []string{s.k.indexToken(s.tokenMAC(w), day)}, string(num))
	}
	for _, w := range old {
		k := s.k.indexToken(s.tokenMAC(w), day)
		pipe.Append(ctx, k, string(num))
		pipe.PExpireAt(ctx, k, s.postingExpiry(created))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// A Hindi or Bengali tip is found by its words, vowel signs and all,
// whether it was indexed now or before words ran across spacing marks
// (its postings under the pieces its words were cut into): what was
// found then is found still. A tip is not found by pieces of a word it
// does not hold ("धमक" is a word, and a piece of "धमकी"), even one it
// was indexed under before.
func TestSearchFindsBrahmicWordsIndexedEitherWay(t *testing.T) {
	s := internalStore(t)
	const hindi, bengali = "मेरे भाई को धमकी मिली है", "আমার ভাইকে হুমকি দেওয়া হয়েছে"
	now := batchSubmit(t, s, "601", 10, hindi)
	before := batchSubmit(t, s, "602", 20, "कल रात भाई को धमकी दी गई")
	bengaliBefore := batchSubmit(t, s, "603", 30, bengali)
	piece := batchSubmit(t, s, "604", 40, "गोली की धमक सुनाई दी")
	indexUntilDone(t, s)
	reindexAsBefore(t, s, before, "कल रात भाई को धमकी दी गई")
	reindexAsBefore(t, s, bengaliBefore, bengali)
	for query, want := range map[string][]string{
		"धमकी":        {before, now},
		"भाई धमकी":    {before, now},
		"मिली":        {now},
		"भाई मिली":    {now},
		"धमक":         {piece}, // not "before": it holds "धमकी", not "धमक"
		"হুমকি":       {bengaliBefore},
		"ভাইকে হুমকি": {bengaliBefore},
		"দেওয়া":      {bengaliBefore},
	} {
		searchFinds(t, s, query, want)
	}
}

// A purge takes out the postings of a tip indexed before words ran
// across spacing marks, or before Fold kept nonspacing ones, too: under
// the words its text was read as then.
func TestPurgeTakesOutMarkSplitWords(t *testing.T) {
	ctx := context.Background()
	for gen, past := range []func(string) []string{tips.MarkSplitIndexTokens, tips.MarklessIndexTokens} {
		s := internalStore(t)
		const text = "कल रात मेरा फोन छीन लिया गया"
		id := batchSubmit(t, s, "61"+string(rune('1'+gen)), 10, text)
		indexUntilDone(t, s)
		created := time.UnixMilli(mustInt(t, s.rdb.HGet(ctx, s.k.tip(id), "t").Val()))
		num, _ := postingNum(id)
		reindexAs(t, s, id, text, past)
		keys := s.rdb.Keys(ctx, s.k.indexToken("*", indexDay(created))).Val()
		if len(keys) == 0 {
			t.Fatal("no posting keys before the purge: the test reads the wrong keys")
		}
		if err := s.Purge(ctx, id); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			v := s.rdb.Get(ctx, k).Val()
			for i := 0; i+4 <= len(v); i += 4 {
				if v[i:i+4] == string(num) {
					t.Errorf("generation %d: posting %s still names the purged tip", gen, strings.TrimPrefix(k, "w:"))
				}
			}
		}
	}
}

// Hindi "मेरा" ("my") and "मरा" ("died") are two search words, their
// nonspacing vowel sign and all: a search for one finds no tip with only
// the other, whether the tip was indexed now or before Fold kept those
// marks (its postings under "मरा" for both), or before words ran across
// spacing marks (under "मर"). A tip indexed before is found still by the
// words it holds.
func TestSearchTellsIndicWordsByTheirMarks(t *testing.T) {
	s := internalStore(t)
	const mine, died, mineBefore, diedBefore = "मेरा भाई घर नहीं आया", "वह आदमी मरा हुआ मिला", "मेरा फोन छीन लिया", "गांव में एक आदमी मरा"
	a := batchSubmit(t, s, "621", 10, mine)
	b := batchSubmit(t, s, "622", 20, died)
	c := batchSubmit(t, s, "623", 30, mineBefore)
	d := batchSubmit(t, s, "624", 40, diedBefore)
	e := batchSubmit(t, s, "625", 50, mineBefore+" कल")
	indexUntilDone(t, s)
	reindexAs(t, s, c, mineBefore, tips.MarklessIndexTokens)
	reindexAs(t, s, d, diedBefore, tips.MarklessIndexTokens)
	reindexAs(t, s, e, mineBefore+" कल", tips.MarkSplitIndexTokens)
	for query, want := range map[string][]string{
		"मेरा":         {e, c, a},
		"मरा":          {d, b},
		"मेरा फोन":     {e, c},
		"आदमी मरा":     {d, b},
		"गांव":         {d},
		"नहीं":         {a},
		"मेरा आदमी":    nil,
		"मरा फोन":      nil,
		"Mera मेरा":    nil,
		"छीन लिया":     {c}, // e was indexed under none of their pieces
		"फोन":          {c},
		"में आदमी मरा": {d},
	} {
		searchFinds(t, s, query, want)
	}
}

// searchFinds checks that /search query, over the last hour, finds the
// tips want (their ids, in any order: tips made in one millisecond have
// none).
func searchFinds(t *testing.T, s *Store, query string, want []string) {
	t.Helper()
	res, _, err := s.Search(context.Background(), query, time.Now().Add(-time.Hour), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tip := range res {
		got = append(got, tip.ID)
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("/search %s: tips %v, want %v", query, got, want)
	}
}
