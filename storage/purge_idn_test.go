package storage

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A tip with a punycode host indexed before hosts were read decoded holds
// postings under the old words (xn, e1afmkfd, p1ai): a purge takes those
// out too, so that no posting string names the purged tip any more.
func TestPurgeTakesOutAPunycodeHostsOldWords(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	id := batchSubmit(t, s, "441", 10, "cobran piso, pagos en xn--e1afmkfd.xn--p1ai cada semana")
	indexUntilDone(t, s)
	created := time.UnixMilli(mustInt(t, s.rdb.HGet(ctx, s.k.tip(id), "t").Val()))
	num, _ := postingNum(id)
	day, expiry := indexDay(created), s.postingExpiry(created)
	for _, w := range []string{"xn", "e1afmkfd", "p1ai"} { // as the indexer wrote them before
		k := s.k.indexToken(s.tokenMAC(w), day)
		s.rdb.Append(ctx, k, string(num))
		s.rdb.PExpireAt(ctx, k, expiry)
	}
	keys := s.rdb.Keys(ctx, s.k.indexToken("*", day)).Val()
	if len(keys) < 8 { // cobran piso pagos cada semana, xn e1afmkfd p1ai, and the decoded words
		t.Fatalf("%d posting keys before the purge: the test reads the wrong keys", len(keys))
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
