package storage_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// A tip marked a duplicate, then purged, leaves its original's list of
// duplicates with the purge: no stale entry stays there to be read by
// every mark of the original (duplicatesBehind) and counted toward its
// bound until an approval's walk drops it; so does the list of an
// original it was being marked a duplicate of (a mark under way). The
// original's other duplicate stays listed.
// Mutation: Purge without the SREM from the originals' lists → the
// purged tip stays in its original's list, test fails.
func TestPurgedDuplicateLeavesItsOriginalsList(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	o := submit(t, st, "8801", 8801, "", false)
	d := submit(t, st, "8802", 8802, "", false)
	e := submit(t, st, "8803", 8803, "", false)
	for _, id := range []string{d, e} {
		if err := st.Decide(ctx, id, bob, dupOf(o)); err != nil {
			t.Fatal(err)
		}
	}
	c := srv.Client()
	list := "t:{bc}:dups:" + o
	// And a mark of #d onto #p under way (its process stalled between
	// its mark and its decision): #p's list names #d too.
	p := submit(t, st, "8804", 8804, "", false)
	if err := c.HSet(ctx, "t:{bc}:pub:"+d, "v:tok", "1:u:"+p).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.SAdd(ctx, "t:{bc}:dups:"+p, d).Err(); err != nil {
		t.Fatal(err)
	}
	if got := c.SMembers(ctx, list).Val(); len(got) != 2 {
		t.Fatalf("#%s's duplicates before the purge: %v, want #%s and #%s", o, got, d, e)
	}
	if err := st.Purge(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got := c.SMembers(ctx, list).Val(); len(got) != 1 || got[0] != e {
		t.Fatalf("#%s's duplicates after #%s was purged: %v, want #%s alone", o, d, got, e)
	}
	if got := c.SMembers(ctx, "t:{bc}:dups:"+p).Val(); len(got) != 0 {
		t.Fatalf("#%s's duplicates after #%s, being marked one of it, was purged: %v, want none", p, d, got)
	}
	if n := c.Exists(ctx, "t:{bc}:pub:"+d, "t:{bc}:dups:"+d).Val(); n != 0 {
		t.Fatalf("%d of #%s's own publication records left after its purge", n, d)
	}
}

// A tip with a long list of duplicates (no bound holds it: every tip ever
// marked a duplicate of it, as when many reporters send the same
// warning), purged, has its list freed by Redis off its main thread
// (lazyfreed_objects counts it), not inside the purge's script, where a
// list as long as the marks made would keep Redis busy for as long.
// Mutation: purgeBroadcast deleting its keys with DEL, as before → no
// object freed lazily, test fails.
func TestPurgedOriginalsLongListIsFreedOffTheScript(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	c := srv.Client()
	o := submit(t, st, "8811", 8811, "", false)
	bob := storage.Claimer{Key: "inv-b", Name: "Bob"}
	d := submit(t, st, "8812", 8812, "", false)
	if err := st.Decide(ctx, d, bob, dupOf(o)); err != nil {
		t.Fatal(err)
	}
	// The list as 2,000 marks leave it (past what Redis frees at once in
	// any case: a set of more than 64 members of the table encoding).
	list := "t:{bc}:dups:" + o
	ids := make([]any, 2000)
	for i := range ids {
		ids[i] = 100000 + i
	}
	if err := c.SAdd(ctx, list, ids...).Err(); err != nil {
		t.Fatal(err)
	}
	freed := func() int64 {
		info := c.Info(ctx, "memory").Val()
		_, v, ok := strings.Cut(info, "lazyfreed_objects:")
		if !ok {
			t.Skip("needs a Redis that counts lazyfreed_objects (7.0)")
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(strings.SplitN(v, "\n", 2)[0]), 10, 64)
		return n
	}
	before := freed()
	if err := st.Purge(ctx, o); err != nil {
		t.Fatal(err)
	}
	if n := c.Exists(ctx, list).Val(); n != 0 {
		t.Fatalf("#%s's list of duplicates left after its purge", o)
	}
	// Counted once Redis's background thread has freed it.
	for deadline := time.Now().Add(time.Minute); freed()-before < 1; time.Sleep(10 * time.Millisecond) { // (5 s: short for a background thread on a loaded machine)
		if time.Now().After(deadline) {
			t.Fatalf("no object freed lazily by the purge, want #%s's list of duplicates freed off the script", o)
		}
	}
}
