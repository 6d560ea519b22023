package storage_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// BenchmarkRekeyAuditLog measures rotate-key on an audit log of
// VIGIA_REKEY_BENCH_ENTRIES entries (default 200,000) sealed under the old
// secret: the time it takes, and the longest a PING sent meanwhile waited
// (how long Redis served nothing else).
func BenchmarkRekeyAuditLog(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("VIGIA_REKEY_BENCH_ENTRIES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	srv := redistest.Start(b)
	if !srv.Real {
		b.Skip("its scripts use stream commands the embedded Redis does not run from Lua")
	}
	rdb := srv.Client()
	var worst, longest time.Duration
	var xadds int64
	for range b.N {
		b.StopTimer()
		if err := rdb.FlushAll(ctx).Err(); err != nil {
			b.Fatal(err)
		}
		old := rekeyStore(b, rdb, secretA)
		if err := old.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: "tip"}, 0); err != nil {
			b.Fatal(err)
		}
		sealed := rdb.XRange(ctx, "t:audit", "-", "+").Val()[0].Values["e"]
		for done := 1; done < n; {
			pipe := rdb.Pipeline()
			for ; done < n && pipe.Len() < 10_000; done++ {
				pipe.Do(ctx, "XADD", "t:audit", "*", "e", sealed)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
		// No read timeout: one call may hold Redis for longer than the
		// default 3 s (the previous version's did, on 200,000 entries).
		patient := redis.NewClient(&redis.Options{Addr: srv.Addr, ReadTimeout: -1})
		b.Cleanup(func() { patient.Close() })
		st := rekeyStore(b, patient, secretB, secretA)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
				t0 := time.Now()
				rdb.Ping(ctx)
				worst = max(worst, time.Since(t0))
			}
		})
		rdb.ConfigSet(ctx, "slowlog-max-len", "10000")
		rdb.ConfigSet(ctx, "slowlog-log-slower-than", "1000")
		rdb.SlowLogReset(ctx)
		rdb.ConfigResetStat(ctx)
		b.StartTimer()
		rep, err := st.Rekey(ctx, nil)
		b.StopTimer()
		close(stop)
		wg.Wait()
		for _, l := range rdb.SlowLogGet(ctx, -1).Val() {
			longest = max(longest, l.Duration)
		}
		xadds += xaddCalls(b, rdb)
		if err != nil || rep.Resealed != n+1 { // and the keyset
			b.Fatalf("rekey: %+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(worst.Milliseconds()), "max-ping-ms")
	b.ReportMetric(float64(longest.Milliseconds()), "longest-call-ms")
	b.ReportMetric(float64(xadds)/float64(b.N*n), "xadds/entry")
}

// xaddCalls is how many XADDs Redis ran since its statistics were reset,
// scripts' included.
func xaddCalls(b *testing.B, rdb *redis.Client) int64 {
	info := rdb.Info(context.Background(), "commandstats").Val()
	_, rest, ok := strings.Cut(info, "cmdstat_xadd:calls=")
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(rest[:strings.IndexByte(rest, ',')], 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
