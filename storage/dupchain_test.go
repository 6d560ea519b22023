package storage_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// markedOf returns what tip id is marked a duplicate of ("" if none).
func markedOf(t *testing.T, st *storage.Store, id string) string {
	t.Helper()
	tip, err := st.Tip(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tip.Status != tips.StatusDuplicate {
		return ""
	}
	return tip.DuplicateOf
}

func dupOf(of string) storage.Decision {
	return storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: of}
}

// A marked a duplicate of B while B is being marked a duplicate of A (the
// command read B as an original, then B's mark was recorded): A's mark is
// refused as a cycle, naming B, and nothing of it is recorded; the two are
// not left duplicates of each other with no original.
// Mutation: the decide script without its cycle check -> A is recorded a
// duplicate of B, B of A.
func TestOppositeDuplicateMarkRecordedMeanwhileIsRefused(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	a, b := submit(t, st, "31", 1, "", false), submit(t, st, "32", 2, "", false)
	raced := false
	storage.BeforeDecide(t, func() {
		if !raced { // once: not again for the decision it makes
			raced = true
			if err := st.Decide(ctx, b, bob, dupOf(a)); err != nil {
				t.Error(err)
			}
		}
	})
	err := st.Decide(ctx, a, bob, dupOf(b))
	var chain *storage.DuplicateChainError
	if !errors.As(err, &chain) || chain.Kind != storage.ChainCycle || chain.Tip != b {
		t.Fatalf("A marked a duplicate of B as B was marked one of A: %v; want a cycle refused naming #%s", err, b)
	}
	if got := markedOf(t, st, a); got != "" {
		t.Fatalf("A recorded a duplicate of #%s", got)
	}
	if got := markedOf(t, st, b); got != a {
		t.Fatalf("B a duplicate of %q, want #%s", got, a)
	}
}

// Two opposite duplicate marks at once, again and again: never both
// recorded (no cycle), and one of them always is.
// Mutation: the decide script without its cycle check -> both recorded.
func TestOppositeDuplicateMarksAtOnceMakeNoCycle(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	for i := range 20 {
		a, b := submit(t, st, strconv.Itoa(100+2*i), int64(10+2*i), "", false), submit(t, st, strconv.Itoa(101+2*i), int64(11+2*i), "", false)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, m := range [][2]string{{a, b}, {b, a}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[j] = st.Decide(ctx, m[0], bob, dupOf(m[1]))
			}()
		}
		wg.Wait()
		for _, err := range errs {
			var chain *storage.DuplicateChainError
			if err != nil && !errors.As(err, &chain) {
				t.Fatal(err)
			}
		}
		ofA, ofB := markedOf(t, st, a), markedOf(t, st, b)
		if ofA == b && ofB == a {
			t.Fatalf("round %d: #%s and #%s recorded duplicates of each other", i, a, b)
		}
		if ofA != b && ofB != a {
			t.Fatalf("round %d: neither mark recorded (%v)", i, errs)
		}
	}
}

// A marked a duplicate of original O while W, with tips marked
// duplicates behind it seven marks deep, is marked a duplicate of A (its
// mark recorded between A's reading of the tips behind it and A's
// script): A's mark is refused, as it would make a chain of nine marks
// (W's farthest duplicate -> … -> W -> A -> O), more than /triage
// follows; W's stands. Marked in the other order, A's mark alone (no
// tips behind it) goes through, and W's is refused in turn.
// Mutation: the decide script without its version check ("dv") -> A is
// recorded a duplicate of O, and the chain from W's farthest duplicate
// runs nine marks.
func TestMarkOfOriginalDeepenedMeanwhileIsRefused(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	var chain []string // x1 -> x2 -> … -> x7 -> w
	for i := range 8 {
		chain = append(chain, submit(t, st, strconv.Itoa(40+i), int64(40+i), "", false))
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := st.Decide(ctx, chain[i], bob, dupOf(chain[i+1])); err != nil {
			t.Fatalf("mark %d of the chain: %v", i+1, err)
		}
	}
	w := chain[len(chain)-1]
	a, o := submit(t, st, "60", 60, "", false), submit(t, st, "61", 61, "", false)

	raced := false
	storage.BeforeDecide(t, func() {
		if !raced { // once: not again for the decision it makes
			raced = true
			if err := st.Decide(ctx, w, bob, dupOf(a)); err != nil {
				t.Error(err)
			}
		}
	})
	err := st.Decide(ctx, a, bob, dupOf(o))
	var refused *storage.DuplicateChainError
	if !errors.As(err, &refused) || refused.Kind != storage.ChainDeep || refused.Behind != storage.MaxDuplicateHops {
		t.Fatalf("A marked onto O as W (7 marks behind it) was marked onto A: %v; want refused, %d marks behind A", err, storage.MaxDuplicateHops)
	}
	if got := markedOf(t, st, a); got != "" {
		t.Fatalf("A recorded a duplicate of #%s: the chain from #%s runs past the bound", got, chain[0])
	}
	if got := markedOf(t, st, w); got != a {
		t.Fatalf("W a duplicate of %q, want #%s", got, a)
	}

	// The other order: A's mark first, then W's onto A (now A -> O).
	if err := st.Decide(ctx, w, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, a, bob, dupOf(o)); err != nil {
		t.Fatalf("A alone marked onto O: %v", err)
	}
	err = st.Decide(ctx, w, bob, dupOf(a))
	if !errors.As(err, &refused) || refused.Kind != storage.ChainDeep {
		t.Fatalf("W (7 marks behind it) marked onto A, a duplicate of O: %v; want refused", err)
	}
	if got := markedOf(t, st, w); got != "" {
		t.Fatalf("W recorded a duplicate of #%s", got)
	}
}

// An original with more than MaxDuplicates tips marked duplicates of it
// (counting theirs) is not marked a duplicate itself after reading them
// all, however many: the reading stops at the bound and the mark is
// refused as having too many behind it (ChainMany: /triage says so, not
// that a chain runs too deep), nothing recorded. With MaxDuplicates behind it, they are read
// and the mark is recorded.
// Mutation: duplicatesBehind without its bound (read > MaxDuplicates) ->
// the second mark is recorded.
func TestMarkOfOriginalWithTooManyDuplicatesIsRefused(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	w, o := submit(t, st, "8998", 8998, "", false), submit(t, st, "8999", 8999, "", false)
	var last string
	mark := func(i int) {
		orig := w // half of them through another
		if i%2 == 1 {
			orig = last
		}
		id := submit(t, st, strconv.Itoa(9000+i), int64(9000+i), "", false)
		if err := st.Decide(ctx, id, bob, dupOf(orig)); err != nil {
			t.Fatal(err)
		}
		last = id
	}
	for i := range storage.MaxDuplicates {
		mark(i)
	}
	if err := st.Decide(ctx, w, bob, dupOf(o)); err != nil {
		t.Fatalf("#%s, with %d duplicates behind it, marked onto #%s: %v", w, storage.MaxDuplicates, o, err)
	}
	if got := markedOf(t, st, w); got != o {
		t.Fatalf("#%s a duplicate of %q, want #%s", w, got, o)
	}
	if err := st.Decide(ctx, w, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	mark(storage.MaxDuplicates)
	err := st.Decide(ctx, w, bob, dupOf(o))
	var refused *storage.DuplicateChainError
	if !errors.As(err, &refused) || refused.Kind != storage.ChainMany || refused.Tip != w {
		t.Fatalf("#%s, with %d duplicates behind it, marked onto #%s: %v %+v; want refused, too many behind #%s", w, storage.MaxDuplicates+1, o, err, refused, w)
	}
	if got := markedOf(t, st, w); got != "" {
		t.Fatalf("#%s recorded a duplicate of #%s", w, got)
	}
}

// An original whose list of duplicates holds more than MaxDuplicates
// stale entries (tips since marked otherwise, or gone) and a few live
// ones is still marked a duplicate, and still takes a new duplicate: the
// stale entries are dropped when the bound is reached, before the mark is
// refused, as an approval's walk drops them; the live ones stay listed.
// Mutation: duplicatesBehind refusing at the bound without dropping the
// stale entries first (as before) → W's mark refused as ChainMany, test
// fails.
func TestStaleDuplicatesDoNotCountTowardTheBound(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	w, o := submit(t, st, "8996", 8996, "", false), submit(t, st, "8997", 8997, "", false)
	c := srv.Client()
	list := "t:{bc}:dups:" + w
	// Tips marked duplicates of W, then marked otherwise: stale.
	var was []string
	for i := range 3 {
		id := submit(t, st, strconv.Itoa(9100+i), int64(9100+i), "", false)
		if err := st.Decide(ctx, id, bob, dupOf(w)); err != nil {
			t.Fatal(err)
		}
		if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Fatal(err)
		}
		was = append(was, id)
	}
	// Tips gone since (expired or erased), as many as the bound.
	gone := make([]any, 0, storage.MaxDuplicates)
	for i := range storage.MaxDuplicates {
		gone = append(gone, strconv.Itoa(100000+i))
	}
	if err := c.SAdd(ctx, list, gone...).Err(); err != nil {
		t.Fatal(err)
	}
	// And two live duplicates of W.
	var live []string
	for i := range 2 {
		id := submit(t, st, strconv.Itoa(9200+i), int64(9200+i), "", false)
		if err := st.Decide(ctx, id, bob, dupOf(w)); err != nil {
			t.Fatal(err)
		}
		live = append(live, id)
	}
	if n := c.SCard(ctx, list).Val(); n != int64(storage.MaxDuplicates+len(was)+len(live)) {
		t.Fatalf("#%s's list holds %d entries, want %d", w, n, storage.MaxDuplicates+len(was)+len(live))
	}
	if err := st.Decide(ctx, w, bob, dupOf(o)); err != nil {
		t.Fatalf("#%s, with %d live duplicates and %d stale entries, marked onto #%s: %v", w, len(live), storage.MaxDuplicates+len(was), o, err)
	}
	if got := markedOf(t, st, w); got != o {
		t.Fatalf("#%s a duplicate of %q, want #%s", w, got, o)
	}
	got := c.SMembers(ctx, list).Val()
	if len(got) != len(live) {
		t.Fatalf("#%s's list after the mark: %d entries, want its %d live duplicates", w, len(got), len(live))
	}
	for _, id := range live {
		if !c.SIsMember(ctx, list, id).Val() {
			t.Fatalf("live duplicate #%s dropped from #%s's list", id, w)
		}
	}
	// W an original again, it takes a new duplicate.
	if err := st.Decide(ctx, w, bob, storage.Decision{Status: tips.StatusNew}); err != nil {
		t.Fatal(err)
	}
	x := submit(t, st, "9300", 9300, "", false)
	if err := st.Decide(ctx, x, bob, dupOf(w)); err != nil || markedOf(t, st, x) != w {
		t.Fatalf("#%s marked onto #%s: %v, a duplicate of %q", x, w, err, markedOf(t, st, x))
	}
}
