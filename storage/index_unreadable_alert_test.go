package storage

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// midBatchCorrupt, once the indexer has read tip victim with its batch
// (before the batch's writes), withdraws it as a /forget (its mark) or a
// purge (its key) does before their own taking out, and corrupts the kept
// alert record of entity mac (a key of another type).
type midBatchCorrupt struct {
	rdb          *redis.Client
	tip, rec     string
	forget, done bool
}

func (h *midBatchCorrupt) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *midBatchCorrupt) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *midBatchCorrupt) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			if h.tip != "" && !h.done && c.Name() == "hgetall" && c.Args()[1] == h.tip {
				h.done = true
				if h.forget {
					h.rdb.HSet(ctx, h.tip, tipForgotten, 1)
				} else {
					h.rdb.HDel(ctx, h.tip, "k")
				}
				h.rdb.Set(ctx, h.rec, "corrupted", time.Hour)
			}
		}
		return err
	}
}

// A tip found forgotten (or purged) once the indexer wrote its entries is
// taken out again (uncount, unindexPurged); a kept alert record of one of
// its entities that cannot be read is then dropped, as DueAlerts drops
// one, and counted in the pass's error (an *UnreadableAlertsError, alone:
// nothing failed), never naming the entity: the tip is acknowledged, done.
// Before, the record's error was the tip's failure: left pending, the
// indexer logging "indexing failed" and waiting, and the tip indexed again
// once stale.
// Mutation: indexBatch keeping the *UnreadableAlertsError as the tip's
// error (no skipUnreadable) -> fails (nothing acknowledged, the tip
// pending).
func TestIndexerSkipsAnUnreadableAlertRecordOfATipTakenOut(t *testing.T) {
	const text = "cobran piso, llaman del 55 4444 9999"
	for _, forget := range []bool{true, false} {
		name := "purged"
		if forget {
			name = "forgotten"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
			client := srv.Client()
			hook := &midBatchCorrupt{rdb: srv.Client(), forget: forget}
			client.AddHook(hook)
			s, err := New(client, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
			if err != nil || s.Init(ctx) != nil {
				t.Fatal(err)
			}
			es := tips.Extract(text, s.index0.Region)
			if len(es) != 1 {
				t.Fatalf("entities %v, want one phone", es)
			}
			mac := s.entityMAC(es[0].Key())
			id := batchSubmit(t, s, "831", 10, text)
			hook.tip, hook.rec = s.k.tip(id), s.k.alertPending(mac)
			n, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
			var ue *UnreadableAlertsError
			if !hook.done || n != 1 || !errors.As(err, &ue) || err != error(ue) || ue.Dropped != 1 {
				t.Fatalf("withdrawn mid-batch %v: %d handled, %v; want the tip done and the record counted alone", hook.done, n, err)
			}
			if bytes.Contains([]byte(err.Error()), []byte(mac)) {
				t.Fatalf("the error names the entity: %v", err)
			}
			if s.rdb.Exists(ctx, hook.rec).Val() != 0 {
				t.Fatal("the unreadable record is still kept")
			}
			if b, err := s.IndexBacklog(ctx); err != nil || b != 0 {
				t.Fatalf("backlog %d (%v): the tip not acknowledged", b, err)
			}
			if s.rdb.ZScore(ctx, s.k.indexEntity(mac), id).Err() == nil {
				t.Fatal("the tip still counts for its entity")
			}
			if n, err := s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil }); n != 0 || err != nil {
				t.Fatalf("the next pass: %d, %v", n, err)
			}
		})
	}
}
