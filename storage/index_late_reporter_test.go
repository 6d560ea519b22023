package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
)

// A reporter counts in a window from their latest tip naming an entity,
// whatever order their tips are indexed in. A tip indexed late (an
// indexer died on it and it was taken over, a spooled tip replayed after
// an outage) used to move its reporter's tag back to its own, older hour,
// over the hour of a newer tip of theirs indexed before it: the reporter
// left the window hours early, and a corroborated entity fell out of
// /signals and short of its alert.
func TestLateIndexedTipKeepsItsReportersLatestHour(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	if !srv.Real {
		t.Skip("it needs the pending entries' idle times of a real redis-server")
	}
	c := srv.Client()
	// Reporter 601's first tip is taken by an indexer that dies on it.
	submitText(t, st, "601", 10, "cobran piso, llaman del 55 4444 1212")
	if err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: storage.IndexGroup, Consumer: "indexer", Streams: []string{"t:{tips}:triage", ">"}, Count: 1, Block: -1}).Err(); err != nil {
		t.Fatal(err)
	}
	// Five hours later the same reporter, and another, name it again.
	clk.Add(5 * time.Hour)
	send(t, st, "601", 20, "otra vez el 5544441212")
	send(t, st, "602", 30, "a mí también me llaman del +52 55 4444 1212")
	signalled := func() int {
		t.Helper()
		sigs, err := st.Signals(ctx, 2*time.Hour, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sigs {
			if s.Entity.Value == "+525544441212" {
				return s.Reporters
			}
		}
		return 0
	}
	if n := signalled(); n != 2 {
		t.Fatalf("before the late tip: %d reporters in the last two hours, want 2", n)
	}
	// The first tip, taken over, is indexed now.
	pend, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "t:{tips}:triage", Group: storage.IndexGroup, Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pend) != 1 {
		t.Fatalf("pending: %v %v", pend, err)
	}
	if err := c.Do(ctx, "XCLAIM", "t:{tips}:triage", storage.IndexGroup, pend[0].Consumer, 0, pend[0].ID, "IDLE", (2 * time.Minute).Milliseconds(), "JUSTID").Err(); err != nil {
		t.Fatal(err)
	}
	indexAll(t, st)
	if n := signalled(); n != 2 {
		t.Fatalf("after the late tip: %d reporters in the last two hours, want 2 (reporter 601's latest tip names it within the hour)", n)
	}
}
