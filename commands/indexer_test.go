package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// owedRecountsFailing makes the owed recounts fail at every look: a sift
// owes the recount of an entity whose kept alert record is corrupted
// (its recount's compare errors). It returns the store's tips waiting to
// be indexed: more than a batch, none naming an entity.
func owedRecountsFailing(t *testing.T, tm *team) int {
	t.Helper()
	ctx := context.Background()
	rc := tm.srv.Client()
	if err := rc.HSet(ctx, "w:{alerts}:a:corrupted", "d", "not a deadline").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rc.ZAdd(ctx, "w:ix:rc", redis.Z{Score: 0, Member: "corrupted"}).Err(); err != nil {
		t.Fatal(err)
	}
	n := storage.IndexBatch + 3
	for i := range n {
		p := fmt.Sprintf("%064x", i+1)
		d, err := tm.store.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Part: tips.Part{Text: fmt.Sprintf("halcones vigilan la plaza %d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tm.store.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// indexedAll checks that every tip is indexed: none waits, and a search
// finds them all.
func (tm *team) indexedAll(n int) {
	tm.t.Helper()
	if backlog, err := tm.store.IndexBacklog(context.Background()); err != nil || backlog != 0 {
		tm.t.Fatalf("%d tips still waiting (%v)", backlog, err)
	}
	res, _, err := tm.store.Search(context.Background(), "halcones", time.Now().Add(-time.Hour), "", n+1)
	if err != nil || len(res) != n {
		tm.t.Fatalf("search found %d tips (%v), want %d", len(res), err, n)
	}
}

// Owed recounts that keep failing do not make indexing look failed: the
// demo's IndexPending indexes every waiting tip, more than a batch, and
// answers nil; the failure is logged as the recounts', once a look.
// Mutation: IndexPending returning the recounts' error (as before) ->
// fails (one batch indexed, the error returned).
func TestIndexPendingGoesOnPastFailingRecounts(t *testing.T) {
	tm := newTeam(t)
	n := owedRecountsFailing(t, tm)
	if err := tm.mux.IndexPending(context.Background()); err != nil {
		t.Fatalf("IndexPending: %v, want every tip indexed and no error", err)
	}
	tm.indexedAll(n)
	logs := tm.logs.String()
	if strings.Count(logs, "owed recounts failed") != 1 || strings.Contains(logs, "indexing failed") {
		t.Fatalf("logs, want the recounts' failure once and no indexing failure:\n%s", logs)
	}
}

// Owed recounts that keep failing do not make the indexer log an
// indexing failure (nor pause as after one): it logs the recounts'.
// Mutation: RunIndexer taking the recounts' error for the indexing's (as
// before) -> fails ("indexing failed" logged).
func TestRunIndexerDoesNotTakeFailingRecountsForFailedIndexing(t *testing.T) {
	tm := newTeam(t)
	n := owedRecountsFailing(t, tm)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tm.mux.RunIndexer(ctx); close(done) }()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if backlog, err := tm.store.IndexBacklog(context.Background()); err == nil && backlog == 0 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("tips still waiting after a minute:\n%s", tm.logs.String())
		}
	}
	cancel()
	<-done // (the log is read once the indexer is done writing it)
	tm.indexedAll(n)
	logs := tm.logs.String()
	if !strings.Contains(logs, "owed recounts failed") || strings.Contains(logs, "indexing failed") {
		t.Fatalf("logs, want the recounts' failure and no indexing failure:\n%s", logs)
	}
}

// An owed recount given up (its mark had failed as often as allowed, and
// its alert record cannot be read) is logged once, as a count, with
// neither the mark nor its entity; not as a failure. The record and the
// mark are gone.
// Mutation: indexTips not logging the recounts given up -> fails (no
// line).
func TestIndexerLogsOwedRecountsGivenUpAsACount(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	rc := tm.srv.Client()
	const mac = "0123456789abcdef"
	if err := rc.HSet(ctx, "w:{alerts}:a:"+mac, "d", "not a deadline").Err(); err != nil {
		t.Fatal(err)
	}
	// Failed 30 times (owedMaxAttempts) already: given up at this look.
	if err := rc.ZAdd(ctx, "w:ix:rc", redis.Z{Score: 0, Member: mac + ":TOKEN#30"}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := tm.mux.IndexPending(ctx); err != nil {
		t.Fatalf("IndexPending: %v", err)
	}
	logs := tm.logs.String()
	if strings.Count(logs, "owed recounts given up") != 1 || !strings.Contains(logs, "count=1") {
		t.Fatalf("logs, want one line giving up one recount:\n%s", logs)
	}
	if strings.Contains(logs, mac) || strings.Contains(logs, "TOKEN") || strings.Contains(logs, "owed recounts failed") {
		t.Fatalf("logs name the mark, or a failure:\n%s", logs)
	}
	if n := rc.Exists(ctx, "w:ix:rc", "w:{alerts}:a:"+mac).Val(); n != 0 {
		t.Fatalf("%d of the mark's list and the unreadable record left", n)
	}
}
