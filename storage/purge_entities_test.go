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

// A tip indexed before handles and hashtags kept their marks may have
// raised the alert of the entity they were cut to then ("khabar_ह" for
// "@khabar_हिंदी") and not handed it over: purged, it lets that alert
// go, as it does its entities' as read now, so that three reporters
// naming "@khabar_ह" since raise it within the window.
func TestPurgeReleasesAnAlertHeldUnderTheOldForm(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	id := batchSubmit(t, s, "761", 1, "me extorsiona @khabar_हिंदी cada semana")
	indexUntilDone(t, s)
	indexEntityAsBefore(t, s, id, "761", "handle", "khabar_हिदी", "khabar_ह")
	// The alert of the cut form, raised by this tip and not handed over.
	s.rdb.Set(ctx, s.k.indexAlert(s.entityMAC("handle:khabar_ह")), id, s.index0.Window)
	if err := s.Purge(ctx, id); err != nil {
		t.Fatal(err)
	}
	var alerts []Signal
	for n := 2; n <= 4; n++ {
		batchSubmit(t, s, "76"+string(rune('0'+n)), int64(n), "cobran piso, ver @khabar_ह")
		alerts = append(alerts, indexUntilDone(t, s)...)
	}
	if len(alerts) != 1 || alerts[0].Entity.Key() != "handle:khabar_ह" || alerts[0].Reporters != 3 {
		t.Errorf("alerts %+v, want that of handle:khabar_ह, of 3 reporters: the purged tip still holds it", alerts)
	}
}

// A tip indexed before handles and hashtags kept their marks, indexed
// again (its indexer died, it was taken over) while a purge of it was cut
// short once its key went (the purge cannot run again: the tip is gone):
// the indexer, finding it purged, takes it and its reporter out of the
// entity it was cut to then too, not only out of those it wrote.
func TestTipPurgedWhileIndexedLeavesTheOldForm(t *testing.T) {
	ctx := context.Background()
	for i, c := range []struct{ text, kind, now, old string }{
		{"me extorsiona @khabar_हिंदी cada semana", "handle", "khabar_हिदी", "khabar_ह"},
		{"اخاذی #می\u200cخواهم بازار", "hashtag", "میخواهم", "می"},
	} {
		s := internalStore(t)
		user := "78" + string(rune('0'+i))
		id := batchSubmit(t, s, user, 10, c.text)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, user, c.kind, c.now, c.old)
		fields := s.rdb.HGetAll(ctx, s.k.tip(id)).Val() // read to be indexed again
		s.rdb.HDel(ctx, s.k.tip(id), "k")               // the purge's first step, then it stopped
		if err := s.indexStored(ctx, id, fields, true, func(Signal) error { return nil }); err != nil {
			t.Fatal(err)
		}
		for _, e := range []string{c.now, c.old} {
			for _, m := range s.rdb.ZRange(ctx, s.k.indexEntity(s.entityMAC(c.kind+":"+e)), 0, -1).Val() {
				what := "the purged tip"
				if strings.HasPrefix(m, "r") {
					what = "its reporter"
				}
				t.Errorf("%q: entity %s:%s still names %s", c.text, c.kind, e, what)
			}
		}
	}
}

// A tip indexed before handles and hashtags kept their marks, that raised
// the alert of the entity they were cut to then ("khabar_ह" for
// "@khabar_हिंदी") and had not handed it over, is indexed again (its
// indexer died, it was taken over): the indexer no longer raises alerts
// of that cut form, so it lets the mark go, and three reporters naming
// "@khabar_ह" since raise it within the window.
func TestTipIndexedAgainReleasesAnAlertHeldUnderTheOldForm(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	id := batchSubmit(t, s, "791", 1, "me extorsiona @khabar_हिंदी cada semana")
	indexUntilDone(t, s)
	indexEntityAsBefore(t, s, id, "791", "handle", "khabar_हिदी", "khabar_ह")
	s.rdb.Set(ctx, s.k.indexAlert(s.entityMAC("handle:khabar_ह")), id, s.index0.Window)
	fields := s.rdb.HGetAll(ctx, s.k.tip(id)).Val()
	if err := s.indexStored(ctx, id, fields, true, func(Signal) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var alerts []Signal
	for n := 2; n <= 4; n++ {
		batchSubmit(t, s, "79"+string(rune('0'+n)), int64(n), "cobran piso, ver @khabar_ह")
		alerts = append(alerts, indexUntilDone(t, s)...)
	}
	if len(alerts) != 1 || alerts[0].Entity.Key() != "handle:khabar_ह" || alerts[0].Reporters != 3 {
		t.Errorf("alerts %+v, want that of handle:khabar_ह, of 3 reporters: the tip indexed again still holds it", alerts)
	}
}
