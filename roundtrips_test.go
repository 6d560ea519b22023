package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// tripCounter counts round trips to Redis (a command alone, or a
// pipeline) and the commands they carry, by name.
type tripCounter struct {
	mu    sync.Mutex
	trips int
	cmds  map[string]int
}

func (h *tripCounter) count(cmds []redis.Cmder) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.trips++
	for _, c := range cmds {
		h.cmds[c.Name()]++
	}
}

func (h *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.count([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

func (h *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.count(cmds)
		return next(ctx, cmds)
	}
}

// A received tip (a reporter's message, then Send, as vigia bench sends
// it) costs five round trips to Redis on the reporter's path: the
// message's profile and its draft part; the Send's profile with the
// draft's claim, the stored tip, the tidied draft. Each round trip costs
// the bot and Redis system calls and wake-ups, which on a loaded machine
// are most of a tip's CPU (BENCHMARKS.md, "What limits intake"); this
// count, unlike tips a second, does not depend on the machine's load.
// Mutation: the Send's profile read apart from its claim → 6 a tip.
func TestIntakeRoundTripsPerTip(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client()
	e, err := newBenchEngine(ctx, rdb, "rt", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	e.stop() // the indexer's round trips are off the reporter's path, and batched
	var events atomic.Int64
	gen := &tipGen{r: rand.New(rand.NewPCG(1, 2))}
	// The first tips load the scripts (a script unknown to Redis is sent
	// again in full: a round trip more, once).
	for i := range 3 {
		if err := e.submit(ctx, fmt.Sprintf("warm%d", i), gen.text(gen.length()), &events); err != nil {
			t.Fatal(err)
		}
	}
	h := &tripCounter{cmds: map[string]int{}}
	rdb.AddHook(h)
	const n = 20
	for i := range n {
		if err := e.submit(ctx, fmt.Sprintf("r%d", i), gen.text(gen.length()), &events); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	total := 0
	for k, v := range h.cmds {
		names = append(names, fmt.Sprintf("%s %.2f", k, float64(v)/n))
		total += v
	}
	sort.Strings(names)
	t.Logf("a tip: %.2f round trips, %.2f commands (%s)", float64(h.trips)/n, float64(total)/n, strings.Join(names, ", "))
	if h.trips != 5*n || total != 15*n {
		t.Fatalf("%d tips made %d round trips and %d commands, want 5 and 15 a tip", n, h.trips, total)
	}
}

// nilCounter counts the commands answered with nothing (redis.Nil), by
// name.
type nilCounter struct {
	mu   sync.Mutex
	nils map[string]int
}

func (h *nilCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *nilCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.count([]redis.Cmder{cmd})
		return err
	}
}

func (h *nilCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		h.count(cmds)
		return err
	}
}

func (h *nilCounter) count(cmds []redis.Cmder) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range cmds {
		if errors.Is(c.Err(), redis.Nil) {
			h.nils[c.Name()]++
		}
	}
}

// A received tip gets no nil reply from Redis on the reporter's path:
// go-redis takes one for an error and classifies it (errors.As against
// each kind of error it retries or fails on, about a dozen allocations a
// reply), which cost the bot about a tenth of its allocations a tip while
// the profile's reads of a reporter who had no language or role, the
// unused receipt and the stored tip's answer came back nil (BENCHMARKS.md).
// Mutation: the profile's language read with GET → 2 nils a tip.
func TestIntakeNoNilReplies(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rdb := srv.Client()
	e, err := newBenchEngine(ctx, rdb, "nil", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	e.stop()
	var events atomic.Int64
	gen := &tipGen{r: rand.New(rand.NewPCG(3, 4))}
	for i := range 3 { // the scripts loaded
		if err := e.submit(ctx, fmt.Sprintf("warm%d", i), gen.text(gen.length()), &events); err != nil {
			t.Fatal(err)
		}
	}
	h := &nilCounter{nils: map[string]int{}}
	rdb.AddHook(h)
	for i := range 10 {
		if err := e.submit(ctx, fmt.Sprintf("r%d", i), gen.text(gen.length()), &events); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.nils) > 0 {
		t.Fatalf("10 tips got nil replies: %v", h.nils)
	}
}
