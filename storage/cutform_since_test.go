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
