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

// owedMaxAttempts is how many times a look may fail to do an owed
// recount before the next gives it up (giveUpRecount): a mark's looks
// are owedRecountAge apart at least, so half an hour at least, time for
// a failover or a restart of Redis to pass, not for a mark whose alert
// record is unreadable to be put off for ever. The count is kept in the
// mark (owedAttempts).
const owedMaxAttempts = 30

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
// before its token (a mark written before marks had one is the MAC), its
// count of failed attempts aside.
func owedEntity(mark string) string {
	base, _ := owedAttempts(mark)
	mac, _, _ := strings.Cut(base, ":")
	return mac
}

// owedAttempts splits a recount-owed mark into the mark its sift wrote
// and how many times a look failed to do its recount: a mark put off
// (recountPutOffScript) is named again with its count after a '#' (a MAC
// and a token hold none).
func owedAttempts(mark string) (string, int) {
	if i := strings.LastIndexByte(mark, '#'); i > 0 {
		if n, err := strconv.Atoi(mark[i+1:]); err == nil && n > 0 {
			return mark[:i], n
		}
	}
	return mark, 0
}

// owedPutOff is mark named again after one more failed attempt.
func owedPutOff(mark string) string {
	base, n := owedAttempts(mark)
	return base + "#" + strconv.Itoa(n+1)
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
// owed recounts (score ARGV[3]), named again ARGV[4] (owedPutOff: its
// failed attempts counted), if its score is still ARGV[2]: not one paid
// meanwhile, nor put off by another look. The new name is added before
// the old one goes: the list is never emptied, which would delete it
// and make it again without its expiry.
var recountPutOffScript = redis.NewScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) == tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  if ARGV[4] ~= ARGV[1] then redis.call('ZREM', KEYS[1], ARGV[1]) end
  return 1
end
return 0`)

// giveUpRecount is an owed recount's last attempt (owedMaxAttempts
// failed): the alert of entity ARGV[1] (KEYS[2]; KEYS[1] the due ones;
// now ARGV[2], unix ms) is recounted as checkAlert does (answers 1; 0 if
// none is kept or its deadline is past, as checkAlert); or, if it cannot
// be (its record is not a hash, its deadline not a number, or the due
// ones refuse it), its record is deleted (answers 2): an alert whose
// recount cannot be made is no longer kept, nor sent to another chat, as
// it may count reporters who never named its entity (what the recount
// would have withdrawn it for); its entity may raise it again, counted
// anew. Its place among the due ones, if any, goes at its next claim
// (no record). DEL is refused by no state of the data, nor for memory.
// A healthy record's write refused for memory (maxmemory) is an error,
// not a reason to delete it: the mark stays owed, and a later look,
// memory back, recounts it.
var giveUpRecount = redis.NewScript(`
local t = redis.call('TYPE', KEYS[2])['ok']
if t == 'none' then return 0 end
if t == 'hash' then
  local d = redis.call('HGET', KEYS[2], 'd')
  if not d then return 0 end
  d = tonumber(d)
  if d then
    if d <= tonumber(ARGV[2]) then return 0 end
    -- Not under pcall: on a hash, HSET is refused only for memory (or
    -- a replica, a user's rights), not for the record: the attempt
    -- fails, nothing written, and the next look makes it again.
    redis.call('HSET', KEYS[2], 'rc', 1)
    if pcall(redis.call, 'ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) then return 1 end
  end
end
redis.call('DEL', KEYS[2])
return 2`)

// redoOwedRecounts does the recounts that sifts owe and did not do (their
// process stopped between their writes and the recount: a crash, a
// kill): an alert a cut form raised with other entities' reporters, sent
// already, is recounted and withdrawn all the same. At the indexer's
// first pass, then once every owedRecountAge at most; at the next pass
// if it did a full batch and all went well. A recount that fails (a
// corrupted alert record) leaves its mark owed, put at the back, to be
// tried again at a later look: it holds back neither the other marks
// nor, as its error is only reported, the indexing (IndexTips). Once it
// failed owedMaxAttempts times, the next look gives it up
// (giveUpRecount: the alert recounted after all, or no longer kept), and
// its mark goes: the error is then a *RecountsError saying how many were
// given up (a count, no mark).
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
	last := make([]bool, len(res)) // given up: its last attempt
	for i, z := range res {
		mark, _ := z.Member.(string)
		mac := owedEntity(mark)
		keys := []string{s.k.alertsDue(), s.k.alertPending(mac)}
		if _, n := owedAttempts(mark); n >= owedMaxAttempts {
			last[i] = true
			checks[i] = giveUpRecount.Eval(ctx, pipe, keys, mac, now.UnixMilli())
			continue
		}
		checks[i] = checkAlert.Eval(ctx, pipe, keys, mac, now.UnixMilli())
	}
	var rerr redis.Error
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) && !errors.As(err, &rerr) {
		return fmt.Errorf("owed recounts: %w", err) // no answer: nothing done, nothing paid
	}
	var (
		failed  error
		nfail   int
		givenUp int
	)
	pipe = s.rdb.Pipeline()
	for i, z := range res {
		mark, _ := z.Member.(string)
		if err := checks[i].Err(); err != nil && !errors.Is(err, redis.Nil) {
			if nfail++; failed == nil {
				failed = err
			}
			recountPutOffScript.Eval(ctx, pipe, []string{s.k.indexRecountOwed()}, mark, int64(z.Score), now.UnixMilli(), owedPutOff(mark))
			continue
		}
		if v, _ := checks[i].Int(); last[i] && v == 2 {
			givenUp++
		}
		recountPaidScript.Eval(ctx, pipe, []string{s.k.indexRecountOwed()}, mark, int64(z.Score))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("owed recounts paid: %w", err)
	}
	if failed != nil {
		failed = fmt.Errorf("owed recounts: %d of %d failed, put off: %w", nfail, len(res), failed)
	}
	if givenUp > 0 {
		return &RecountsError{err: failed, givenUp: givenUp}
	}
	if failed != nil {
		return failed
	}
	if len(res) == owedBatch {
		s.owedNext.Store(0) // more at the next pass
	}
	return nil
}
