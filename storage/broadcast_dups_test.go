package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// A published warning B marked a duplicate of a verified warning W, where
// a closed tip lives longer than the retention (VIGIA_RETENTION_CLOSED
// above VIGIA_RETENTION): W's list of duplicates lives at least as long
// as B's record, or W's approval, once the list expired, would find no
// duplicate and publish W, the same warning a second time.
// Mutation: vetoPublication setting the list's lifetime to the retention
// (as before) -> the list lives 1h, B's record 48h.
func TestDuplicatesListLivesAsLongAsItsDuplicate(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t", Retention: time.Hour, ClosedRetention: 48 * time.Hour, VerifiedRetention: 10 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	b := warningToApprove(t, st)
	if r, err := st.ApprovePublication(ctx, b, shown(t, st, b, "inv-a")); err != nil || !r.Started {
		t.Fatalf("B's approval %+v %v", r, err)
	}
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "8"), "retén falso en el km 23, otra vez", "es", 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, w.TipID, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, b, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: w.TipID}); err != nil {
		t.Fatal(err)
	}
	list, pub := rdb.PTTL(ctx, "t:{bc}:dups:"+w.TipID).Val(), rdb.PTTL(ctx, "t:{bc}:pub:"+b).Val()
	if pub < 24*time.Hour || list < pub-time.Minute {
		t.Fatalf("W's list of duplicates lives %v, B's record %v: want the list at least as long", list, pub)
	}
}

// A warning with more than MaxDuplicates tips marked duplicates of it
// (counting theirs) is not approved unchecked: the approval is refused,
// nothing recorded; with one mark fewer, the walk reads them all and the
// approval counts.
// Mutation: the approve script without its bound (n > ARGV[17]) -> the
// approval is recorded and starts the broadcast.
func TestApprovalOfWarningWithTooManyDuplicatesIsRefused(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	w := warningToApprove(t, st)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	var last string
	for i := 0; i <= storage.MaxDuplicates; i++ { // MaxDuplicates+1 tips, half through another
		orig := w
		if i%2 == 1 {
			orig = last
		}
		id := submit(t, st, strconv.Itoa(9000+i), int64(9000+i), "", false)
		if err := st.Decide(ctx, id, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: orig}); err != nil {
			t.Fatal(err)
		}
		last = id
	}
	if r, err := st.ApprovePublication(ctx, w, shown(t, st, w, "inv-a")); err != nil || !r.TooManyDuplicates || r.Started {
		t.Fatalf("approval with %d duplicates: %+v %v; want refused as too many", storage.MaxDuplicates+1, r, err)
	}
	if p, err := st.PendingPublication(ctx, w, nil); err != nil || p.Approvals != 0 {
		t.Fatalf("refused, yet recorded: %+v %v", p, err)
	}
	if err := st.Decide(ctx, last, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	if r, err := st.ApprovePublication(ctx, w, shown(t, st, w, "inv-a")); err != nil || r.TooManyDuplicates || !r.Started {
		t.Fatalf("approval with %d duplicates: %+v %v; want started", storage.MaxDuplicates, r, err)
	}
}

// A purged warning takes its list of duplicates with it: nothing of it is
// left in Redis.
// Mutation: Purge not deleting the list -> it is left.
func TestPurgeDeletesTheListOfDuplicates(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	w := warningToApprove(t, st)
	d := submit(t, st, "77", 77, "", false)
	if err := st.Decide(ctx, d, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: w}); err != nil {
		t.Fatal(err)
	}
	rdb := srv.Client()
	if n := rdb.Exists(ctx, "t:{bc}:dups:"+w).Val(); n != 1 {
		t.Fatalf("no list of duplicates of #%s (%d): the test reads the wrong key", w, n)
	}
	if err := st.Purge(ctx, w); err != nil {
		t.Fatal(err)
	}
	if n := rdb.Exists(ctx, "t:{bc}:dups:"+w).Val(); n != 0 {
		t.Fatalf("the list of duplicates of purged #%s is left", w)
	}
}

// A duplicate mark refused (a cycle, a tip decided since, a mark under
// way that lapsed unrecorded) leaves no entry in the original's list of
// duplicates: each refusal added one before, read by every later mark of
// that tip until an approval's walk dropped it. The same mark refused
// while it is recorded keeps its entry.
// Mutation: Decide taking back only the mark under way (HDEL, as before)
// -> the cycle's entry is left; settleLapsedVetoes likewise -> the lapsed
// mark's entry is left; dropVeto without its check of the recorded mark
// ("dup") -> the recorded mark's entry goes.
func TestRefusedDuplicateMarkLeavesNoEntry(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	rdb := srv.Client()
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	listed := func(orig, id string) bool {
		t.Helper()
		ok, err := rdb.SIsMember(ctx, "t:{bc}:dups:"+orig, id).Result()
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	o, a := submit(t, st, "51", 51, "", false), submit(t, st, "52", 52, "", false)
	if err := st.Decide(ctx, a, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: o}); err != nil {
		t.Fatal(err)
	}
	var chain *storage.DuplicateChainError
	if err := st.Decide(ctx, o, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: a}); !errors.As(err, &chain) || chain.Kind != storage.ChainCycle {
		t.Fatalf("#%s marked a duplicate of its own duplicate: %v; want a cycle refused", o, err)
	}
	if listed(a, o) {
		t.Fatalf("the refused mark of #%s left it in the duplicates of #%s", o, a)
	}

	// The recorded mark made again, refused (decided since, as an old
	// button): its entry stays, it still names the original.
	var decided *storage.DecidedError
	if err := st.Decide(ctx, a, bob, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: o, WhileClaimed: true}); !errors.As(err, &decided) {
		t.Fatalf("a mark of a tip not claimed, while claimed: %v; want refused", err)
	}
	if !listed(o, a) {
		t.Fatalf("a refused repeat of its recorded mark took #%s out of the duplicates of #%s", a, o)
	}

	// A warning's mark under way whose process died: settled unrecorded
	// by the next approval of it, its entry goes with it.
	w := warningToApprove(t, st)
	if _, err := st.MarkDuplicate(ctx, w, o); err != nil {
		t.Fatal(err)
	}
	clk.Add(storage.VetoLease + time.Second)
	if r, err := st.ApprovePublication(ctx, w, shown(t, st, w, "inv-a")); err != nil || !r.Started {
		t.Fatalf("approval once the mark lapsed: %+v %v; want started", r, err)
	}
	if listed(o, w) {
		t.Fatalf("the lapsed mark of #%s left it in the duplicates of #%s", w, o)
	}
}

// Two investigators mark the same tip a duplicate of the same original at
// once: one recorded, the other refused (decided meanwhile). The refusal
// comes while the recorded mark is still under way (its decision recorded,
// its after-step not yet applied: the publication names the original by
// its mark alone), and the recorded mark's entry in the original's
// duplicates stays.
// Mutation: dropVeto not reading the marks under way (its loop over the
// "v:" fields) -> the refusal takes the recorded mark's entry out.
func TestRefusedMarkBesideOneRecordedKeepsItsEntry(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	rdb := srv.Client()
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	carl := storage.Claimer{Key: "inv-c", Name: "Carl"}
	o, x := submit(t, st, "71", 71, "", false), submit(t, st, "72", 72, "", false)
	var refused error
	inside := false
	storage.AfterDecide(t, func() {
		if inside {
			return
		}
		inside = true
		refused = st.Decide(ctx, x, carl, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: o, WhileClaimed: true})
	})
	if err := st.Decide(ctx, x, bob, dupOf(o)); err != nil {
		t.Fatal(err)
	}
	var decided *storage.DecidedError
	if !errors.As(refused, &decided) {
		t.Fatalf("the same mark made at once, while claimed: %v; want refused", refused)
	}
	if got := markedOf(t, st, x); got != o {
		t.Fatalf("#%s marked a duplicate of %q; want #%s", x, got, o)
	}
	if ok, err := rdb.SIsMember(ctx, "t:{bc}:dups:"+o, x).Result(); err != nil || !ok {
		t.Fatalf("#%s recorded a duplicate of #%s, not in its duplicates (%v): the refusal beside it took its entry", x, o, err)
	}
}
