package storage

import (
	"bytes"
	"context"
	"errors"
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
// once, with all its tips' numbers (one APPEND and one expiry a word, not
// a pair a word and tip), and every tip is found by each of its words.
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
	if calls["append"] != int64(len(keys)) || calls["pexpireat"] != int64(len(keys)) {
		t.Fatalf("%d postings written with %d APPEND and %d PEXPIREAT, want one each a posting", len(keys), calls["append"], calls["pexpireat"])
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

// noPostingExpiry, while on, keeps a pipeline's PEXPIREATs of postings
// from reaching Redis and fails them, as a dropped connection or an error
// after the APPEND before them would.
type noPostingExpiry struct{ on bool }

func (h *noPostingExpiry) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *noPostingExpiry) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *noPostingExpiry) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !h.on {
			return next(ctx, cmds)
		}
		var sent []redis.Cmder
		for _, c := range cmds {
			if c.Name() == "pexpireat" {
				if k, _ := c.Args()[1].(string); strings.Contains(k, ":ix:t:") {
					c.SetErr(errors.New("injected: connection reset"))
					continue
				}
			}
			sent = append(sent, c)
		}
		err := next(ctx, sent)
		if len(sent) < len(cmds) && err == nil {
			err = errors.New("injected: connection reset")
		}
		return err
	}
}

// A posting appended by an attempt that failed before setting its expiry
// gets it when its tips are indexed again (taken over, late), though a
// late tip appends nothing: no blind-indexed word keeps its tips' numbers
// past the retention.
func TestPostingAppendedWithoutExpiryGetsItOnRetry(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	client := srv.Client()
	hook := &noPostingExpiry{}
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

	hook.on = true
	if n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err == nil || n != 0 {
		t.Fatalf("indexed %d, %v; want both tips failed", n, err)
	}
	hook.on = false
	pk := s.k.indexToken(s.tokenMAC("bodega"), indexDay(now))
	if ttl := s.rdb.PTTL(ctx, pk).Val(); ttl != -1 {
		t.Fatalf("posting's TTL %v after the failed attempt, want appended without expiry", ttl)
	}

	// Taken over at once: indexed again, late.
	old := indexStale
	indexStale = 0
	t.Cleanup(func() { indexStale = old })
	if n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err != nil || n != len(ids) {
		t.Fatalf("indexed again %d, %v; want both tips", n, err)
	}
	keys := postingKeys(t, s)
	if len(keys) == 0 {
		t.Fatal("no posting written")
	}
	want := s.postingExpiry(now)
	for k := range keys {
		at, err := s.rdb.PExpireTime(ctx, k).Result()
		if err != nil || at <= 0 {
			t.Fatalf("posting %s has no expiry (%v, %v)", k, at, err)
		}
		// (The embedded miniredis answers from a TTL: a few ms off.)
		if got := time.UnixMilli(int64(at / time.Millisecond)); got.Sub(want).Abs() > time.Second {
			t.Fatalf("posting %s expires at %v, want the day's %v", k, got, want)
		}
	}
	res, _, err := s.Search(ctx, "bodega", now.Add(-time.Hour), "", 10)
	if err != nil || len(res) != len(ids) {
		t.Fatalf("search: %v %v, want both tips", res, err)
	}
}
