package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// scanWatch watches a client's SCANs of the pattern match: the cursors
// they asked from and those they answered. With killAt > 0, the SCAN
// numbered killAt and every command after it fail without reaching
// Redis, as in a process killed there (its batches before it repaired and
// recorded).
type scanWatch struct {
	match  string
	killAt int

	mu       sync.Mutex
	dead     bool
	asked    []string
	answered []uint64
}

func (w *scanWatch) DialHook(next redis.DialHook) redis.DialHook { return next }

func (w *scanWatch) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, c redis.Cmder) error {
		w.mu.Lock()
		ours := c.Name() == "scan" && len(c.Args()) > 3 && fmt.Sprint(c.Args()[3]) == w.match
		if ours && w.killAt > 0 && len(w.asked)+1 >= w.killAt {
			w.dead = true
		}
		if w.dead {
			w.mu.Unlock()
			return errors.New("injected: process killed")
		}
		if ours {
			w.asked = append(w.asked, fmt.Sprint(c.Args()[1]))
		}
		w.mu.Unlock()
		err := next(ctx, c)
		if sc, ok := c.(*redis.ScanCmd); ok && ours && err == nil {
			_, cursor := sc.Val()
			w.mu.Lock()
			w.answered = append(w.answered, cursor)
			w.mu.Unlock()
		}
		return err
	}
}

func (w *scanWatch) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		w.mu.Lock()
		dead := w.dead
		w.mu.Unlock()
		if dead {
			return errors.New("injected: process killed")
		}
		return next(ctx, cmds)
	}
}

// repairResumeSetup starts a Redis holding total entity sets without an
// expiry, and two stores on it (two processes) sharing a clock.
func repairResumeSetup(t *testing.T, total int) (srv *redistest.Server, first, next *Store, clock *time.Time, client, other *redis.Client) {
	t.Helper()
	srv = redistest.Start(t)
	if !srv.Real {
		t.Skip("needs a real redis-server (SCAN cursors, INFO run_id)")
	}
	client, other = srv.Client(), srv.Client()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	start := time.Now()
	clock = &start
	opts := Options{Prefix: "w", Retention: 90 * 24 * time.Hour, Now: func() time.Time { return *clock }}
	var err error
	first, err = New(client, kr, opts)
	if err != nil || first.Init(context.Background()) != nil {
		t.Fatal(err)
	}
	if next, err = New(other, kr, opts); err != nil {
		t.Fatal(err)
	}
	pipe := other.Pipeline()
	for i := range total {
		pipe.ZAdd(context.Background(), first.k.indexEntity(fmt.Sprint("m", i)), redis.Z{Score: float64(start.UnixMilli()), Member: "7"})
	}
	if _, err := pipe.Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv, first, next, clock, client, other
}

// assertAllIndexKeysExpire fails t if an entity set has no expiry.
func assertAllIndexKeysExpire(t *testing.T, rdb *redis.Client) {
	t.Helper()
	ctx := context.Background()
	var cursor uint64
	for {
		keys, c, err := rdb.Scan(ctx, cursor, "w:ix:e:*", 1000).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 0 {
				t.Fatalf("%s left without expiry (%v)", k, ttl)
			}
		}
		if cursor = c; cursor == 0 {
			return
		}
	}
}

// A run of the repair killed after some batches is taken over, once its
// lease is over, from the SCAN cursor its last batch recorded, not from
// the start: processes killed again and again, each before a whole SCAN,
// still get through every key. The run that takes it over goes through
// the rest, and marks the day done.
// Mutation: scan starting from cursor 0 whatever the progress read ->
// fails (the next run's first SCAN asks from 0, and makes as many as a
// whole walk).
func TestIndexExpiryRepairKilledRunIsTakenOverFromItsCursor(t *testing.T) {
	const total = 6000 // six SCAN batches or so
	ctx := context.Background()
	_, first, next, clock, client, other := repairResumeSetup(t, total)
	start := *clock
	match := first.k.indexKeys()
	const k = 3
	killed := &scanWatch{match: match, killAt: k + 1}
	client.AddHook(killed)
	n, err := first.RepairIndexExpiry(ctx)
	if err == nil || n == 0 || n >= total || len(killed.answered) != k {
		t.Fatalf("killed run: %d keys repaired (%v), %d SCANs; want some, an error, %d SCANs", n, err, len(killed.answered), k)
	}
	stored := other.Get(ctx, first.k.indexExpiryChecked()).Val()
	if strings.Contains(stored, "w:") || strings.Contains(stored, "m1") {
		t.Fatalf("the lease holds a key name: %q", stored)
	}
	*clock = start.Add(IndexRepairLease + time.Second)
	taker := &scanWatch{match: match}
	other.AddHook(taker)
	m, err := next.RepairIndexExpiry(ctx)
	if err != nil || n+m != total {
		t.Fatalf("run taking over: %d keys repaired (%v), want the %d left", m, err, total-n)
	}
	if want := fmt.Sprint(killed.answered[k-1]); len(taker.asked) == 0 || taker.asked[0] != want || want == "0" {
		t.Fatalf("run taking over asked SCAN from %v, want from the killed run's last cursor %s", taker.asked, want)
	}
	// A whole walk, counted now (the key space is the same).
	whole := &scanWatch{match: match}
	probe := redis.NewClient(&redis.Options{Addr: other.Options().Addr})
	defer probe.Close()
	probe.AddHook(whole)
	for cursor := uint64(0); ; {
		_, c, err := probe.Scan(ctx, cursor, match, repairBatch).Result()
		if err != nil {
			t.Fatal(err)
		}
		if cursor = c; cursor == 0 {
			break
		}
	}
	if len(taker.asked) >= len(whole.asked) {
		t.Fatalf("run taking over made %d SCANs, a whole walk %d: it began again", len(taker.asked), len(whole.asked))
	}
	assertAllIndexKeysExpire(t, other)
	*clock = start.Add(repairEvery - time.Hour)
	if m, err := next.RepairIndexExpiry(ctx); err != nil || m != 0 {
		t.Fatalf("run again within the day: %d keys (%v), want none (the day marked done)", m, err)
	}
}

// A run killed after some batches, whose Redis restarted before another
// took it over, is not gone on with from the recorded cursor: a SCAN
// cursor holds on the server that gave it, and a restarted server (a new
// run_id) orders its keys anew. The run that takes it over walks that
// server from the start, and gets through every key.
// Mutation: scan naming every server alike (its run_id not read) ->
// fails (the restarted server asked from the old cursor).
func TestIndexExpiryRepairAfterARedisRestartWalksFromTheStart(t *testing.T) {
	const total = 6000
	ctx := context.Background()
	srv, first, next, clock, client, other := repairResumeSetup(t, total)
	start := *clock
	match := first.k.indexKeys()
	killed := &scanWatch{match: match, killAt: 3}
	client.AddHook(killed)
	n, err := first.RepairIndexExpiry(ctx)
	if err == nil || n == 0 || len(killed.answered) != 2 {
		t.Fatalf("killed run: %d keys repaired (%v), %d SCANs", n, err, len(killed.answered))
	}
	before := other.Get(ctx, first.k.indexExpiryChecked()).Val()
	srv.Stop()
	srv.Restart()
	if got := other.Get(ctx, first.k.indexExpiryChecked()).Val(); got != before {
		t.Fatalf("the lease after the restart: %q, want it kept (%q)", got, before)
	}
	*clock = start.Add(IndexRepairLease + time.Second)
	taker := &scanWatch{match: match}
	other.AddHook(taker)
	m, err := next.RepairIndexExpiry(ctx)
	if err != nil || n+m != total {
		t.Fatalf("run after the restart: %d keys repaired (%v), want the %d left", m, err, total-n)
	}
	if len(taker.asked) == 0 || taker.asked[0] != "0" {
		t.Fatalf("run after the restart asked SCAN from %v, want from 0", taker.asked)
	}
	assertAllIndexKeysExpire(t, other)
}
