package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/vigia-project/vigia/storage/redistest"
)

// tipHashBound is what Redis's MEMORY USAGE may say of a 280-character
// tip's hash under the bench's key names: its listpack in jemalloc's
// 640-byte class, with the 72 bytes of its key, object and table entry.
// In the 768-byte class it is 840 (BENCHMARKS.md, stop 39).
const tipHashBound = 640 + 72

// The tips `vigia bench --mem-tips` stores, once indexed, each keep their
// hash in the 640-byte class, Redis configured as BENCHMARKS.md says
// (hash-max-listpack-value 1024, hash-max-listpack-entries 512).
func TestTipHashFitsTheSmallerAllocation(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("MEMORY USAGE needs a real redis-server")
	}
	ctx := context.Background()
	rdb := srv.Client()
	for k, v := range map[string]string{"hash-max-listpack-value": "1024", "hash-max-listpack-entries": "512"} {
		if err := rdb.ConfigSet(ctx, k, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	eng, err := newBenchEngine(ctx, rdb, "vigia-bench", &logs)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.stop()
	var event atomic.Int64
	const n = 60
	for i := range n {
		g := &tipGen{r: rand.New(rand.NewPCG(7, uint64(i)))} // as the bench draws them
		if err := eng.submit(ctx, "r"+strconv.Itoa(g.r.IntN(300000)), g.text(280), &event); err != nil {
			t.Fatal(err)
		}
	}
	if err := eng.indexed(ctx); err != nil {
		t.Fatal(err)
	}
	most := int64(0)
	for i := 1; i <= n; i++ {
		key := "vigia-bench:{tips}:tip:" + strconv.Itoa(i)
		if enc := rdb.ObjectEncoding(ctx, key).Val(); enc != "listpack" {
			t.Fatalf("tip %d is a %q, not a listpack", i, enc)
		}
		if rdb.HExists(ctx, key, "sk").Val() != true {
			t.Fatalf("tip %d has no sketch: not indexed", i)
		}
		used, err := rdb.MemoryUsage(ctx, key, 0).Result()
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, used)
	}
	t.Logf("the largest tip hash: %d bytes", most)
	if most > tipHashBound {
		t.Fatalf("a tip's hash takes up to %d bytes, over %d", most, tipHashBound)
	}
}
