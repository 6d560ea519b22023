package storage

import (
	"context"
	"strings"
	"testing"
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
		indexEntityAsBefore(t, s, id, user, c.kind, c.now, c.old)
		oldKey := s.k.indexEntity(s.entityMAC(c.kind + ":" + c.old))
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
