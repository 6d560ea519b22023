package storage

import (
	"context"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// crowdPostings appends, to today's posting string of each of words, the
// numbers of maxCandidates tips newer than any made (and gone: none
// opens), so a search of those words examines them all before any real
// one.
func crowdPostings(t *testing.T, s *Store, words []string) {
	t.Helper()
	ctx := context.Background()
	var nums []byte
	for i := range maxCandidates {
		nums = binary.BigEndian.AppendUint32(nums, 1<<30+uint32(i))
	}
	day := s.now()
	pipe := s.rdb.Pipeline()
	for _, w := range words {
		k := s.k.indexToken(s.tokenMAC(w), indexDay(day))
		pipe.Append(ctx, k, string(nums))
		pipe.PExpireAt(ctx, k, s.postingExpiry(day))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// A search that examines as many tips holding its words as it may, short
// of the tips it wants, says so (cut): older tips may match. So does one
// whose lookup of an old form of the words (here the pieces a Hindi word
// was cut into before words ran across spacing marks) stops there, though
// the words' own lookup did not.
func TestSearchSaysWhenItStoppedShort(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	const text, query = "कल रात भाई को धमकी दी गई", "धमकी"
	id := batchSubmit(t, s, "611", 10, text)
	halcones := batchSubmit(t, s, "612", 20, "los halcones vigilan la entrada")
	indexUntilDone(t, s)
	old := tips.MarkSplitIndexTokens(query)
	if len(old) == 0 || slices.Equal(old, tips.IndexTokens(query)) {
		t.Fatalf("%q has no old form: the test looks up none", query)
	}
	search := func(query, when string, want []string, wantCut bool) {
		t.Helper()
		got, cut, err := s.Search(ctx, query, time.Now().Add(-time.Hour), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tip := range got {
			ids = append(ids, tip.ID)
		}
		if !slices.Equal(ids, want) || cut != wantCut {
			t.Fatalf("%s: tips %v cut %v, want %v cut %v", when, ids, cut, want, wantCut)
		}
	}
	search(query, "one tip", []string{id}, false)
	crowdPostings(t, s, old)
	search(query, "the old form's lookup past what it may examine", []string{id}, true)
	// A word of no old form: its own lookup alone.
	search("halcones", "one tip", []string{halcones}, false)
	crowdPostings(t, s, []string{"halcones"})
	search("halcones", "past what it may examine", nil, true)
}
