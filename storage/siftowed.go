package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// owedRecountAge is how old a recount owed by a sift (indexRecountOwed)
// is when the indexer does it for the sift: a sift writes its mark, its
// set and the recount in three round trips, so one older than this is
// one whose process stopped before its recount. It is also how often the
// indexer looks.
const owedRecountAge = time.Minute

// owedBatch is how many owed recounts the indexer does at one look.
const owedBatch = 100

// oweRecount records that a sift of an entity's set is about to write
// to it: its alerts' recount (checkAlerts) is owed until recountPaid.
// mark is the sift's own (owedMark), the same at each of its attempts.
// It returns the mark's time. The marks expire with the retention, as
// every index key: an alert is long gone by then.
func (s *Store) oweRecount(ctx context.Context, mark string) (int64, error) {
	at := s.now().UnixMilli()
	// One transaction: made by the ZADD and given its expiry by the
	// PEXPIRE, a connection cut between the two would leave the list
	// without one. (One key: one slot on Redis Cluster.)
	pipe := s.rdb.TxPipeline()
	pipe.ZAdd(ctx, s.k.indexRecountOwed(), redis.Z{Score: float64(at), Member: mark})
	pipe.PExpire(ctx, s.k.indexRecountOwed(), s.retention)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("owe recount: %w", err)
	}
	return at, nil
}

// owedMark is a new mark of a recount owed for entity mac: its MAC and a
// random token, so that two sifts of one entity (two processes, or one
// let go and tried again) each have their own, even marked in the same
// millisecond; one paying its own takes out none of the other's. One
// sift's attempts share theirs (its set changed under it: sift).
func owedMark(mac string) string { return mac + ":" + rand.Text() }

// owedEntity is the entity MAC a recount-owed mark names: what comes
// before its token (a mark written before marks had one is the MAC).
func owedEntity(mark string) string {
	mac, _, _ := strings.Cut(mark, ":")
	return mac
}

// recountPaid takes a sift's owed recount mark, marked at at, out (its
// own: another sift's, of the same entity, stays owed until that sift
// pays it).
func (s *Store) recountPaid(ctx context.Context, mark string, at int64) error {
	if err := recountPaidScript.Run(ctx, s.rdb, []string{s.k.indexRecountOwed()}, mark, at).Err(); err != nil {
		return fmt.Errorf("recount paid: %w", err)
	}
	return nil
}

// recountPaidScript takes member ARGV[1] out of KEYS[1] if its score is
// still ARGV[2].
var recountPaidScript = redis.NewScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`)

// recountPutOffScript moves member ARGV[1] of KEYS[1] to the back of the
// owed recounts (score ARGV[3]) if its score is still ARGV[2]: not one
// paid meanwhile, nor put off by another look.
var recountPutOffScript = redis.NewScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) == tonumber(ARGV[2]) then return redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1]) end
return 0`)

// redoOwedRecounts does the recounts that sifts owe and did not do (their
// process stopped between their writes and the recount: a crash, a
// kill): an alert a cut form raised with other entities' reporters, sent
// already, is recounted and withdrawn all the same. At the indexer's
// first pass, then once every owedRecountAge at most; at the next pass
// if it did a full batch and all went well. A recount that fails (a
// corrupted alert record) leaves its mark owed, put at the back, to be
// tried again at a later look: it holds back neither the other marks
// nor, as its error is only reported, the indexing (IndexTips).
func (s *Store) redoOwedRecounts(ctx context.Context) error {
	now := s.now()
	if now.UnixMilli() < s.owedNext.Load() {
		return nil
	}
	s.owedNext.Store(now.Add(owedRecountAge).UnixMilli())
	res, err := s.rdb.ZRangeByScoreWithScores(ctx, s.k.indexRecountOwed(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(now.Add(-owedRecountAge).UnixMilli(), 10), Count: owedBatch}).Result()
	if err != nil {
		return fmt.Errorf("owed recounts: %w", err)
	}
	if len(res) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	checks := make([]*redis.Cmd, len(res))
	for i, z := range res {
		mark, _ := z.Member.(string)
		mac := owedEntity(mark)
		checks[i] = checkAlert.Eval(ctx, pipe, []string{s.k.alertsDue(), s.k.alertPending(mac)}, mac, now.UnixMilli())
	}
	var rerr redis.Error
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) && !errors.As(err, &rerr) {
		return fmt.Errorf("owed recounts: %w", err) // no answer: nothing done, nothing paid
	}
	var (
		failed error
		nfail  int
	)
	pipe = s.rdb.Pipeline()
	for i, z := range res {
		mark, _ := z.Member.(string)
		if err := checks[i].Err(); err != nil && !errors.Is(err, redis.Nil) {
			if nfail++; failed == nil {
				failed = err
			}
			recountPutOffScript.Eval(ctx, pipe, []string{s.k.indexRecountOwed()}, mark, int64(z.Score), now.UnixMilli())
			continue
		}
		recountPaidScript.Eval(ctx, pipe, []string{s.k.indexRecountOwed()}, mark, int64(z.Score))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("owed recounts paid: %w", err)
	}
	if failed != nil {
		return fmt.Errorf("owed recounts: %d of %d failed, put off: %w", nfail, len(res), failed)
	}
	if len(res) == owedBatch {
		s.owedNext.Store(0) // more at the next pass
	}
	return nil
}
