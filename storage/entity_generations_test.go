package storage

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
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
	s.rdb.Del(ctx, s.k.indexFolded(nowMAC)) // the indexer then wrote no such mark
}

// /entity with a handle or hashtag that keeps its marks now finds the
// tips indexed before, under the form it was cut to then ("@khabar_हिंदी"
// was "khabar_ह", "#می‌خواهم" "می"), beside those indexed since, newest
// first. Not the other tips of that cut form, a prefix of other entities
// ("@khabar_हो" was "khabar_ह" too, "#می‌دانم" "می"), nor a tip its reporter withdrew
// (/forget) before /forget took tips out of the old forms.
func TestEntityFindsTipsIndexedUnderTheOldCutForm(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	for i, c := range []struct{ arg, kind, now, old, text, other, otherNow string }{
		{"@khabar_हिंदी", "handle", "khabar_हिदी", "khabar_ह", "me extorsiona @khabar_हिंदी cada semana", "cobran piso, ver @khabar_हो", "khabar_हो"},
		{"@hola\u0331mundo", "handle", "holamundo", "hola", "amenazas de @hola\u0331mundo en el mercado", "cobran piso, ver @hola\u0331tierra", "holatierra"},
		{"#می\u200cخواهم", "hashtag", "میخواهم", "می", "اخاذی #می\u200cخواهم بازار", "اخاذی #می\u200cدانم بازار", "میدانم"},
	} {
		u := func(n int) string { return string(rune('a'+i)) + string(rune('0'+n)) }
		before := batchSubmit(t, s, u(1), int64(100*i+1), c.text)
		other := batchSubmit(t, s, u(2), int64(100*i+2), c.other)
		forgotten := batchSubmit(t, s, u(3), int64(100*i+3), c.text+" otra vez")
		now := batchSubmit(t, s, u(4), int64(100*i+4), "de nuevo "+c.text)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, before, u(1), c.kind, c.now, c.old)
		indexEntityAsBefore(t, s, other, u(2), c.kind, c.otherNow, c.old)
		indexEntityAsBefore(t, s, forgotten, u(3), c.kind, c.now, c.old)
		s.rdb.HSet(ctx, s.k.tip(forgotten), tipForgotten, 1) // withdrawn, the old form left as it was

		found := tips.Extract(c.arg, "")
		if len(found) != 1 || found[0].Key() != c.kind+":"+c.now {
			t.Fatalf("%s reads as %v: the test names the wrong entity", c.arg, found)
		}
		res, err := s.EntityTips(ctx, found[0], time.Now().Add(-time.Hour), 10, tips.PastForms(c.arg, found[0])...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tip := range res {
			got = append(got, tip.ID)
		}
		if want := []string{now, before}; !slices.Equal(got, want) {
			t.Errorf("/entity %s: tips %v, want %v (before %s, other %s, forgotten %s)", c.arg, got, want, before, other, forgotten)
		}
	}
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

// A tip under both forms of a handle (indexed before, under the cut
// form, and again since, as a replayed or retried tip is) counts its
// reporter once toward the handle's alert and /signals, and is listed
// once by /entity: the alert goes out at the third reporter, not at the
// second reporter's tip, and says three.
func TestReporterCountedOnceAcrossEntityForms(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	const text = "me extorsiona @khabar_हिंदी cada semana"
	e := tips.Extract(text, "")[0]
	oldMAC := s.entityMAC("handle:khabar_ह")
	first := batchSubmit(t, s, "901", 1, text)
	indexUntilDone(t, s)
	// Under the cut form too, with its reporter, as the indexer wrote it before.
	score := s.rdb.ZScore(ctx, s.k.indexEntity(s.entityMAC(e.Key())), first).Val()
	hour := -float64(time.UnixMilli(int64(score)).Truncate(time.Hour).UnixMilli())
	s.rdb.ZAdd(ctx, s.k.indexEntity(oldMAC), redis.Z{Score: score, Member: first},
		redis.Z{Score: hour, Member: "r" + s.reporterMAC(oldMAC, s.Pseudonym("telegram", "901"))})

	var ids []string
	for i, user := range []string{"902", "901", "903"} {
		ids = append(ids, batchSubmit(t, s, user, int64(2+i), "otra vez "+text))
		alerts := indexUntilDone(t, s)
		switch {
		case user != "903" && len(alerts) > 0:
			t.Fatalf("an alert at reporter %s's tip: %+v (two reporters)", user, alerts)
		case user == "903" && (len(alerts) != 1 || alerts[0].Reporters != 3 || alerts[0].Entity.Key() != e.Key()):
			t.Fatalf("alerts at the third reporter's tip: %+v, want one, of 3 reporters", alerts)
		}
	}
	sigs, err := s.Signals(ctx, 7*24*time.Hour, 10)
	if err != nil || len(sigs) != 1 || sigs[0].Entity.Key() != e.Key() || sigs[0].Reporters != 3 {
		t.Fatalf("signals %+v %v, want %s of 3 reporters alone", sigs, err, e.Key())
	}
	res, err := s.EntityTips(ctx, e, time.Now().Add(-time.Hour), 10, tips.PastForms(text, e)...)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tip := range res {
		got = append(got, tip.ID)
	}
	if want := []string{ids[2], ids[1], ids[0], first}; !slices.Equal(got, want) {
		t.Errorf("/entity: tips %v, want %v", got, want)
	}
}

// A tip indexed before under a handle's or hashtag's cut form counts its
// reporter toward the entity as read now: two more reporters naming it
// since raise its alert, of 3 reporters, as three naming it since would,
// and /signals counts them. Not the cut form's tips of other entities
// ("@khabar_हो" was "khabar_ह" too), nor a tip its reporter withdrew.
func TestTipUnderTheOldCutFormCountsTowardTheAlert(t *testing.T) {
	ctx := context.Background()
	for i, c := range []struct{ text, kind, now, old, other, otherNow string }{
		{"me extorsiona @khabar_हिंदी cada semana", "handle", "khabar_हिदी", "khabar_ह", "cobran piso, ver @khabar_हो", "khabar_हो"},
		{"اخاذی #می\u200cخواهم بازار", "hashtag", "میخواهم", "می", "اخاذی #می\u200cدانم بازار", "میدانم"},
	} {
		s := internalStore(t)
		u := func(n int) string { return string(rune('a'+i)) + string(rune('0'+n)) }
		before := batchSubmit(t, s, u(1), 1, c.text)
		other := batchSubmit(t, s, u(2), 2, c.other)
		forgotten := batchSubmit(t, s, u(3), 3, "otra vez "+c.text)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, before, u(1), c.kind, c.now, c.old)
		indexEntityAsBefore(t, s, other, u(2), c.kind, c.otherNow, c.old)
		indexEntityAsBefore(t, s, forgotten, u(3), c.kind, c.now, c.old)
		s.rdb.HSet(ctx, s.k.tip(forgotten), tipForgotten, 1) // withdrawn, the old form left as it was
		for n := 4; n <= 5; n++ {
			batchSubmit(t, s, u(n), int64(n), "de nuevo "+c.text)
			alerts := indexUntilDone(t, s)
			switch {
			case n == 4 && len(alerts) > 0:
				t.Errorf("%q: an alert at the second reporter: %+v", c.text, alerts)
			case n == 5 && (len(alerts) != 1 || alerts[0].Reporters != 3 || alerts[0].Entity.Key() != c.kind+":"+c.now):
				t.Errorf("%q: alerts at the third reporter %+v, want one of 3 reporters", c.text, alerts)
			}
		}
		sigs, err := s.Signals(ctx, 7*24*time.Hour, 10)
		if err != nil || len(sigs) != 1 || sigs[0].Entity.Key() != c.kind+":"+c.now || sigs[0].Reporters != 3 || sigs[0].Tips != 3 {
			t.Errorf("%q: signals %+v %v, want %s:%s of 3 reporters and 3 tips", c.text, sigs, err, c.kind, c.now)
		}
	}
}

// A tip under a cut form purged while the indexer brings it into the
// entity as read now (between its read and its writes) is taken back
// out, with its reporter: it counts toward no alert.
func TestTipPurgedWhileFoldedIsTakenOut(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	const text = "me extorsiona @khabar_हिंदी cada semana"
	before := batchSubmit(t, s, "951", 1, text)
	indexUntilDone(t, s)
	indexEntityAsBefore(t, s, before, "951", "handle", "khabar_हिदी", "khabar_ह")
	beforeFold = func() {
		beforeFold = nil
		if err := s.Purge(ctx, before); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { beforeFold = nil })
	batchSubmit(t, s, "952", 2, "de nuevo "+text)
	indexUntilDone(t, s)
	if beforeFold != nil {
		t.Fatal("the purge did not run: the test does not reach the fold")
	}
	batchSubmit(t, s, "953", 3, "otra vez "+text)
	if alerts := indexUntilDone(t, s); len(alerts) > 0 {
		t.Errorf("alerts %+v: the purged tip's reporter counted", alerts)
	}
	mac := s.entityMAC("handle:khabar_हिदी")
	if _, err := s.rdb.ZScore(ctx, s.k.indexEntity(mac), before).Result(); err == nil {
		t.Error("the entity names the purged tip")
	}
	if _, err := s.rdb.ZScore(ctx, s.k.indexEntity(mac), "r"+s.reporterMAC(mac, s.Pseudonym("telegram", "951"))).Result(); err == nil {
		t.Error("the entity counts the purged tip's reporter")
	}
}

// The indexer stopped (a shutdown: its context cancelled) while bringing
// the tips of an entity's past forms into its set: the fold is not marked
// done, so the tip indexed again after the restart brings them in, and
// their reporters count toward the entity's alert at once, not an hour
// later (or never, when no tip names the entity in that hour).
// Mutation: foldPastForms dropping its mark on the cancelled context ->
// the mark stays, the restart's fold is skipped, and no alert is raised.
func TestFoldCutOffByAShutdownIsDoneAgainAfterTheRestart(t *testing.T) {
	s := internalStore(t)
	const text = "me extorsiona @khabar_हिंदी cada semana"
	users := []string{"961", "962"}
	var ids []string
	for n, u := range users {
		ids = append(ids, batchSubmit(t, s, u, int64(n+1), text))
	}
	indexUntilDone(t, s)
	for n, u := range users {
		indexEntityAsBefore(t, s, ids[n], u, "handle", "khabar_हिदी", "khabar_ह")
	}
	batchSubmit(t, s, "963", 3, "de nuevo "+text)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	beforeFold = func() { beforeFold = nil; cancel() }
	t.Cleanup(func() { beforeFold = nil })
	var alerts []Signal
	_, _ = s.IndexTips(ctx, 50, time.Millisecond, func(a Signal) error { alerts = append(alerts, a); return nil })
	if beforeFold != nil || len(alerts) != 0 {
		t.Fatalf("the fold was not cut off (alerts %+v): the test proves nothing", alerts)
	}
	// Restarted: the entry left unacknowledged is taken over at once.
	old := indexStale
	indexStale = 0
	t.Cleanup(func() { indexStale = old })
	alerts = append(alerts, indexUntilDone(t, s)...)
	if len(alerts) != 1 || alerts[0].Reporters != 3 {
		t.Fatalf("alerts after the restart %+v, want one of 3 reporters", alerts)
	}
}

// A tip under a cut form withdrawn by its reporter (/forget) while the
// indexer brings it into the entity as read now, the indexer then stopped
// by a shutdown (its context cancelled) just after its writes: the tip
// and its reporter are taken back out all the same, and count toward
// nothing (a later fold only adds).
// Mutation: unfoldGone on the cancelled context -> the entity keeps the
// withdrawn tip and its reporter's tag.
func TestTipForgottenWhileAFoldIsCutOffIsTakenOut(t *testing.T) {
	s := internalStore(t)
	const text = "me extorsiona @khabar_हिंदी cada semana"
	forgotten := batchSubmit(t, s, "971", 1, text)
	indexUntilDone(t, s)
	indexEntityAsBefore(t, s, forgotten, "971", "handle", "khabar_हिदी", "khabar_ह")
	batchSubmit(t, s, "972", 2, "de nuevo "+text)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	beforeFold = func() {
		beforeFold = nil
		if err := s.Forget(context.Background(), forgotten); err != nil {
			t.Error(err)
		}
	}
	afterFoldWrites = func() { afterFoldWrites = nil; cancel() }
	t.Cleanup(func() { beforeFold, afterFoldWrites = nil, nil })
	_, _ = s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
	if beforeFold != nil || afterFoldWrites != nil {
		t.Fatal("the fold did not reach its writes: the test proves nothing")
	}
	mac := s.entityMAC("handle:khabar_हिदी")
	bg := context.Background()
	if _, err := s.rdb.ZScore(bg, s.k.indexEntity(mac), forgotten).Result(); err == nil {
		t.Error("the entity names the withdrawn tip")
	}
	if _, err := s.rdb.ZScore(bg, s.k.indexEntity(mac), "r"+s.reporterMAC(mac, s.Pseudonym("telegram", "971"))).Result(); err == nil {
		t.Error("the entity counts the withdrawn tip's reporter")
	}
}

// A tip naming many handles that share a cut form holding tips indexed
// before ("@khabar_हिa", "@khabar_हिb", … all were "khabar_ह") reads
// that form's tips for a few of them only, not once per handle: a
// hostile tip cannot make the indexer open the retention's tips a
// thousand times. A handle it leaves is brought in by the next tip
// naming it: the reporter of the tip indexed before still counts.
func TestFoldWorkPerTipIsBounded(t *testing.T) {
	s := internalStore(t)
	const text = "me extorsiona @khabar_हिंदी cada semana"
	before := batchSubmit(t, s, "971", 1, text)
	indexUntilDone(t, s)
	indexEntityAsBefore(t, s, before, "971", "handle", "khabar_हिदी", "khabar_ह")
	var hostile strings.Builder
	for i := range 60 {
		hostile.WriteString("@khabar_हि" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + " ")
	}
	hostile.WriteString(text)
	reads := 0
	beforeFold = func() { reads++ }
	t.Cleanup(func() { beforeFold = nil })
	batchSubmit(t, s, "972", 2, hostile.String())
	if alerts := indexUntilDone(t, s); len(alerts) > 0 {
		t.Errorf("alerts %+v at the second reporter", alerts)
	}
	if reads > maxFoldsPerTip {
		t.Errorf("one tip read the cut form's tips %d times, want at most %d", reads, maxFoldsPerTip)
	}
	batchSubmit(t, s, "973", 3, "de nuevo "+text)
	alerts := indexUntilDone(t, s)
	if len(alerts) != 1 || alerts[0].Reporters != 3 || alerts[0].Entity.Key() != "handle:khabar_हिदी" {
		t.Errorf("alerts at the third reporter %+v, want one of 3 reporters", alerts)
	}
}

// A tip under a cut form withdrawn by its reporter (/forget) while the
// indexer brings it into the entity as read now (between its read and
// its writes) is taken back out, with its reporter: it counts toward no
// alert, as a purged one.
func TestTipForgottenWhileFoldedIsTakenOut(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	const text = "me extorsiona @khabar_हिंदी cada semana"
	before := batchSubmit(t, s, "961", 1, text)
	indexUntilDone(t, s)
	indexEntityAsBefore(t, s, before, "961", "handle", "khabar_हिदी", "khabar_ह")
	beforeFold = func() {
		beforeFold = nil
		if err := s.Forget(ctx, before); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { beforeFold = nil })
	batchSubmit(t, s, "962", 2, "de nuevo "+text)
	indexUntilDone(t, s)
	if beforeFold != nil {
		t.Fatal("the withdrawal did not run: the test does not reach the fold")
	}
	batchSubmit(t, s, "963", 3, "otra vez "+text)
	if alerts := indexUntilDone(t, s); len(alerts) > 0 {
		t.Errorf("alerts %+v: the withdrawn tip's reporter counted", alerts)
	}
	mac := s.entityMAC("handle:khabar_हिदी")
	if _, err := s.rdb.ZScore(ctx, s.k.indexEntity(mac), before).Result(); err == nil {
		t.Error("the entity names the withdrawn tip")
	}
	if _, err := s.rdb.ZScore(ctx, s.k.indexEntity(mac), "r"+s.reporterMAC(mac, s.Pseudonym("telegram", "961"))).Result(); err == nil {
		t.Error("the entity counts the withdrawn tip's reporter")
	}
}

// hexistsTrips counts the round trips to Redis that carry an HEXISTS
// (a command alone, or a pipeline).
type hexistsTrips struct {
	mu    sync.Mutex
	trips int
	cmds  int
}

func (h *hexistsTrips) count(cmds []redis.Cmder) {
	n := 0
	for _, c := range cmds {
		if c.Name() == "hexists" {
			n++
		}
	}
	if n > 0 {
		h.mu.Lock()
		h.trips++
		h.cmds += n
		h.mu.Unlock()
	}
}

func (h *hexistsTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *hexistsTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.count([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

func (h *hexistsTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.count(cmds)
		return next(ctx, cmds)
	}
}

// /entity checks the tips found under an old cut form for a /forget
// mark a batch at a time, in one round trip: it did one a candidate, and
// an old form lists up to maxCandidates of them. The withdrawn ones are
// still left out.
func TestEntityOldFormForgottenCheckIsOneRoundTripABatch(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	const text = "me extorsiona @khabar_हिंदी cada semana"
	const tipsN = 24
	var want []string
	for i := range tipsN {
		user := "77" + strconv.Itoa(100+i)
		id := batchSubmit(t, s, user, int64(500+i), text)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, user, "handle", "khabar_हिदी", "khabar_ह")
		if i%3 == 0 {
			s.rdb.HSet(ctx, s.k.tip(id), tipForgotten, 1)
		} else {
			want = append(want, id)
		}
	}
	slices.Reverse(want)
	e := tips.Extract(text, "")[0]
	h := &hexistsTrips{}
	s.rdb.AddHook(h)
	res, err := s.EntityTips(ctx, e, time.Now().Add(-time.Hour), 50, tips.PastForms(text, e)...)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tip := range res {
		got = append(got, tip.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("/entity: tips %v, want %v (the withdrawn left out)", got, want)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cmds != tipsN || h.trips != 1 {
		t.Errorf("/entity checked %d tips for /forget in %d round trips, want %d in 1", h.cmds, h.trips, tipsN)
	}
}
