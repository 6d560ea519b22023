package storage

import (
	"context"
	"testing"
	"time"
)

// The indexer brings the tips under a handle's past cut form into it
// (fold) and takes other handles' old tips out of a cut form's set (sift)
// while such tips may be left: not once the retention has passed since
// handles kept their marks (the first start of a version indexing them
// so, which a restart does not move). Then neither reads those sets.
// Mutation: indexBatch folding and sifting whatever cutFormsLive says ->
// fails (the sets read, the old tip moved, long after).
func TestCutFormsAreSiftedUntilTheRetentionHasPassed(t *testing.T) {
	ctx := context.Background()
	c := cutFormCases[0]
	for _, passed := range []bool{false, true} {
		s := internalStore(t)
		if passed {
			s.rdb.Set(ctx, s.k.indexFormsSince(), s.now().Add(-s.retention-time.Hour).UnixMilli(), 0)
			s = restarted(t, s)
		}
		old := batchSubmit(t, s, "941", 1, c.oldText)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, old, "941", c.kind, c.oldNow, c.cut)
		cut := s.k.indexEntity(s.entityMAC(c.kind + ":" + c.cut))
		now := s.k.indexEntity(s.entityMAC(c.kind + ":" + c.oldNow))
		folds, sifts := 0, 0
		beforeFold = func() { folds++ }
		beforeSiftWrites = func() { sifts++ }
		t.Cleanup(func() { beforeFold, beforeSiftWrites = nil, nil })

		batchSubmit(t, s, "942", 2, "de nuevo "+c.oldText) // folds
		indexUntilDone(t, s)
		_, err := s.rdb.ZScore(ctx, now, old).Result()
		if folded := err == nil; folded == passed || (folds > 0) == passed {
			t.Errorf("retention passed %v: the old tip brought into %s: %v (%d folds)", passed, c.oldNow, folded, folds)
		}
		batchSubmit(t, s, "943", 3, c.text) // sifts
		indexUntilDone(t, s)
		_, err = s.rdb.ZScore(ctx, cut, old).Result()
		if sifted := err != nil; sifted == passed || (sifts > 0) == passed {
			t.Errorf("retention passed %v: the old tip taken out of %s: %v (%d sifts)", passed, c.cut, sifted, sifts)
		}
	}
}

// A forms key that holds no time (written by hand, or by something else
// under the prefix: not a number, zero, not a string) does not stop the
// bot from starting (Init), nor rotate-key and reset-2fa, which Init too;
// the indexer then folds and sifts, as if the retention had not passed.
// Mutation: Init failing on any error of cutFormsSince (as it did) ->
// fails (Init: "index forms: not a time", or the strconv or WRONGTYPE
// error).
func TestFormsKeyNotATimeStillStartsAndSifts(t *testing.T) {
	ctx := context.Background()
	c := cutFormCases[0]
	for _, bad := range []string{"soon", "0", "hash"} {
		s := internalStore(t)
		s.rdb.Del(ctx, s.k.indexFormsSince())
		if bad == "hash" {
			s.rdb.HSet(ctx, s.k.indexFormsSince(), "x", 1)
		} else {
			s.rdb.Set(ctx, s.k.indexFormsSince(), bad, 0)
		}
		r, err := New(s.rdb, s.kr, Options{Prefix: s.k.prefix, Retention: s.retention})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Init(ctx); err != nil {
			t.Errorf("forms key %q: Init: %v, want the bot started", bad, err)
			continue
		}
		old := batchSubmit(t, r, "951", 1, c.oldText)
		indexUntilDone(t, r)
		indexEntityAsBefore(t, r, old, "951", c.kind, c.oldNow, c.cut)
		batchSubmit(t, r, "952", 2, c.text) // sifts
		indexUntilDone(t, r)
		if _, err := r.rdb.ZScore(ctx, r.k.indexEntity(r.entityMAC(c.kind+":"+c.cut)), old).Result(); err == nil {
			t.Errorf("forms key %q: the old tip was not sifted out of %s", bad, c.cut)
		}
	}
}
