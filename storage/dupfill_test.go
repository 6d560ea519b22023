package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// asBeforeLists makes the duplicate marks of tips ids as versions before
// the lists of duplicates wrote them: no entry in the original's list;
// and, with noPublication (a reporter's tip marked before stop 33's
// chains were checked on approval), no publication hash either.
func asBeforeLists(t *testing.T, st *storage.Store, rdb *redis.Client, noPublication bool, ids ...string) {
	t.Helper()
	ctx := context.Background()
	for _, id := range ids {
		orig := markedOf(t, st, id)
		if orig == "" {
			t.Fatalf("#%s is not marked a duplicate", id)
		}
		rdb.SRem(ctx, "t:{bc}:dups:"+orig, id)
		if noPublication {
			rdb.Del(ctx, "t:{bc}:pub:"+id)
		}
	}
}

// bcState is what the backfill may write: every publication hash and
// list of duplicates, as text.
func bcState(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	ctx := context.Background()
	keys := rdb.Keys(ctx, "t:{bc}:*").Val()
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		switch rdb.Type(ctx, k).Val() {
		case "hash":
			h := rdb.HGetAll(ctx, k).Val()
			fields := make([]string, 0, len(h))
			for f, v := range h {
				fields = append(fields, f+"="+v)
			}
			slices.Sort(fields)
			fmt.Fprintln(&b, k, fields)
		case "set":
			m := rdb.SMembers(ctx, k).Val()
			slices.Sort(m)
			fmt.Fprintln(&b, k, m)
		default:
			fmt.Fprintln(&b, k, rdb.Type(ctx, k).Val())
		}
	}
	return b.String()
}

// Duplicate marks made by versions before the lists of duplicates, once
// listed by the backfill, behave as marks made now: the original of a
// published warning marked a duplicate of it is refused publication,
// naming it, until that warning is marked otherwise; a chain of eight
// marks behind a tip is seen, and the tip's mark, which would make it
// nine, refused; the original's list goes when it is purged. Run again,
// the backfill writes the same; once done, it does nothing.
// Mutation: fillDuplicate not run -> fails (0 marks listed; without the
// count, W's approval starts its broadcast: the warning out twice);
// fillDuplicate not naming the original on the publication ("dup") ->
// fails (run again, it lists 1: the mark is read as marked otherwise, as
// the approve script's walk reads it and drops its entry);
// advanceBackfill writing "done" at the first batch -> fails (the next
// batch finds the run over).
func TestBackfilledMarksBehaveAsNewOnes(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	rdb := srv.Client()
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	storage.BackfillBatch(t, 2) // many batches

	// A published warning B marked a duplicate of warning W.
	b := warningToApprove(t, st)
	if r, err := st.ApprovePublication(ctx, b, shown(t, st, b, "inv-a")); err != nil || !r.Started {
		t.Fatalf("B's approval %+v %v", r, err)
	}
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "8"), "retén falso en el km 23, otra vez", "es", 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, b, bob, dupOf(w.TipID)); err != nil {
		t.Fatal(err)
	}
	asBeforeLists(t, st, rdb, false, b)

	// Reporters' tips x1 -> x2 -> … -> x9: eight marks behind x9.
	var chain []string
	for i := range 9 {
		chain = append(chain, submit(t, st, strconv.Itoa(40+i), int64(40+i), "", false))
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := st.Decide(ctx, chain[i], bob, dupOf(chain[i+1])); err != nil {
			t.Fatalf("mark %d of the chain: %v", i+1, err)
		}
	}
	asBeforeLists(t, st, rdb, true, chain[:len(chain)-1]...)
	a := submit(t, st, "60", 60, "", false)

	n, err := st.BackfillDuplicates(ctx)
	if err != nil || n != 9 {
		t.Fatalf("backfill: %d marks listed, %v; want 9", n, err)
	}
	first := bcState(t, rdb)
	if err := rdb.Del(ctx, "t:dupsfill").Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := st.BackfillDuplicates(ctx); err != nil || n != 9 {
		t.Fatalf("backfill run again: %d marks listed, %v; want the same 9", n, err)
	}
	if again := bcState(t, rdb); again != first {
		t.Fatalf("backfill run again wrote another state:\n%s\nwant\n%s", again, first)
	}
	if n, err := st.BackfillDuplicates(ctx); err != nil || n != 0 {
		t.Fatalf("backfill once done: %d marks listed, %v; want nothing done", n, err)
	}

	if r, err := st.ApprovePublication(ctx, w.TipID, shown(t, st, w.TipID, "inv-a")); err != nil || r.Started || r.PublishedDuplicate != b {
		t.Fatalf("W's approval with B published, a duplicate of it marked before the lists: %+v %v; want refused naming #%s", r, err, b)
	}
	x9 := chain[len(chain)-1]
	var refused *storage.DuplicateChainError
	if err := st.Decide(ctx, x9, bob, dupOf(a)); !errors.As(err, &refused) || refused.Kind != storage.ChainDeep {
		t.Fatalf("#%s, eight marks behind it made before the lists, marked onto #%s: %v; want refused", x9, a, err)
	}
	if got := markedOf(t, st, x9); got != "" {
		t.Fatalf("#%s recorded a duplicate of #%s: the chain from #%s runs nine marks", x9, got, chain[0])
	}

	// B marked otherwise: W goes out. W purged: its list goes with it.
	if err := st.Decide(ctx, b, bob, storage.Decision{Status: tips.StatusVerified}); err != nil {
		t.Fatal(err)
	}
	if r, err := st.ApprovePublication(ctx, w.TipID, shown(t, st, w.TipID, "inv-a")); err != nil || !r.Started {
		t.Fatalf("W's approval once B was verified: %+v %v; want started", r, err)
	}
	if err := st.Purge(ctx, x9); err != nil {
		t.Fatal(err)
	}
	if n := rdb.Exists(ctx, "t:{bc}:dups:"+x9).Val(); n != 0 {
		t.Fatalf("the list of duplicates of purged #%s is left", x9)
	}
}

// The backfill is run by one process at a time: while another's lease
// lasts, nothing is done; once it is over (the process died), the next
// takes it over, from where it stopped, and finishes it. Two at once
// list every mark once between them.
// Mutation: takeBackfill without its lease check (taken whoever holds
// it) -> the first call lists the mark while another holds the lease.
func TestBackfillIsRunByOneProcessAtATime(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	rdb := srv.Client()
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	o, d := submit(t, st, "1", 1, "", false), submit(t, st, "2", 2, "", false)
	if err := st.Decide(ctx, d, bob, dupOf(o)); err != nil {
		t.Fatal(err)
	}
	asBeforeLists(t, st, rdb, true, d)
	lease := clk.Now().Add(storage.BackfillLease).UnixMilli()
	if err := rdb.Set(ctx, "t:dupsfill", "other "+strconv.FormatInt(lease, 10)+" 0", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := st.BackfillDuplicates(ctx); !errors.Is(err, storage.ErrBackfillHeld) || n != 0 {
		t.Fatalf("backfill while another runs it: %d %v; want held, nothing done", n, err)
	}
	if rdb.SIsMember(ctx, "t:{bc}:dups:"+o, d).Val() {
		t.Fatal("listed while another process runs the backfill")
	}
	clk.Add(storage.BackfillLease + time.Second)
	if n, err := st.BackfillDuplicates(ctx); err != nil || n != 1 {
		t.Fatalf("backfill once the other's lease is over: %d %v; want the mark listed", n, err)
	}
	if !rdb.SIsMember(ctx, "t:{bc}:dups:"+o, d).Val() {
		t.Fatal("not listed")
	}
	if v := rdb.Get(ctx, "t:dupsfill").Val(); v != "done" {
		t.Fatalf("backfill state %q, want done", v)
	}
	if ttl := rdb.PTTL(ctx, "t:dupsfill").Val(); ttl != -1 {
		t.Fatalf("the done mark expires (%v): the backfill would run again", ttl)
	}

	// Two at once.
	rdb.Del(ctx, "t:dupsfill", "t:{bc}:dups:"+o)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := st.BackfillDuplicates(ctx)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil && !errors.Is(err, storage.ErrBackfillHeld) {
			t.Fatal(err)
		}
	}
	if _, err := st.BackfillDuplicates(ctx); err != nil {
		t.Fatalf("backfill after two at once: %v (one of them must have finished it)", err)
	}
	if !rdb.SIsMember(ctx, "t:{bc}:dups:"+o, d).Val() {
		t.Fatal("not listed by two runs at once")
	}
}

// A duplicate mark whose publication has its decision's number but does
// not name the original (as versions that numbered decisions before
// "dup" was kept applied a warning's duplicate mark) is listed by the
// backfill, and its publication made to name the original: the decision
// on the tip and the publication's number are the same one.
// Mutation: fillDuplicate naming the original only for a decision above
// the publication's number ("n > dn", as before) -> nothing listed.
func TestBackfillNamesTheOriginalOfAMarkNumberedWithout(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	rdb := srv.Client()
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	o, d := submit(t, st, "81", 81, "", false), submit(t, st, "82", 82, "", false)
	if err := st.Decide(ctx, d, bob, dupOf(o)); err != nil {
		t.Fatal(err)
	}
	asBeforeLists(t, st, rdb, false, d)
	if err := rdb.HDel(ctx, "t:{bc}:pub:"+d, "dup").Err(); err != nil {
		t.Fatal(err)
	}
	if dn := rdb.HGet(ctx, "t:{bc}:pub:"+d, "dn").Val(); dn == "" {
		t.Fatal("the publication has no decision number: the case is not made")
	}
	if n, err := st.BackfillDuplicates(ctx); err != nil || n != 1 {
		t.Fatalf("backfill: %d marks listed, %v; want 1", n, err)
	}
	if !rdb.SIsMember(ctx, "t:{bc}:dups:"+o, d).Val() {
		t.Fatalf("#%s not listed as a duplicate of #%s", d, o)
	}
	if got := rdb.HGet(ctx, "t:{bc}:pub:"+d, "dup").Val(); got != o {
		t.Fatalf("the publication of #%s names %q, want #%s", d, got, o)
	}
}
