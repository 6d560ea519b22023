package storage

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// cutFormCases are entities as read now that were, before handles and
// hashtags kept their marks, the cut form of others: old tips of those
// ("@khabar_हिंदी", "#می‌خواهم") are in their sets.
var cutFormCases = []struct{ text, kind, cut, oldText, oldNow string }{
	{"cobran piso, ver @khabar_ह", "handle", "khabar_ह", "me extorsiona @khabar_हिंदी cada semana", "khabar_हिदी"},
	{"اخاذی #می بازار", "hashtag", "می", "اخاذی #می\u200cخواهم بازار", "میخواهم"},
	// A cut form of Latin letters only: a tip naming it holds no
	// character from U+0300 on.
	{"cobran piso, ver @hola", "handle", "hola", "amenazas de @hola\u0331mundo en el mercado", "holamundo"},
}

// One reporter naming "@khabar_ह" (as read now) is one reporter, though
// the set of "khabar_ह" holds two old tips of "@khabar_हिंदी" by others,
// indexed when that handle was cut to "khabar_ह": no alert, and /signals
// counts the reporters and tips naming it (two, once a second names it).
// (The old tips' entity, "@khabar_हिंदी", is listed beside it: two
// reporters name it.)
// The old tips count toward "@khabar_हिंदी" still: its third reporter
// raises its alert, of 3.
func TestCutFormDoesNotCountOtherEntitiesTips(t *testing.T) {
	ctx := context.Background()
	for i, c := range cutFormCases {
		s := internalStore(t)
		u := func(n int) string { return string(rune('a'+i)) + string(rune('0'+n)) }
		for n := 1; n <= 2; n++ {
			id := batchSubmit(t, s, u(n), int64(n), c.oldText)
			indexUntilDone(t, s)
			indexEntityAsBefore(t, s, id, u(n), c.kind, c.oldNow, c.cut)
		}
		batchSubmit(t, s, u(3), 3, c.text)
		if alerts := indexUntilDone(t, s); len(alerts) > 0 {
			t.Errorf("%q: alerts %+v at its first reporter", c.text, alerts)
		}
		mac := s.entityMAC(c.kind + ":" + c.cut)
		if n := s.rdb.ZCount(ctx, s.k.indexEntity(mac), "-inf", "(0").Val(); n != 1 {
			t.Errorf("%q: %s:%s counts %d reporters, want 1", c.text, c.kind, c.cut, n)
		}
		batchSubmit(t, s, u(4), 4, "otra vez "+c.text)
		if alerts := indexUntilDone(t, s); len(alerts) > 0 {
			t.Errorf("%q: alerts %+v at its second reporter", c.text, alerts)
		}
		sigs, err := s.Signals(ctx, 7*24*time.Hour, 10)
		at := slices.IndexFunc(sigs, func(g Signal) bool { return g.Entity.Key() == c.kind+":"+c.cut })
		if err != nil || at < 0 || sigs[at].Reporters != 2 || sigs[at].Tips != 2 {
			t.Errorf("%q: signals %+v %v, want %s:%s of 2 reporters and 2 tips", c.text, sigs, err, c.kind, c.cut)
		}
		batchSubmit(t, s, u(5), 5, "de nuevo "+c.oldText)
		alerts := indexUntilDone(t, s)
		if len(alerts) != 1 || alerts[0].Reporters != 3 || alerts[0].Entity.Key() != c.kind+":"+c.oldNow {
			t.Errorf("%q: alerts at the third reporter %+v, want one of %s:%s, of 3 reporters", c.oldText, alerts, c.kind, c.oldNow)
		}
	}
}

// /entity "@khabar_ह" lists the tips naming it, not those of
// "@khabar_हिंदी" its set holds from when that handle was cut to it, even
// before a tip naming it takes them out.
func TestEntityOfACutFormListsItsOwnTipsOnly(t *testing.T) {
	ctx := context.Background()
	for i, c := range cutFormCases {
		s := internalStore(t)
		u := func(n int) string { return string(rune('a'+i)) + string(rune('0'+n)) }
		own := batchSubmit(t, s, u(1), 1, c.text)
		old := batchSubmit(t, s, u(2), 2, c.oldText)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, old, u(2), c.kind, c.oldNow, c.cut)
		found := tips.Extract(c.text, "")
		if len(found) != 1 || found[0].Key() != c.kind+":"+c.cut {
			t.Fatalf("%q reads as %v: the test names the wrong entity", c.text, found)
		}
		res, err := s.EntityTips(ctx, found[0], time.Now().Add(-time.Hour), 10, tips.PastForms(c.text, found[0])...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tip := range res {
			got = append(got, tip.ID)
		}
		if want := []string{own}; !slices.Equal(got, want) {
			t.Errorf("/entity %s: tips %v, want %v (the old tip of another entity is %s)", c.text, got, want, old)
		}
	}
}

// While the indexer takes the other entities' tips out of a cut form's
// set, a tip naming it is indexed (by a reporter of one of those tips)
// and one of those tips is purged: the new tip and its reporter stay,
// and the purged tip is not brought back into the entity it names now.
func TestCutFormSiftedWhileIndexedAndPurged(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	c := cutFormCases[0]
	var old []string
	for n, u := range []string{"991", "992"} {
		id := batchSubmit(t, s, u, int64(n+1), c.oldText)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, u, c.kind, c.oldNow, c.cut)
		old = append(old, id)
	}
	var during string
	beforeSiftWrites = func() {
		beforeSiftWrites = nil
		// Reporter 991 names the cut form meanwhile, and 992's old tip goes.
		during = batchSubmit(t, s, "991", 3, c.text)
		st, err := s.Tip(ctx, during)
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := s.index(ctx, during, s.Pseudonym("telegram", "991"), st.Created, c.text, false); err != nil {
			t.Error(err)
		}
		if err := s.Purge(ctx, old[1]); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { beforeSiftWrites = nil })
	batchSubmit(t, s, "993", 4, "otra vez "+c.text)
	// One round: the tip submitted meanwhile is indexed again after it.
	if _, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if beforeSiftWrites != nil {
		t.Fatal("the sift did not reach its writes: the test proves nothing")
	}
	mac := s.entityMAC(c.kind + ":" + c.cut)
	ek := s.k.indexEntity(mac)
	if _, err := s.rdb.ZScore(ctx, ek, during).Result(); err != nil {
		t.Error("the tip naming the cut form indexed meanwhile was taken out")
	}
	if _, err := s.rdb.ZScore(ctx, ek, "r"+s.reporterMAC(mac, s.Pseudonym("telegram", "991"))).Result(); err != nil {
		t.Error("the reporter of the tip naming the cut form indexed meanwhile no longer counts")
	}
	if n := s.rdb.ZCount(ctx, ek, "-inf", "(0").Val(); n != 2 {
		t.Errorf("the cut form counts %d reporters, want 2", n)
	}
	now := s.entityMAC(c.kind + ":" + c.oldNow)
	nk := s.k.indexEntity(now)
	if _, err := s.rdb.ZScore(ctx, nk, old[1]).Result(); err == nil {
		t.Error("the tip purged meanwhile was brought into the entity it names")
	}
	if _, err := s.rdb.ZScore(ctx, nk, "r"+s.reporterMAC(now, s.Pseudonym("telegram", "992"))).Result(); err == nil {
		t.Error("the purged tip's reporter counts toward the entity it names")
	}
	if _, err := s.rdb.ZScore(ctx, nk, old[0]).Result(); err != nil {
		t.Error("the other old tip was not brought into the entity it names")
	}
}

// An alert of "@khabar_ह" raised and sent before, when the set of
// "khabar_ह" counted the reporters of old "@khabar_हिंदी" tips, is
// recounted once a tip naming it takes those out: withdrawn from the chat
// that took it, one reporter being left.
func TestCutFormAlertSentBeforeIsWithdrawn(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	c := cutFormCases[0]
	for n, u := range []string{"981", "982"} {
		id := batchSubmit(t, s, u, int64(n+1), c.oldText)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, u, c.kind, c.oldNow, c.cut)
	}
	mac := s.entityMAC(c.kind + ":" + c.cut)
	// Raised as before: the set not sifted.
	s.rdb.Set(ctx, s.k.indexSifted(mac), 1, time.Hour)
	batchSubmit(t, s, "983", 3, c.text)
	alerts := indexUntilDone(t, s)
	if len(alerts) != 1 || alerts[0].Reporters != 3 {
		t.Fatalf("alerts %+v, want the false one of 3 reporters the test starts from", alerts)
	}
	chats := []string{"telegram:-100778"}
	if err := s.KeepAlert(ctx, alerts[0], chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, alerts[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.alertHanded(ctx, alerts[0], chats[0]); err != nil {
		t.Fatal(err)
	}
	s.rdb.Del(ctx, s.k.indexSifted(mac))
	batchSubmit(t, s, "983", 4, "otra vez "+c.text)
	if alerts := indexUntilDone(t, s); len(alerts) > 0 {
		t.Errorf("alerts %+v, want none", alerts)
	}
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 1 {
		t.Fatalf("due %+v %v, want the alert withdrawn from its chat", due, err)
	}
}

// setnxCounter counts the SETNX (or SET … NX) commands sent one by one
// (not in a pipeline): each is a round trip.
type setnxCounter struct{ n atomic.Int64 }

func (h *setnxCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *setnxCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if a := cmd.Args(); cmd.Name() == "setnx" || cmd.Name() == "set" && slices.ContainsFunc(a, func(x any) bool { v, _ := x.(string); return strings.EqualFold(v, "nx") }) {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (h *setnxCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// A tip naming many Persian hashtags whose sets were sifted within the
// hour costs no round trip per hashtag to learn it: the marks are read
// for the whole batch at once.
func TestSiftedMarksAreReadOncePerBatch(t *testing.T) {
	s := internalStore(t)
	var text strings.Builder
	for i := range 60 {
		text.WriteString("#می" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + "بازار ")
	}
	found := tips.Extract(text.String(), "")
	if len(found) != 60 {
		t.Fatalf("the text names %d entities, want 60", len(found))
	}
	for _, e := range found { // sifted by the tips of the hour
		s.rdb.Set(context.Background(), s.k.indexSifted(s.entityMAC(e.Key())), 1, time.Hour)
	}
	h := &setnxCounter{}
	s.rdb.AddHook(h)
	batchSubmit(t, s, "972", 2, text.String())
	indexUntilDone(t, s)
	if n := h.n.Load(); n > 0 {
		t.Errorf("%d marks tried one by one for a tip whose hashtags were sifted this hour, want none", n)
	}
}

// A cut form's set that keeps changing while the indexer sifts it (an
// entity named all the time) does not fail the tip being indexed: it is
// indexed, and counts, and the next tip sifts the set.
func TestTipIsIndexedWhenTheSiftKeepsBeingInterrupted(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	c := cutFormCases[0]
	old := batchSubmit(t, s, "931", 1, c.oldText)
	indexUntilDone(t, s)
	indexEntityAsBefore(t, s, old, "931", c.kind, c.oldNow, c.cut)
	mac := s.entityMAC(c.kind + ":" + c.cut)
	ek := s.k.indexEntity(mac)
	beforeSiftWrites = func() { s.rdb.PExpire(ctx, ek, s.retention) } // touched at every read
	t.Cleanup(func() { beforeSiftWrites = nil })
	id := batchSubmit(t, s, "932", 2, c.text)
	if _, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.rdb.ZScore(ctx, ek, id).Result(); err != nil {
		t.Fatalf("the tip is not indexed under %s (%v)", c.cut, err)
	}
	beforeSiftWrites = nil
	batchSubmit(t, s, "933", 3, "otra vez "+c.text)
	indexUntilDone(t, s)
	if _, err := s.rdb.ZScore(ctx, ek, old).Result(); err == nil {
		t.Error("the next tip did not sift the set")
	}
}

// A tip naming many cut forms whose sets all keep changing while they
// are sifted costs no more sifts than maxFoldsPerTip: a busy sift read
// its set (up to ten times), and counts toward the tip's budget.
func TestBusySiftsCountTowardTheTipsBudget(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	var text strings.Builder
	for i := range maxFoldsPerTip + 2 {
		text.WriteString("#می" + string(rune('a'+i)) + "بازار ")
	}
	found := tips.Extract(text.String(), "")
	if len(found) != maxFoldsPerTip+2 {
		t.Fatalf("the text names %d entities, want %d", len(found), maxFoldsPerTip+2)
	}
	var keys []string
	for i, e := range found {
		// Each set holds another entity's tip: its sift has a write to make.
		u := "95" + string(rune('0'+i))
		id := batchSubmit(t, s, u, int64(i+1), "اخاذی #نه"+string(rune('a'+i))+" بازار")
		indexUntilDone(t, s)
		other := "نه" + string(rune('a'+i))
		indexEntityAsBefore(t, s, id, u, "hashtag", other, e.Value)
		keys = append(keys, s.k.indexEntity(s.entityMAC(e.Key())))
	}
	var reads atomic.Int64
	beforeSiftWrites = func() { // every set touched at every read
		reads.Add(1)
		for _, k := range keys {
			s.rdb.PExpire(ctx, k, s.retention)
		}
	}
	t.Cleanup(func() { beforeSiftWrites = nil })
	batchSubmit(t, s, "959", 20, text.String())
	indexUntilDone(t, s)
	if n := reads.Load(); n == 0 || n > maxFoldsPerTip*10 {
		t.Errorf("the tip's sifts read sets %d times, want at most %d (%d sifts of up to 10 reads)", n, maxFoldsPerTip*10, maxFoldsPerTip)
	}
}
