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

	"github.com/vigia-project/vigia/tips"
)

// ErrBackfillHeld is BackfillDuplicates' answer while another process
// runs the backfill (its lease not over): nothing was done.
var ErrBackfillHeld = errors.New("the backfill of the lists of duplicates is run by another process")

// BackfillLease is how long a process running BackfillDuplicates holds it
// past its last batch: one that died is taken over after that.
const BackfillLease = time.Minute

// backfillKeep is how long a backfill left unfinished keeps its cursor
// (taken over from there): past it, the next one starts over.
const backfillKeep = 7 * 24 * time.Hour

// backfillBatch is how many keys one SCAN call of the backfill asks for
// (tests set fewer).
var backfillBatch int64 = 500

// takeBackfill takes the backfill (KEYS[1], see dupsFill) for token
// ARGV[1] at ARGV[2] (unix ms), for a lease of ARGV[3] ms, the state
// kept ARGV[4] ms: {'done'} if it was done, {'held'} while another
// process's lease lasts, else {'taken', cursor}: where the last run
// stopped (a run that died, or this process's own, taken again), "0" for
// a first one.
var takeBackfill = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == 'done' then return {'done', ''} end
local cursor = '0'
if v then
  local owner, til, cur = string.match(v, '^(%S+) (%d+) (%d+)$')
  if owner and owner ~= ARGV[1] and tonumber(til) > tonumber(ARGV[2]) then return {'held', ''} end
  cursor = cur or '0'
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. (tonumber(ARGV[2]) + tonumber(ARGV[3])) .. ' ' .. cursor, 'PX', ARGV[4])
return {'taken', cursor}`)

// advanceBackfill records that token ARGV[1]'s run of the backfill
// (KEYS[1]) reached cursor ARGV[5] at ARGV[2], its lease renewed for
// ARGV[3] ms (0: let go), kept ARGV[4] ms; cursor "0" is the end:
// "done", for good. 0 if the run is not token's any more (its lease ran
// out and another took it over): nothing is written.
var advanceBackfill = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v or string.match(v, '^(%S+) ') ~= ARGV[1] then return 0 end
if ARGV[5] == '0' then
  redis.call('SET', KEYS[1], 'done')
else
  redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. (tonumber(ARGV[2]) + tonumber(ARGV[3])) .. ' ' .. ARGV[5], 'PX', ARGV[4])
end
return 1`)

// fillDuplicate lists tip ARGV[1], marked a duplicate of ARGV[2] by its
// decision number ARGV[3] ("" if it has none, from before decisions were
// numbered), in ARGV[2]'s duplicates (KEYS[2]), as a duplicate mark
// recorded now would have (vetoPublication, then afterDecision on its
// publication, KEYS[1]): the publication names the original ("dup") and
// the decision ("dn"), also when it has that decision's number already
// (versions between numbered decisions and "dup" applied a duplicate
// mark to a warning's publication without naming its original), unless
// a later decision was applied to it already,
// in which case the tip is listed only if that names the same original
// (1), or not at all (0: marked otherwise since, read before the
// backfill's reading of its mark). A publication made here lives as the
// tip does (ARGV[4] ms); the list at least as long, never shorter than
// before. Run again, it writes the same.
var fillDuplicate = redis.NewScript(`
local dn = redis.call('HGET', KEYS[1], 'dn')
local n = tonumber(ARGV[3]) or 0
if not dn or n >= tonumber(dn) then
  redis.call('HSET', KEYS[1], 'dn', n, 'dup', ARGV[2])
  redis.call('HDEL', KEYS[1], 'veto')
  if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
elseif redis.call('HGET', KEYS[1], 'dup') ~= ARGV[2] then
  return 0
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], math.max(tonumber(ARGV[4]), redis.call('PTTL', KEYS[2])))
return 1`)

// BackfillDuplicates lists every tip marked a duplicate in its original's
// list of duplicates (and names the original on the tip's publication
// hash, as a mark recorded now does), which versions before that list
// existed did not: without it, an approval of the original does not see a
// published duplicate of it (the warning would go out twice), and a mark
// of the original does not see the chains behind it. It is done once,
// by one process at a time (ErrBackfillHeld while another's lease
// lasts), SCANning the tips in batches; a run that stopped (a crash, a
// shutdown) is taken over where it stopped once its lease is over, and
// run again over marks listed already, it changes nothing. Each mark is
// listed in one script on the publications' hash slot ({bc}); the tip's
// mark is read before it, on another slot, and a decision recorded
// since is found on the publication (its number), as the approve script
// finds it. It returns how many marks it listed; 0, nil once done.
func (s *Store) BackfillDuplicates(ctx context.Context) (int, error) {
	token := rand.Text()
	res, err := takeBackfill.Run(ctx, s.rdb, []string{s.k.dupsFill()}, token, s.now().UnixMilli(), BackfillLease.Milliseconds(), backfillKeep.Milliseconds()).StringSlice()
	if err != nil {
		return 0, fmt.Errorf("backfill duplicates: %w", err)
	}
	switch res[0] {
	case "done":
		return 0, nil
	case "held":
		return 0, ErrBackfillHeld
	}
	cursor, err := strconv.ParseUint(res[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("backfill duplicates: cursor %w", err)
	}
	// Every tip is in one hash slot ({tips}): on a cluster, one node's.
	var node redis.Cmdable = s.rdb
	if cl, ok := s.rdb.(*redis.ClusterClient); ok {
		if node, err = cl.MasterForKey(ctx, s.k.tip("")); err != nil {
			return 0, fmt.Errorf("backfill duplicates: %w", err)
		}
	}
	advance := func(ctx context.Context, cursor uint64, lease time.Duration) error {
		ok, err := advanceBackfill.Run(ctx, s.rdb, []string{s.k.dupsFill()}, token, s.now().UnixMilli(), lease.Milliseconds(), backfillKeep.Milliseconds(), cursor).Int()
		if err == nil && ok == 0 {
			err = ErrBackfillHeld // taken over: that run goes on
		}
		return err
	}
	listed := 0
	for {
		keys, next, err := node.Scan(ctx, cursor, globEscape(s.k.tip(""))+"*", backfillBatch).Result()
		if err == nil {
			var n int
			n, err = s.fillDuplicates(ctx, keys)
			listed += n
		}
		if err == nil {
			err = advance(ctx, next, BackfillLease)
		}
		if err != nil {
			if !errors.Is(err, ErrBackfillHeld) {
				// Let go, where it stands: taken over at once by the next run.
				stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_ = advance(stop, cursor, 0)
				cancel()
			}
			return listed, fmt.Errorf("backfill duplicates: %w", err)
		}
		if cursor = next; cursor == 0 {
			return listed, nil
		}
	}
}

// fillDuplicates lists the tips of keys (tip hashes) marked duplicates in
// their originals' lists (fillDuplicate); not those whose original is
// gone (purged: its list would name a tip that is no more), nor a tip
// being purged. It returns how many it listed.
func (s *Store) fillDuplicates(ctx context.Context, keys []string) (int, error) {
	type mark struct {
		id     string
		fields *redis.SliceCmd
		ttl    *redis.DurationCmd
		orig   *redis.IntCmd
	}
	marks := make([]mark, 0, len(keys))
	pipe := s.rdb.Pipeline()
	for _, k := range keys {
		id, ok := strings.CutPrefix(k, s.k.tip(""))
		if !ok {
			continue
		}
		marks = append(marks, mark{id: id, fields: pipe.HMGet(ctx, k, "s", "dup", "dn", "k"), ttl: pipe.PTTL(ctx, k)})
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, err
	}
	marked := marks[:0]
	pipe = s.rdb.Pipeline()
	for _, m := range marks {
		v := m.fields.Val()
		if len(v) != 4 || v[0] != string(tips.StatusDuplicate) || v[1] == nil || v[1] == "" || v[3] == nil {
			continue
		}
		m.orig = pipe.Exists(ctx, s.k.tip(v[1].(string)))
		marked = append(marked, m)
	}
	if len(marked) == 0 {
		return 0, nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	listed := 0
	for _, m := range marked {
		if m.orig.Val() == 0 {
			continue
		}
		v := m.fields.Val()
		orig, dn := v[1].(string), ""
		if v[2] != nil {
			dn, _ = v[2].(string)
		}
		ttl := m.ttl.Val()
		if ttl <= 0 {
			ttl = max(s.retention, s.byStatus[tips.StatusDuplicate])
		}
		n, err := fillDuplicate.Run(ctx, s.rdb, []string{s.k.publication(m.id), s.k.duplicates(orig)}, m.id, orig, dn, ttl.Milliseconds()).Int()
		if err != nil {
			return listed, err
		}
		listed += n
	}
	return listed, nil
}
