package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A failover whose old primary is gone (killed, as a crash or a lost
// host) is followed at the first call that fails after the promotion:
// go-redis loaded the slots again only on a MOVED or ASK, which nothing
// answers then, or once its slots were a minute old, and every call to
// the old primary's slots failed for up to that minute while the
// cluster had promoted its replica. Here a primary and its replica; the
// replica takes over (CLUSTER FAILOVER TAKEOVER, the promotion), the
// primary is killed, and calls are made until one goes through: within
// 30 s, half the minute go-redis waited (it lasts under a second here;
// the time is logged). The same for a pipeline (the store's writes are
// pipelines and scripts). Mutations checked: liveClusterClient without
// the followFailover hook -> "still failing 30 s after the failover"
// (both); its ProcessPipelineHook reloading nothing -> the pipeline's
// case fails alike.
func TestClusterClientFollowsAFailoverOfADeadPrimary(t *testing.T) {
	t.Run("call", func(t *testing.T) {
		followsFailover(t, func(ctx context.Context, rdb redis.UniversalClient) error { return rdb.Set(ctx, "k", "after", 0).Err() })
	})
	t.Run("pipeline", func(t *testing.T) {
		followsFailover(t, func(ctx context.Context, rdb redis.UniversalClient) error {
			_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "k", "after", 0)
				p.Get(ctx, "k")
				return nil
			})
			return err
		})
	})
}

// followsFailover fails t unless write, on a cluster client of a
// primary and its replica, goes through within 30 s of the replica's
// takeover and the primary's death.
func followsFailover(t *testing.T, write func(context.Context, redis.UniversalClient) error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("VIGIA_REQUIRE_REDIS") == "1" {
			t.Fatal("VIGIA_REQUIRE_REDIS=1 but redis-server is not installed")
		}
		t.Skip("needs redis-server")
	}
	ctx := context.Background()
	primary := startClusterNode(t, bin, t.TempDir())
	replica := startClusterNode(t, bin, t.TempDir())
	p := redis.NewClient(&redis.Options{Addr: primary.addr})
	defer p.Close()
	r := redis.NewClient(&redis.Options{Addr: replica.addr})
	defer r.Close()
	if err := p.Do(ctx, "cluster", "addslotsrange", 0, 16383).Err(); err != nil {
		t.Fatal(err)
	}
	id, err := p.Do(ctx, "cluster", "myid").Text()
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(primary.addr, ":")
	if err := r.Do(ctx, "cluster", "meet", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the replica never met the primary", func() bool {
		nodes, _ := r.Do(ctx, "cluster", "nodes").Text()
		return strings.Contains(nodes, id)
	})
	if err := p.ConfigSet(ctx, "repl-diskless-sync-delay", "0").Err(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the replica never took the primary as its own", func() bool {
		return r.Do(ctx, "cluster", "replicate", id).Err() == nil // (refused until it knows the primary as one)
	})
	waitUntil(t, "the replica never replicated the primary", func() bool {
		info, _ := r.Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:up")
	})
	for _, c := range []*redis.Client{p, r} {
		waitUntil(t, "cluster_state:ok", func() bool {
			info, _ := c.ClusterInfo(ctx).Result()
			return strings.Contains(info, "cluster_state:ok")
		})
	}
	rdb, err := liveClusterClient(ctx, "redis://"+primary.addr+"?dial_timeout=1s&addr="+replica.addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "before", 0).Err(); err != nil {
		t.Fatalf("before the failover: %v", err)
	}
	if err := r.Do(ctx, "cluster", "failover", "takeover").Err(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the replica never took over", func() bool {
		info, _ := r.Info(ctx, "replication").Result()
		return strings.Contains(info, "role:master")
	})
	primary.stop()
	start := time.Now()
	waitUntil(t, "still failing 30 s after the failover", func() bool {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return write(cctx, rdb) == nil
	})
	t.Logf("the first call through %v after the old primary was killed", time.Since(start).Round(time.Millisecond))
}
