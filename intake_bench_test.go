package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/vigia-project/vigia/storage/redistest"
)

// BenchmarkIntakeSubmit is a reporter's tip on the engine, as vigia bench
// sends it (a message, then Send), one at a time, indexer stopped: its
// allocations a tip are the bot's own work on the reporter's path, steady
// where the machine's load moves times.
func BenchmarkIntakeSubmit(b *testing.B) {
	srv := redistest.Start(b)
	ctx := context.Background()
	e, err := newBenchEngine(ctx, srv.Client(), "ib", io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	e.stop()
	var events atomic.Int64
	gen := &tipGen{r: rand.New(rand.NewPCG(5, 6))}
	texts := make([]string, 256)
	for i := range texts {
		texts[i] = gen.text(gen.length())
	}
	for i := range 3 { // the scripts loaded
		if err := e.submit(ctx, fmt.Sprintf("warm%d", i), texts[i], &events); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := e.submit(ctx, "r"+fmt.Sprint(i%5000), texts[i%len(texts)], &events); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
