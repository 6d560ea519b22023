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
	reindexUnder(t, s, id, text, tips.MarkSplitIndexTokens(text))
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
// does not hold ("धमक" is a word, and a piece of "धमकी"), unless it was
// indexed under that piece before, and was found by it then.
func TestSearchFindsBrahmicWordsIndexedEitherWay(t *testing.T) {
	ctx := context.Background()
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
		"धमक":         {piece, before}, // as before: it holds that piece
		"হুমকি":       {bengaliBefore},
		"ভাইকে হুমকি": {bengaliBefore},
		"দেওয়া":      {bengaliBefore},
	} {
		res, err := s.Search(ctx, query, time.Now().Add(-time.Hour), "", 10)
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
}

// A purge takes out the postings of a tip indexed before words ran
// across spacing marks too: under the pieces its words were cut into.
func TestPurgeTakesOutMarkSplitWords(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	const text = "कल रात भाई को धमकी दी गई"
	id := batchSubmit(t, s, "611", 10, text)
	indexUntilDone(t, s)
	created := time.UnixMilli(mustInt(t, s.rdb.HGet(ctx, s.k.tip(id), "t").Val()))
	num, _ := postingNum(id)
	reindexAsBefore(t, s, id, text)
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
				t.Errorf("posting %s still names the purged tip", strings.TrimPrefix(k, "w:"))
			}
		}
	}
}
