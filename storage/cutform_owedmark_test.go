package storage

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// beforeScript runs do once, before the first call of script on the
// client it hooks.
type beforeScript struct {
	script *redis.Script
	do     func()
}

func (h *beforeScript) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *beforeScript) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		// Script.Run sends EVALSHA first, whether Redis has the script.
		if a := cmd.Args(); h.do != nil && cmd.Name() == "evalsha" && len(a) > 1 && a[1] == h.script.Hash() {
			do := h.do
			h.do = nil
			do()
		}
		return next(ctx, cmd)
	}
}

func (h *beforeScript) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// Two sifts of one cut form's set in the same millisecond (two processes,
// each with a tip naming it) each owe their own recount: the first, once
// it has recounted, pays its own mark only. The second took out, after
// the first's recount was done (the alert stood, of 3), a reporter who
// named another entity (their tip did not open for the first), and its
// process stopped (a crash) before its recount: the restarted indexer
// does it, and the false alert, now of 2, is withdrawn from the chat that
// took it.
// Mutation: oweRecount marking the entity's MAC alone, as before (both
// sifts one mark, at the same time) -> fails (no alert due after the
// restart: the first sift paid the second's mark, the false alert
// stands).
func TestTwoSiftsInOneMillisecondEachOweTheirRecount(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	clock := time.Now()
	s.now = func() time.Time { return clock }
	c := cutFormCases[0]
	mac := s.entityMAC(c.kind + ":" + c.cut)
	ek := s.k.indexEntity(mac)
	var foreign []string
	for n, u := range []string{"981", "982"} {
		id := batchSubmit(t, s, u, int64(n+1), c.oldText)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, u, c.kind, c.oldNow, c.cut)
		foreign = append(foreign, id)
	}
	s.rdb.Set(ctx, s.k.indexSifted(mac), 1, time.Hour) // raised as before: the set not sifted
	for n, u := range []string{"983", "984"} {
		batchSubmit(t, s, u, int64(n+3), []string{"", "otra vez "}[n]+c.text)
	}
	alerts := indexUntilDone(t, s)
	if len(alerts) != 1 || alerts[0].Reporters != 3 {
		t.Fatalf("alerts %+v, want the false one of 3 reporters the test starts from", alerts)
	}
	chats := []string{"telegram:-100781"}
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
	// 982's tip does not open for the first sift: it stays, and counts.
	sealed := s.rdb.HGet(ctx, s.k.tip(foreign[1]), "d").Val()
	s.rdb.HSet(ctx, s.k.tip(foreign[1]), "d", "does not open now")

	e := tips.Extract(c.text, s.index0.Region)
	if len(e) != 1 || e[0].Key() != c.kind+":"+c.cut {
		t.Fatalf("%q reads as %v: the test sifts the wrong entity", c.text, e)
	}
	// The first process, on a client of its own: just before it pays
	// its mark, the second sifts (its clock at the same millisecond) and
	// stops after its writes.
	hook := &beforeScript{script: recountPaidScript}
	first := redis.NewClient(s.rdb.(*redis.Client).Options())
	t.Cleanup(func() { first.Close() })
	first.AddHook(hook)
	a, err := New(first, s.kr, Options{Prefix: s.k.prefix, Retention: s.retention, Now: s.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Init(ctx); err != nil {
		t.Fatal(err)
	}
	b := restarted(t, s)
	b.now = s.now
	hook.do = func() {
		if n := s.rdb.ZCount(ctx, ek, "-inf", "(0").Val(); n != 3 {
			t.Errorf("the cut form counts %d reporters after the first sift, want 3 (982, 983, 984)", n)
		}
		// The first sift's recount, done: the alert stands, of 3.
		if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
			t.Errorf("due %+v %v after the first sift's recount, want none (3 reporters left)", due, err)
		}
		s.rdb.HSet(ctx, s.k.tip(foreign[1]), "d", sealed)
		afterSiftWrites = func() { afterSiftWrites = nil; panic("the process stops here") }
		func() {
			defer func() { _ = recover() }()
			_ = b.sift(ctx, e[0], mac)
		}()
		if afterSiftWrites != nil {
			t.Error("the second sift did not reach its writes: the test proves nothing")
		}
	}
	t.Cleanup(func() { afterSiftWrites = nil })
	if _, err := a.siftCutForm(ctx, e[0], mac); err != nil {
		t.Fatal(err)
	}
	if hook.do != nil {
		t.Fatal("the first sift paid no recount: the test proves nothing")
	}
	if n := s.rdb.ZCount(ctx, ek, "-inf", "(0").Val(); n != 2 {
		t.Fatalf("the cut form counts %d reporters after both sifts, want 2 (983, 984)", n)
	}
	if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
		t.Fatalf("due %+v %v before the restart, want none: the second recount was not lost, the test proves nothing", due, err)
	}

	r := restarted(t, s)
	later := clock.Add(2 * owedRecountAge)
	r.now = func() time.Time { return later }
	if _, err := r.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err != nil {
		t.Fatal(err)
	}
	due, err := r.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 1 {
		t.Fatalf("due %+v %v after the restart, want the alert withdrawn from its chat", due, err)
	}
	if n := r.rdb.ZCard(ctx, r.k.indexRecountOwed()).Val(); n != 0 {
		t.Errorf("%d recounts still owed once done", n)
	}
}

// A recount owed by a sift of the version before marks had their own
// token (the mark is the entity's MAC alone), left by a crash, is done
// after the upgrade all the same.
// Mutation: owedEntity naming no entity for a mark without a token ->
// fails (the alert not withdrawn).
func TestRecountOwedByAnEarlierVersionIsDone(t *testing.T) {
	ctx := context.Background()
	s, chats := siftCutOffByACrash(t)
	k := s.k.indexRecountOwed()
	marks := s.rdb.ZRangeWithScores(ctx, k, 0, -1).Val()
	if len(marks) != 1 {
		t.Fatalf("recounts owed %v, want the crashed sift's", marks)
	}
	mac := s.entityMAC(cutFormCases[0].kind + ":" + cutFormCases[0].cut)
	s.rdb.Del(ctx, k)
	s.rdb.ZAdd(ctx, k, redis.Z{Score: marks[0].Score, Member: mac}) // as the earlier version marked it
	r := restarted(t, s)
	later := time.Now().Add(2 * owedRecountAge)
	r.now = func() time.Time { return later }
	if _, err := r.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); err != nil {
		t.Fatal(err)
	}
	due, err := r.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn {
		t.Fatalf("due %+v %v after the upgrade, want the alert withdrawn", due, err)
	}
	if n := r.rdb.ZCard(ctx, k).Val(); n != 0 {
		t.Errorf("%d recounts still owed once done", n)
	}
}

// A sift whose set changed under it (a tip indexed meanwhile: it reads
// the set again) owes one recount, not one per attempt: its process
// stopped after its writes, one mark is left owed.
// Mutation: a new mark at each attempt -> fails (2 marks owed).
func TestSiftTriedAgainOwesOneRecount(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	c := cutFormCases[0]
	id := batchSubmit(t, s, "985", 1, c.oldText)
	indexUntilDone(t, s)
	indexEntityAsBefore(t, s, id, "985", c.kind, c.oldNow, c.cut)
	mac := s.entityMAC(c.kind + ":" + c.cut)
	e := tips.Extract(c.text, s.index0.Region)
	if len(e) != 1 || e[0].Key() != c.kind+":"+c.cut {
		t.Fatalf("%q reads as %v: the test sifts the wrong entity", c.text, e)
	}
	attempts := 0
	beforeSiftWrites = func() {
		if attempts++; attempts == 1 { // indexed meanwhile: the set changed
			s.rdb.ZAdd(ctx, s.k.indexEntity(mac), redis.Z{Score: float64(s.now().UnixMilli()), Member: "98599"})
		}
	}
	afterSiftWrites = func() { afterSiftWrites = nil; panic("the process stops here") }
	t.Cleanup(func() { beforeSiftWrites, afterSiftWrites = nil, nil })
	func() {
		defer func() { _ = recover() }()
		_, _ = s.siftCutForm(ctx, e[0], mac)
	}()
	if attempts != 2 || afterSiftWrites != nil {
		t.Fatalf("%d attempts, writes reached %v: want the sift tried again and stopped after its writes", attempts, afterSiftWrites == nil)
	}
	if n := s.rdb.ZCard(ctx, s.k.indexRecountOwed()).Val(); n != 1 {
		t.Errorf("%d recounts owed by one sift, want 1", n)
	}
}
