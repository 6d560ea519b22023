package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Every index key expires: a tip erased or expired must leave no trace
// in the blind index past the retention. Earlier versions could leave
// some without an expiry (a connection cut between the command that made
// a key and the one that gave it its expiry): RepairIndexExpiry gives
// them the one their writer gives them now.

// repairBatch is how many keys one SCAN of RepairIndexExpiry asks for:
// each batch costs Redis one short command at a time, never a walk of
// the whole key space.
const repairBatch = 1000

// repairEvery is how long after a complete look for index keys without
// an expiry another process's start looks again (indexExpiryChecked).
const repairEvery = 24 * time.Hour

// IndexRepairLease is how long a process running RepairIndexExpiry holds
// it past its last batch: one killed meanwhile (its run unfinished) is
// taken over after that, by the next start or a process waiting for it.
const IndexRepairLease = time.Minute

// ErrIndexRepairHeld is RepairIndexExpiry's answer while another process
// runs the repair (its lease not over): nothing was done. Asked again
// once the lease is over, it is done, or run again from the start.
var ErrIndexRepairHeld = errors.New("the index expiry repair is run by another process")

// takeRepair takes the repair (KEYS[1], indexExpiryChecked) for token
// ARGV[1] at ARGV[2] (unix ms), for a lease of ARGV[3] ms: {'done'} if a
// run completed within the day (or an earlier version's mark, a unix ms
// alone, is there: it looks, or looked), {'held'} while another run's
// lease lasts, else {'taken', where the run it takes over got to
// (repairProgress; empty if none)}. A run's mark ("token lease-end
// progress") is kept a day at most from its last write.
var takeRepair = redis.NewScript(`
local p = ''
local v = redis.call('GET', KEYS[1])
if v then
  local owner, til, prog = string.match(v, '^(%S+) (%d+) ?(%S*)$')
  if not owner then return {'done'} end
  if owner ~= ARGV[1] and tonumber(til) > tonumber(ARGV[2]) then return {'held'} end
  p = prog
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. (tonumber(ARGV[2]) + tonumber(ARGV[3])) .. ' ' .. p, 'PX', ARGV[4])
return {'taken', p}`)

// renewRepair, for token ARGV[1]'s run of the repair (KEYS[1]) at
// ARGV[2]: ARGV[3] 'renew' extends its lease by ARGV[4] ms and records
// where it got to, ARGV[6] (repairProgress); 'done' marks the repair done
// for ARGV[5] ms; 'free' ends its lease now, keeping where it got to
// (ARGV[6]) for the next run to go on from. Its mark is kept ARGV[5] ms.
// 0 if the run is not token's any more (its lease ran out and another
// took it over): nothing is written.
var renewRepair = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v or string.match(v, '^(%S+) ') ~= ARGV[1] then return 0 end
if ARGV[3] == 'renew' then
  redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. (tonumber(ARGV[2]) + tonumber(ARGV[4])) .. ' ' .. ARGV[6], 'PX', ARGV[5])
elseif ARGV[3] == 'done' then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[5])
else
  redis.call('SET', KEYS[1], ARGV[1] .. ' 0 ' .. ARGV[6], 'PX', ARGV[5])
end
return 1`)

// RepairIndexExpiry gives every index key without an expiry the expiry
// the code writing it now gives it (an entity's set, the retention after
// its newest tip; a day's postings, the day's), a minute from now at
// least, and leaves every other key alone: one with an expiry keeps it
// (PEXPIREAT NX: never shortened, nor lengthened), one outside the index
// is never touched, but for the hash of a tip purged as an earlier
// version indexed it, its sketch alone (repairSketches). It walks the
// keys in batches (SCAN, on each primary of a Redis Cluster). One
// process at a time runs it (ErrIndexRepairHeld while another's lease,
// renewed at each batch, lasts), and once a day at most: the day is
// counted from a run that went through every key. A run that stopped
// (an error, a cancelled ctx: let go at once; a process killed: once its
// lease is over) is gone on with at the next call from where it got to:
// its lease holds each primary's SCAN cursor (repairProgress), so that
// processes killed again and again, each before a whole SCAN, still get
// through every key in turn. It returns how many keys it gave an expiry;
// 0 without looking if a run completed within the day. Running it again
// changes nothing.
func (s *Store) RepairIndexExpiry(ctx context.Context) (int, error) {
	token := rand.Text()
	key := s.k.indexExpiryChecked()
	res, err := takeRepair.Run(ctx, s.rdb, []string{key}, token, s.now().UnixMilli(), IndexRepairLease.Milliseconds(), repairEvery.Milliseconds()).StringSlice()
	if err != nil {
		return 0, fmt.Errorf("index expiry: %w", err)
	}
	switch res[0] {
	case "done":
		return 0, nil
	case "held":
		return 0, ErrIndexRepairHeld
	}
	mark := func(ctx context.Context, what, progress string) error {
		ok, err := renewRepair.Run(ctx, s.rdb, []string{key}, token, s.now().UnixMilli(), what, IndexRepairLease.Milliseconds(), repairEvery.Milliseconds(), progress).Int()
		if err == nil && ok == 0 {
			err = ErrIndexRepairHeld // taken over: that run goes on
		}
		return err
	}
	run := &repairRun{at: parseRepairProgress(res[1])}
	run.renew = func(ctx context.Context, progress string) error { return mark(ctx, "renew", progress) }
	n, err := s.repairIndexExpiry(ctx, run)
	if err == nil {
		err = mark(ctx, "done", "")
	}
	if err != nil {
		if !errors.Is(err, ErrIndexRepairHeld) {
			// Let go: gone on with at the next call.
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = mark(stop, "free", run.progress())
			cancel()
		}
		return n, fmt.Errorf("index expiry: %w", err)
	}
	return n, nil
}

// repairProgress is where a run of the repair got to, kept in its lease
// (indexExpiryChecked) for a run that takes it over: by phase ("ix", the
// index keys; "tip", the tips' hashes) and primary, the cursor its SCAN
// returned last, or repairScanned once it returned 0. Entries are
// "phase:server:cursor", comma separated. A primary is named by its
// run_id (INFO server): a server restarted since, or another that took
// its slots over (a failover), has another, and is looked through from
// the start, as a SCAN cursor holds only on the server that gave it. It
// holds no key name and no id: cursors and server run ids.
type repairProgress map[string]string // "phase:server" -> cursor

// repairScanned is a primary's cursor in repairProgress once its SCAN
// returned 0: that phase is done there.
const repairScanned = "end"

func parseRepairProgress(v string) repairProgress {
	p := repairProgress{}
	for _, e := range strings.Split(v, ",") {
		if i := strings.LastIndexByte(e, ':'); i > 0 {
			p[e[:i]] = e[i+1:]
		}
	}
	return p
}

func (p repairProgress) String() string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(p)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + ":" + p[k])
	}
	return b.String()
}

// repairRun is a run of the repair once it is taken: where it got to,
// renewed into its lease after each batch.
type repairRun struct {
	mu    sync.Mutex
	at    repairProgress
	renew func(ctx context.Context, progress string) error
}

func (r *repairRun) progress() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.at.String()
}

// scan walks the keys of node matching pattern, in batches, from where
// the run got to on its server in phase (from the start if its run id is
// not known: server ""), handing each batch to fix and then recording
// the cursor (renew: its error stops the scan). It returns how many keys
// fix repaired.
func (r *repairRun) scan(ctx context.Context, node redis.Cmdable, phase, pattern string, fix func(context.Context, []string) (int, error)) (int, error) {
	server := serverRunID(ctx, node)
	entry := phase + ":" + server
	r.mu.Lock()
	from := r.at[entry]
	r.mu.Unlock()
	if server == "" {
		from = ""
	}
	if from == repairScanned {
		return 0, nil
	}
	cursor, _ := strconv.ParseUint(from, 10, 64) // none: 0, the start
	total := 0
	for {
		keys, next, err := node.Scan(ctx, cursor, pattern, repairBatch).Result()
		if err != nil {
			return total, err
		}
		n, err := fix(ctx, keys)
		total += n
		if err == nil {
			err = r.advance(ctx, entry, server != "", next)
		}
		if err != nil {
			return total, err
		}
		if cursor = next; cursor == 0 {
			return total, nil
		}
	}
}

// advance records that a batch was repaired, its SCAN having answered
// cursor next (kept if known is set: its server's run id is known), and
// renews the lease with where the run got to.
func (r *repairRun) advance(ctx context.Context, entry string, known bool, next uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock() // one renew at a time: never an older cursor over a newer one
	if known {
		r.at[entry] = repairScanned
		if next != 0 {
			r.at[entry] = strconv.FormatUint(next, 10)
		}
	}
	return r.renew(ctx, r.at.String())
}

// serverRunID is the run id of node's server (INFO server): another
// server, or the same restarted, has another. "" if it cannot be read
// (an ACL user without INFO): that server's SCAN is not gone on with
// after a stop, but made from the start.
func serverRunID(ctx context.Context, node redis.Cmdable) string {
	info, err := node.Info(ctx, "server").Result()
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(info, "\n") {
		if id, ok := strings.CutPrefix(strings.TrimSpace(l), "run_id:"); ok {
			if id == "" || strings.ContainsAny(id, ":, ") {
				return ""
			}
			return id
		}
	}
	return ""
}

// repairIndexExpiry is RepairIndexExpiry once it is taken.
func (s *Store) repairIndexExpiry(ctx context.Context, run *repairRun) (int, error) {
	var (
		mu    sync.Mutex
		total int
	)
	scan := func(ctx context.Context, node redis.UniversalClient) error {
		n, err := run.scan(ctx, node, "ix", s.k.indexKeys(), func(ctx context.Context, keys []string) (int, error) {
			return s.repairKeys(ctx, node, keys)
		})
		mu.Lock()
		total += n
		mu.Unlock()
		return err
	}
	if err := s.onEachPrimary(ctx, scan); err != nil {
		return total, err
	}
	n, err := s.repairSketches(ctx, run)
	return total + n, err
}

// repairSketches gives the hashes of tips purged (or expired) while an
// earlier version indexed them, made again by its write of their sketch
// alone (HSET sk, with no expiry or one sent apart, cut off), the expiry
// their writer gives them now (setSketch: the retention, NX): they
// named a tip, and kept its near-duplicate sketch, for ever. Likewise
// the hash of a warning purged as it was stored, made again by an
// earlier version's mark of its kind alone (SubmitWarning's HSET kind,
// p, no expiry). A tip's hash that holds its data key ("k": a tip not
// erased) keeps whatever expiry it has, as does one holding neither a
// sketch nor a kind. Every tip is in one hash
// slot ({tips}): on a Cluster, one primary's.
func (s *Store) repairSketches(ctx context.Context, run *repairRun) (int, error) {
	var node redis.Cmdable = s.rdb
	if cl, ok := s.rdb.(*redis.ClusterClient); ok {
		var err error
		if node, err = cl.MasterForKey(ctx, s.k.tip("")); err != nil {
			return 0, err
		}
	}
	return run.scan(ctx, node, "tip", globEscape(s.k.tip(""))+"*", func(ctx context.Context, keys []string) (int, error) {
		return s.repairSketchKeys(ctx, node, keys)
	})
}

// keysWithoutExpiry returns those of keys (one SCAN batch) that have no
// expiry, in one round trip (gone ones, or with an expiry, are left out).
func keysWithoutExpiry(ctx context.Context, node redis.Cmdable, keys []string) ([]string, error) {
	pipe := node.Pipeline()
	ttls := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		ttls[i] = pipe.PTTL(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	var bare []string
	for i, k := range keys {
		if ttls[i].Val() == -1 { // (go-redis gives PTTL's -1 as -1ns)
			bare = append(bare, k)
		}
	}
	return bare, nil
}

// repairSketchKeys is repairSketches' for the tip hashes of one SCAN
// batch, in at most three round trips: their TTLs; the data key, sketch
// and kind of those without one; the expiries.
func (s *Store) repairSketchKeys(ctx context.Context, node redis.Cmdable, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	noExpiry, err := keysWithoutExpiry(ctx, node, keys)
	if err != nil {
		return 0, err
	}
	bare := noExpiry
	fields := make([]*redis.SliceCmd, len(bare))
	pipe := node.Pipeline()
	for i, k := range bare {
		fields[i] = pipe.HMGet(ctx, k, "k", "sk", "kind")
	}
	if len(bare) == 0 {
		return 0, nil
	}
	var rerr redis.Error
	if _, err := pipe.Exec(ctx); err != nil && !errors.As(err, &rerr) {
		return 0, err // no answer (a key of another type answers WRONGTYPE: left alone)
	}
	ttl := max(int64(s.retention/time.Second), 1) // as sketchArgs
	pipe = node.Pipeline()
	var set []*redis.BoolCmd
	for i, k := range bare {
		v, err := fields[i].Result()
		if err != nil || len(v) != 3 || v[0] != nil || (v[1] == nil && v[2] == nil) {
			continue // a tip's data key, neither a sketch nor a kind, or not a hash
		}
		set = append(set, pipe.ExpireNX(ctx, k, time.Duration(ttl)*time.Second))
	}
	if len(set) == 0 {
		return 0, nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range set {
		if c.Val() {
			n++
		}
	}
	return n, nil
}

// repairKeys gives the keys of one SCAN batch that have no expiry theirs
// (indexExpiry), in at most three round trips: their TTLs; for the
// sorted sets without one, their oldest and newest members; the expiries.
func (s *Store) repairKeys(ctx context.Context, node redis.Cmdable, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	noExpiry, err := keysWithoutExpiry(ctx, node, keys)
	if err != nil {
		return 0, err
	}
	type bare struct {
		key         string
		first, last *redis.ZSliceCmd // a sorted set's lowest and highest members
	}
	var found []*bare
	pipe := node.Pipeline()
	for _, k := range noExpiry {
		b := &bare{key: k}
		if kind, _, _ := s.k.indexKind(k); timeScored[kind] {
			b.first = pipe.ZRangeWithScores(ctx, k, 0, 0)
			b.last = pipe.ZRevRangeWithScores(ctx, k, 0, 0)
		}
		found = append(found, b)
	}
	if len(found) == 0 {
		return 0, nil
	}
	if pipe.Len() > 0 {
		// A key of another type than its name says (an earlier
		// version's) answers WRONGTYPE, and a read that failed
		// nothing: either gets the retention from now, the longest.
		_, _ = pipe.Exec(ctx)
	}
	now := s.now()
	pipe = node.Pipeline()
	set := make([]*redis.Cmd, len(found))
	for i, b := range found {
		var newest int64 // unix ms of its newest member, if a sorted set scored by time
		if b.first != nil && b.first.Err() == nil && b.last.Err() == nil {
			for _, z := range append(b.first.Val(), b.last.Val()...) {
				// Tips are scored by their time, reporters' tags by
				// minus their hour. A tag is written with its tip,
				// within its hour: the start of its hour, never after
				// its writer's expiry (the end of the hour would be up
				// to an hour after it).
				newest = max(newest, int64(z.Score), -int64(z.Score))
			}
		}
		at := s.indexExpiry(b.key, newest, now)
		if soonest := now.Add(time.Minute); at.Before(soonest) {
			at = soonest // its data is stale: soon gone, not gone under a reader
		}
		// NX: only if it still has none (written since, it has its
		// writer's).
		set[i] = pipe.Do(ctx, "pexpireat", b.key, at.UnixMilli(), "nx")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, err
	}
	n := 0
	for _, c := range set {
		if v, _ := c.Int64(); v == 1 {
			n++
		}
	}
	return n, nil
}

// timeScored are the kinds of index keys (keys.indexKind) that are
// sorted sets scored by time: an entity's set (its reporters' tags by
// minus the hour), the owed recounts, the signal candidates; and those
// the first versions wrote, read no more, by their tips' time: an
// entity's reporters (r, given their expiry by a command after the one
// that wrote them), the entities seen and the tips' sketches (seen, sim:
// never given one).
var timeScored = map[string]bool{"e": true, "rc": true, "top": true, "r": true, "seen": true, "sim": true}

// indexExpiry is when index key should expire, as the code writing it
// now sets it: newest is the unix ms of its newest member, for a sorted
// set scored by time (timeScored; 0 if unknown).
func (s *Store) indexExpiry(key string, newest int64, now time.Time) time.Time {
	kind, rest, _ := s.k.indexKind(key)
	switch kind {
	case "t", "late": // a day's postings, its late tips: the day's
		if i := strings.LastIndexByte(rest, ':'); i >= 0 {
			rest = rest[i+1:]
		}
		if day, err := time.Parse("20060102", rest); err == nil {
			return s.postingExpiry(day)
		}
	case "lsh": // a week's buckets: bandTTL
		if week, _, ok := strings.Cut(strings.TrimPrefix(rest, "{"), "}"); ok {
			if t, err := time.Parse("20060102", week); err == nil {
				return s.bandExpiry(t)
			}
		}
	case "e", "rc", "top", "r", "seen", "sim": // the retention from their last write
		if newest > 0 {
			return time.UnixMilli(newest).Add(s.retention)
		}
	case "a": // an alert mark: the window
		return now.Add(s.index0.Window)
	case "f", "s": // a fold's or a sift's mark: an hour
		return now.Add(time.Hour)
	}
	// An entity's display value (the retention), or a key an earlier
	// version named otherwise: the longest an index key lives.
	return now.Add(s.retention)
}
