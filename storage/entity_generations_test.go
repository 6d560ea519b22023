package storage

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// indexEntityAsBefore moves tip id, sent by user, and its reporter's tag
// from entity kind:now to kind:old, as the indexer wrote them before
// handles and hashtags kept their combining marks and non-joiners.
func indexEntityAsBefore(t *testing.T, s *Store, id, user, kind, now, old string) {
	t.Helper()
	ctx := context.Background()
	nowMAC, oldMAC := s.entityMAC(kind+":"+now), s.entityMAC(kind+":"+old)
	nowKey, oldKey := s.k.indexEntity(nowMAC), s.k.indexEntity(oldMAC)
	p := s.Pseudonym("telegram", user)
	score, err := s.rdb.ZScore(ctx, nowKey, id).Result()
	if err != nil {
		t.Fatalf("tip %s is not in entity %s:%s (%v): the test reads the wrong key", id, kind, now, err)
	}
	tagScore := s.rdb.ZScore(ctx, nowKey, "r"+s.reporterMAC(nowMAC, p)).Val()
	s.rdb.ZRem(ctx, nowKey, id, "r"+s.reporterMAC(nowMAC, p))
	s.rdb.ZAdd(ctx, oldKey, redis.Z{Score: score, Member: id}, redis.Z{Score: tagScore, Member: "r" + s.reporterMAC(oldMAC, p)})
	s.rdb.PExpire(ctx, oldKey, s.retention)
}

// A tip indexed before handles and hashtags kept their marks is a member
// of the entities they were cut to then: /forget takes it and its
// reporter out of those too, as a purge does, so that it no longer counts
// toward their alerts.
func TestForgetTakesOutOldHandleAndHashtagEntities(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	for i, c := range []struct{ text, kind, now, old string }{
		{"me extorsiona @khabar_हिंदी cada semana", "handle", "khabar_हिदी", "khabar_ह"},
		{"cobran piso, ver @hola\u0331mundo en el mercado", "handle", "holamundo", "hola"},
		{"amenazas en #khabar_हिंदी cada semana", "hashtag", "khabar_हिदी", "khabar_ह"},
		{"اخاذی #می\u200cخواهم بازار", "hashtag", "میخواهم", "می"},
	} {
		user := "88" + string(rune('0'+i))
		id := batchSubmit(t, s, user, int64(10+i), c.text)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, user, c.kind, c.now, c.old)
		if err := s.Forget(ctx, id); err != nil {
			t.Fatal(err)
		}
		for _, m := range s.rdb.ZRange(ctx, s.k.indexEntity(s.entityMAC(c.kind+":"+c.old)), 0, -1).Val() {
			what := "the forgotten tip"
			if strings.HasPrefix(m, "r") {
				what = "its reporter"
			}
			t.Errorf("%q: entity %s:%s still names %s", c.text, c.kind, c.old, what)
		}
	}
}
