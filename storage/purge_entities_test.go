package storage

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// A tip indexed before handles and hashtags kept their combining marks
// and non-joiners is a member of the entities they were cut to then
// ("@khabar_हिंदी" the handle "khabar_ह", "#می‌خواهم" the hashtag "می"):
// a purge takes it and its reporter out of those too, so that no entity
// names the purged tip any more.
func TestPurgeTakesOutOldHandleAndHashtagEntities(t *testing.T) {
	ctx := context.Background()
	for i, c := range []struct{ text, kind, now, old string }{
		{"me extorsiona @khabar_हिंदी cada semana", "handle", "khabar_हिदी", "khabar_ह"},
		{"cobran piso, ver @hola\u0331mundo en el mercado", "handle", "holamundo", "hola"},
		{"amenazas en #khabar_हिंदी cada semana", "hashtag", "khabar_हिदी", "khabar_ह"},
		{"اخاذی #می\u200cخواهم بازار", "hashtag", "میخواهم", "می"},
	} {
		s := internalStore(t)
		user := "77" + string(rune('0'+i))
		id := batchSubmit(t, s, user, 10, c.text)
		indexUntilDone(t, s)
		// As the indexer wrote it before: the tip and its reporter's tag in
		// the old entity, not the new one.
		nowMAC := s.entityMAC(c.kind + ":" + c.now)
		oldMAC := s.entityMAC(c.kind + ":" + c.old)
		nowKey, oldKey := s.k.indexEntity(nowMAC), s.k.indexEntity(oldMAC)
		p := s.Pseudonym("telegram", user)
		score, err := s.rdb.ZScore(ctx, nowKey, id).Result()
		if err != nil {
			t.Fatalf("%q: the tip is not in entity %s:%s (%v): the test reads the wrong key", c.text, c.kind, c.now, err)
		}
		tagScore := s.rdb.ZScore(ctx, nowKey, "r"+s.reporterMAC(nowMAC, p)).Val()
		s.rdb.ZRem(ctx, nowKey, id, "r"+s.reporterMAC(nowMAC, p))
		s.rdb.ZAdd(ctx, oldKey, redis.Z{Score: score, Member: id}, redis.Z{Score: tagScore, Member: "r" + s.reporterMAC(oldMAC, p)})
		if err := s.Purge(ctx, id); err != nil {
			t.Fatal(err)
		}
		for _, m := range s.rdb.ZRange(ctx, oldKey, 0, -1).Val() {
			what := "the purged tip"
			if strings.HasPrefix(m, "r") {
				what = "its reporter"
			}
			t.Errorf("%q: entity %s:%s still names %s", c.text, c.kind, c.old, what)
		}
	}
}
