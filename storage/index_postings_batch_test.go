package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// commandCalls runs f and returns how many times Redis ran each command
// meanwhile, scripts' calls included.
func commandCalls(t *testing.T, rdb redis.UniversalClient, f func()) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rdb.ConfigResetStat(ctx)
	f()
	out := map[string]int64{}
	for _, l := range strings.Split(rdb.Info(ctx, "commandstats").Val(), "\n") {
		name, rest, ok := strings.Cut(strings.TrimPrefix(l, "cmdstat_"), ":calls=")
		if ok {
			out[name], _ = strconv.ParseInt(rest[:strings.IndexByte(rest, ',')], 10, 64)
		}
	}
	return out
}

// postingKeys returns the day's posting strings the index holds, by key,
// with their length.
func postingKeys(t *testing.T, s *Store) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	out := map[string]int64{}
	iter := s.rdb.Scan(ctx, 0, "w:ix:t:*", 100).Iterator()
	for iter.Next(ctx) {
		out[iter.Val()] = s.rdb.StrLen(ctx, iter.Val()).Val()
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A batch of tips sharing words writes each word's posting of the day
// once, with all its tips' numbers (one APPEND and one SET with the expiry
// a word, not a pair a word and tip), and every tip is found by each of its words.
func TestBatchWritesEachWordsPostingOnce(t *testing.T) {
	s := callsStore(t)
	ctx := context.Background()
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"cobran piso en el mercado de la colonia centro",
		"en el mercado cobran cuota los halcones",
		"halcones cobran piso frente al mercado",
	}
	var ids []string
	for i, text := range texts {
		ids = append(ids, batchSubmit(t, s, "70"+strconv.Itoa(i), int64(10*(i+1)), text))
	}
	calls := commandCalls(t, s.rdb, func() {
		n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil })
		if err != nil || n != len(texts) {
			t.Fatalf("one batch: %d tips, %v", n, err)
		}
	})
	keys := postingKeys(t, s)
	if len(keys) == 0 {
		t.Fatal("no posting written")
	}
	if calls["append"] != int64(len(keys)) || calls["set"] != int64(len(keys)) || calls["pexpireat"] != 0 {
		t.Fatalf("%d postings written with %d APPEND, %d SET and %d PEXPIREAT, want an APPEND and a SET (with the expiry) each a posting", len(keys), calls["append"], calls["set"], calls["pexpireat"])
	}
	for k := range keys {
		if ttl := s.rdb.PTTL(ctx, k).Val(); ttl <= 0 {
			t.Fatalf("posting %s has no expiry (%v)", k, ttl)
		}
	}
	for _, w := range []string{"mercado", "cobran"} {
		res, _, err := s.Search(ctx, w, time.Now().Add(-time.Hour), "", 10)
		if err != nil || len(res) != 3 {
			t.Fatalf("search %q: %v %v, want the three tips", w, res, err)
		}
	}
	for _, q := range []struct{ word, id string }{{"colonia", ids[0]}, {"cuota", ids[1]}, {"frente", ids[2]}} {
		res, _, err := s.Search(ctx, q.word, time.Now().Add(-time.Hour), "", 10)
		if err != nil || len(res) != 1 || res[0].ID != q.id {
			t.Fatalf("search %q: %v %v, want tip %s", q.word, res, err, q.id)
		}
	}
}

// A word's posting shared by tips of a batch that cannot be written
// fails those tips, to be indexed again, and only those.
func TestSharedPostingFailingFailsItsTipsOnly(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	// A fixed clock: the tips' day is the posting's, even across midnight.
	now := time.Now()
	s.now = func() time.Time { return now }
	batchSubmit(t, s, "801", 10, "venden cristal en la bodega")
	good := batchSubmit(t, s, "802", 20, "cobran piso en el mercado")
	batchSubmit(t, s, "803", 30, "la bodega de cristal abre de noche")
	// The posting of "bodega" (the tips' day) holds the wrong type: its
	// APPEND fails.
	pk := s.k.indexToken(s.tokenMAC("bodega"), indexDay(now))
	s.rdb.SAdd(ctx, pk, "not a string")
	s.rdb.Expire(ctx, pk, time.Hour)
	n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") || n != 1 {
		t.Fatalf("indexed %d, %v; want the one tip without the word and the others' error", n, err)
	}
	if backlog, _ := s.IndexBacklog(ctx); backlog != 2 {
		t.Fatalf("backlog %d, want the two tips naming the word pending", backlog)
	}
	res, _, err := s.Search(ctx, "mercado", now.Add(-time.Hour), "", 10)
	if err != nil || len(res) != 1 || res[0].ID != good {
		t.Fatalf("search: %v %v, want tip %s", res, err, good)
	}
}

// cutAfterIndexWrite, while on, cuts every pipeline right after the first
// command that puts a tip in a posting or in a day's late tips (an
// APPEND, an SADD, a script given such a key): that command runs, the
// ones after it never reach Redis and fail, as with a connection reset
// there.
type cutAfterIndexWrite struct{ on bool }

func (h *cutAfterIndexWrite) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *cutAfterIndexWrite) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *cutAfterIndexWrite) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !h.on {
			return next(ctx, cmds)
		}
		cut := len(cmds)
		for i, c := range cmds {
			if name := c.Name(); name != "append" && name != "sadd" && name != "eval" && name != "evalsha" {
				continue
			}
			if slices.ContainsFunc(c.Args(), func(a any) bool {
				k, _ := a.(string)
				return strings.Contains(k, ":ix:t:") || strings.Contains(k, ":ix:late:")
			}) {
				cut = i + 1
				break
			}
		}
		if cut == len(cmds) {
			return next(ctx, cmds)
		}
		for _, c := range cmds[cut:] {
			c.SetErr(errors.New("injected: connection reset"))
		}
		if err := next(ctx, cmds[:cut]); err != nil {
			return err
		}
		return errors.New("injected: connection reset")
	}
}

// indexKeysWithoutExpiry returns the postings and lists of late tips the
// index holds that have no expiry.
func indexKeysWithoutExpiry(t *testing.T, s *Store) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, pattern := range []string{"w:ix:t:*", "w:ix:late:*"} {
		iter := s.rdb.Scan(ctx, 0, pattern, 100).Iterator()
		for iter.Next(ctx) {
			if ttl := s.rdb.PTTL(ctx, iter.Val()).Val(); ttl < 0 {
				out = append(out, fmt.Sprintf("%s (TTL %v)", iter.Val(), ttl))
			}
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// A connection cut right after a tip's words are appended to their
// postings, or the tip added to its day's late tips, at every attempt
// until the tip is given up, leaves no posting and no list of late tips
// without an expiry: none keeps tips past the retention. Each posting
// expires with its day.
// Mutations: the posting's expiry set after its APPEND (PEXPIREAT, as
// before) -> fails (the posting without expiry); the late tip added and
// the list's expiry set in two commands -> fails (the list without
// expiry).
func TestPostingNeverLeftWithoutExpiry(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	client := srv.Client()
	hook := &cutAfterIndexWrite{}
	client.AddHook(hook)
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(client, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil || s.Init(ctx) != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.now = func() time.Time { return now }
	ids := []string{
		batchSubmit(t, s, "811", 10, "venden cristal en la bodega"),
		batchSubmit(t, s, "812", 20, "la bodega de cristal abre de noche"),
	}
	old := indexStale
	indexStale = 0 // taken over at once: each attempt after the first is late
	t.Cleanup(func() { indexStale = old })

	hook.on = true
	given := 0
	for pass := 0; given < len(ids) && pass < 4*indexAttempts; pass++ {
		n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil })
		if err == nil {
			t.Fatalf("pass %d: indexed %d tips through the cut connection", pass, n)
		}
		given += n
	}
	hook.on = false
	if given != len(ids) {
		t.Fatalf("%d of %d tips given up", given, len(ids))
	}
	if backlog, _ := s.IndexBacklog(ctx); backlog != 0 {
		t.Fatalf("backlog %d once given up", backlog)
	}
	keys := postingKeys(t, s)
	if len(keys) == 0 {
		t.Fatal("no posting written: the cut came before")
	}
	lates, err := s.rdb.Keys(ctx, "w:ix:late:*").Result()
	if err != nil || len(lates) == 0 {
		t.Fatalf("no late tips listed (%v): the cut came before", err)
	}
	if bad := indexKeysWithoutExpiry(t, s); len(bad) > 0 {
		t.Fatalf("kept past the retention: %v", bad)
	}
	want := s.postingExpiry(now)
	for k := range keys {
		at, err := s.rdb.PExpireTime(ctx, k).Result()
		// (The embedded miniredis answers from a TTL: a few ms off.)
		if got := time.UnixMilli(int64(at / time.Millisecond)); err != nil || got.Sub(want).Abs() > time.Second {
			t.Fatalf("posting %s expires at %v (%v), want the day's %v", k, got, err, want)
		}
	}
}

// A tip indexed once its day's postings should be gone (its retention
// ended as it waited) leaves no posting without an expiry: a SET whose
// expiry is past makes nothing, and the APPEND after it would make the
// posting without one.
// Mutation: no floor on the posting's expiry -> fails.
func TestPostingOfATipPastItsRetentionExpires(t *testing.T) {
	ctx := context.Background()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(redistest.Start(t).Client(), kr, Options{Prefix: "w", Retention: time.Hour})
	if err != nil || s.Init(ctx) != nil {
		t.Fatal(err)
	}
	// Sent three days ago (its hash made now: it is still there), indexed now.
	now := time.Now().Add(-72 * time.Hour)
	s.now = func() time.Time { return now }
	batchSubmit(t, s, "821", 10, "venden cristal en la bodega")
	now = time.Now()
	if n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err != nil || n != 1 {
		t.Fatalf("indexed %d, %v", n, err)
	}
	if bad := indexKeysWithoutExpiry(t, s); len(bad) > 0 {
		t.Fatalf("kept past the retention: %v", bad)
	}
}
