package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// cutAfterWrite, while on, cuts the connection right after the first
// command that writes a key the indexer makes (which says): that command
// runs, the ones after it never reach Redis and fail, as with a
// connection reset there (in a transaction cut before its EXEC, none
// runs). before, if set, runs just before that command
// is sent.
type cutAfterWrite struct {
	on     bool
	writes func(redis.Cmder) bool
	before func()
}

func (h *cutAfterWrite) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *cutAfterWrite) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, c redis.Cmder) error {
		if !h.on || !h.writes(c) {
			return next(ctx, c)
		}
		if h.before != nil {
			h.before()
		}
		if err := next(ctx, c); err != nil {
			return err
		}
		err := errors.New("injected: connection reset")
		c.SetErr(err)
		return err
	}
}

func (h *cutAfterWrite) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !h.on {
			return next(ctx, cmds)
		}
		cut := slices.IndexFunc(cmds, h.writes) + 1
		if cut == 0 {
			return next(ctx, cmds)
		}
		if h.before != nil {
			h.before()
		}
		if cmds[0].Name() == "multi" && cut < len(cmds) {
			// Cut before its EXEC, a transaction runs none of its
			// commands.
			for _, c := range cmds {
				c.SetErr(errors.New("injected: connection reset"))
			}
			return errors.New("injected: connection reset")
		}
		for _, c := range cmds[cut:] {
			c.SetErr(errors.New("injected: connection reset"))
		}
		if err := next(ctx, cmds[:cut]); err != nil {
			return err
		}
		return errors.New("injected: connection reset")
	}
}

// writesKey says whether c is one of the commands named (a script
// counts) with an argument holding part.
func writesKey(c redis.Cmder, part string, names ...string) bool {
	return slices.Contains(names, c.Name()) && slices.ContainsFunc(c.Args(), func(a any) bool {
		s, _ := a.(string)
		return strings.Contains(s, part)
	})
}

// writesSketch says whether c writes a tip's sketch: an HSET of its "sk"
// field, or setSketch.
func writesSketch(c redis.Cmder) bool {
	args := c.Args()
	switch c.Name() {
	case "hset":
		return slices.Contains(args, any("sk"))
	case "evalsha":
		return len(args) > 1 && args[1] == setSketch.Hash()
	case "eval":
		src, _ := args[1].(string)
		return strings.Contains(src, "'sk'")
	}
	return false
}

// A connection cut right after the indexer writes an entity's set of
// tips, a near-duplicate bucket, or the sketch of a tip purged as it was
// indexed (its hash made again by the sketch), at every attempt until
// the tips are given up, leaves none of them without an expiry: none
// keeps which tips named an entity, or looked alike, past the retention.
// The same for the lists of signal candidates (entities named by two or
// more reporters).
// Mutations: an entity's set given its expiry by a PEXPIRE after its
// ZADD (as before) -> fails (the set without expiry); the buckets' by
// PEXPIREs after addBands -> fails (the buckets); the sketch's by an
// EXPIRE NX after its HSET -> fails (the tip's hash); the signal
// candidates' by PEXPIREs at the end of the pipeline after ZADD GTs (as
// before) -> fails (the lists).
func TestIndexKeysNeverLeftWithoutExpiry(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string // the keys that must all have an expiry
		writes  func(redis.Cmder) bool
		purge   bool // the tip's hash deleted right before the write (a purge meanwhile)
	}{
		{"entity", "w:ix:e:*", func(c redis.Cmder) bool { return writesKey(c, ":ix:e:", "zadd", "evalsha", "eval") }, false},
		{"bands", "w:ix:lsh:*", func(c redis.Cmder) bool { return writesKey(c, ":ix:lsh:", "hsetnx", "hset", "evalsha", "eval") }, false},
		{"sketch", "w:{tips}:tip:*", writesSketch, true},
		{"signal candidates", "w:ix:top*", func(c redis.Cmder) bool { return writesKey(c, ":ix:top", "zadd", "evalsha", "eval") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			client, other := srv.Client(), srv.Client()
			hook := &cutAfterWrite{writes: tc.writes}
			client.AddHook(hook)
			kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
			s, err := New(client, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
			if err != nil || s.Init(ctx) != nil {
				t.Fatal(err)
			}
			// Loaded: an EVALSHA Redis does not know writes nothing, and
			// would be all a cut after it left.
			for _, sc := range []*redis.Script{addEntity, addBands, setSketch, addTop} {
				if err := sc.Load(ctx, other).Err(); err != nil {
					t.Fatal(err)
				}
			}
			texts := []string{
				"extorsión en el mercado: llamar al +52 55 1234 5678, pagan a @cobrador_norte cada semana",
				"el +52 55 1234 5678 cobra cuota en el mercado, @cobrador_norte manda",
			}
			var ids []string
			for i, text := range texts {
				ids = append(ids, batchSubmit(t, s, fmt.Sprint(830+i), int64(10*(i+1)), text))
			}
			if tc.purge {
				hook.before = func() {
					for _, id := range ids {
						other.Del(ctx, s.k.tip(id))
					}
				}
			}
			old := indexStale
			indexStale = 0 // taken over at once: each attempt after the first is late
			t.Cleanup(func() { indexStale = old })

			hook.on = true
			for pass := 0; pass < 4*indexAttempts; pass++ {
				if backlog, _ := s.IndexBacklog(ctx); backlog == 0 {
					break
				}
				if n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err == nil && !tc.purge {
					t.Fatalf("pass %d: indexed %d tips through the cut connection", pass, n)
				}
			}
			hook.on = false
			if backlog, _ := s.IndexBacklog(ctx); backlog != 0 {
				t.Fatalf("backlog %d: tips not given up", backlog)
			}
			keys, err := other.Keys(ctx, tc.pattern).Result()
			if err != nil || len(keys) == 0 {
				t.Fatalf("no %s key written (%v): the cut came before", tc.pattern, err)
			}
			var bad []string
			for _, k := range keys {
				if ttl := other.PTTL(ctx, k).Val(); ttl < 0 {
					bad = append(bad, fmt.Sprintf("%s (TTL %v)", k, ttl))
				}
			}
			if len(bad) > 0 {
				t.Fatalf("kept past the retention: %v", bad)
			}
		})
	}
}

// A tip naming thousands of entities (past what Lua unpacks in one
// call) still has them all added to the signal candidates, with the
// list's expiry. Mutation: addTop unpacking all its pairs in one ZADD ->
// fails (too many results to unpack).
func TestSignalCandidatesOfATipNamingThousandsOfEntities(t *testing.T) {
	ctx := context.Background()
	client := redistest.Start(t).Client()
	args := []any{int64(time.Hour / time.Millisecond)}
	for i := range 6000 {
		args = append(args, int64(1000+i), fmt.Sprint("m", i))
	}
	if err := addTop.Run(ctx, client, []string{"w:ix:top"}, args...).Err(); err != nil {
		t.Fatal(err)
	}
	if n := client.ZCard(ctx, "w:ix:top").Val(); n != 6000 {
		t.Fatalf("%d of 6000 entities listed", n)
	}
	if ttl := client.PTTL(ctx, "w:ix:top").Val(); ttl <= 0 {
		t.Fatalf("list TTL %v", ttl)
	}
}

// A fold or a sift bringing thousands of old tips into an entity's set
// (up to maxCandidates a form: past what Lua unpacks in one call) adds
// them all, tips and tags, with the set's expiry. Mutation: addFolded
// unpacking all its pairs in one ZADD -> fails (too many results to
// unpack).
func TestFoldOfThousandsOfTipsAddsThemAll(t *testing.T) {
	ctx := context.Background()
	client := redistest.Start(t).Client()
	args := []any{int64(time.Hour / time.Millisecond)}
	for i := range maxCandidates {
		args = append(args, int64(3_600_000+i), fmt.Sprint(i), -3_600_000, fmt.Sprint("r", i))
	}
	if err := addFolded.Run(ctx, client, []string{"w:ix:e:m"}, args...).Err(); err != nil {
		t.Fatal(err)
	}
	if n := client.ZCard(ctx, "w:ix:e:m").Val(); n != 2*maxCandidates {
		t.Fatalf("%d of %d tips and tags in the set", n, 2*maxCandidates)
	}
	if ttl := client.PTTL(ctx, "w:ix:e:m").Val(); ttl <= 0 {
		t.Fatalf("set TTL %v", ttl)
	}
}

// A connection cut right after a sift marks a recount owed leaves the
// list of owed recounts (ix:rc) with an expiry, or unwritten: it never
// keeps the entities sifted past the retention. Mutation: ZADD and
// PEXPIRE in a plain pipeline (as before) -> fails (the list TTL -1).
func TestOwedRecountsNeverLeftWithoutExpiry(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	client, other := srv.Client(), srv.Client()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(client, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil || s.Init(ctx) != nil {
		t.Fatal(err)
	}
	key := s.k.indexRecountOwed()
	client.AddHook(&cutAfterWrite{on: true, writes: func(c redis.Cmder) bool { return writesKey(c, key, "zadd") }})
	if _, err := s.oweRecount(ctx, owedMark(s.entityMAC("phone:+525512345678"))); err == nil {
		t.Fatal("marked through the cut connection")
	}
	if ttl := other.PTTL(ctx, key).Val(); ttl == -1 {
		t.Fatalf("%s kept past the retention (TTL %v)", key, ttl)
	}
}

// A connection cut right after the indexer brings old tips into an
// entity's set, and the process stopping then (no attempt after it, which
// would find the tips in the set and write nothing more), leaves the set
// with an expiry: whether it brings in the tips indexed under the
// entity's past cut form (fold) or takes another entity's tips out of a
// cut form into the entity they name now (sift). Such a set, made by
// that write, would otherwise name those tips past the retention.
// Mutations: foldPast's ZADD followed by a PEXPIRE in a pipeline (as
// before) -> fold fails (the set's TTL -1); siftMove's -> sift fails.
func TestCutFormWritesNeverLeaveAnEntityWithoutExpiry(t *testing.T) {
	c := cutFormCases[0]
	for _, tc := range []struct{ name, text string }{
		{"fold", "de nuevo " + c.oldText}, // names the entity whose past form holds the old tip
		{"sift", c.text},                  // names the cut form holding the old tip
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			client, other := srv.Client(), srv.Client()
			kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
			s, err := New(client, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
			if err != nil || s.Init(ctx) != nil {
				t.Fatal(err)
			}
			old := batchSubmit(t, s, "961", 1, c.oldText)
			indexUntilDone(t, s)
			indexEntityAsBefore(t, s, old, "961", c.kind, c.oldNow, c.cut)
			now := s.k.indexEntity(s.entityMAC(c.kind + ":" + c.oldNow))
			if n := other.Exists(ctx, now).Val(); n != 0 {
				t.Fatalf("%s:%s's set is there before: the write under test would not make it", c.kind, c.oldNow)
			}
			batchSubmit(t, s, "962", 2, tc.text)
			client.AddHook(&cutAfterWrite{on: true, writes: func(cmd redis.Cmder) bool { return writesKey(cmd, now, "zadd", "evalsha", "eval") }})
			if _, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err == nil {
				t.Fatal("indexed through the cut connection")
			}
			if _, err := other.ZScore(ctx, now, old).Result(); err != nil {
				t.Fatalf("the old tip was not brought in (%v): the cut came before the write", err)
			}
			if ttl := other.PTTL(ctx, now).Val(); ttl <= 0 {
				t.Fatalf("%s:%s's set after the cut write: TTL %v, want an expiry", c.kind, c.oldNow, ttl)
			}
		})
	}
}

// Index keys an earlier version left without an expiry are given the one
// their writer gives them now (an entity's set, the owed recounts and
// the signal candidates: the retention after their newest member, a
// reporter's tag from the start of its hour, as its writer, at the tag's
// tip, gave it no later; a
// day's postings and late tips: the day's; a week's buckets: the week's;
// a minute at least, for those already due), the others, the longest
// (the retention from now): none names tips past the retention for
// ever. A key with an expiry keeps it, shorter or longer; a key outside
// the index (a tip, the forms moment, another prefix's) is left without.
// A second run (within the day: none; the mark gone: the same) changes
// nothing.
// Mutations: the scan's pattern prefix+":*" -> fails (keys outside the
// index given one); timeScored without "e" -> fails (the entity's sets
// given the retention from now); timeScored without the first
// versions' "r", "seen", "sim" -> fails (kept another retention); a tag counted to the end of its hour
// -> fails (the set of tags kept an hour past its writer's expiry).
func TestIndexKeysLeftWithoutExpiryAreRepaired(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	rdb := s.rdb
	now := s.now()
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	day := func(t time.Time) string { return indexDay(t) }
	recent, old := now.Add(-24*time.Hour), now.Add(-s.retention-48*time.Hour)
	ek := s.k.indexEntity("m1")
	rdb.ZAdd(ctx, ek, redis.Z{Score: float64(ms(recent.Add(-time.Hour))), Member: "7"}, redis.Z{Score: float64(ms(recent)), Member: "8"},
		redis.Z{Score: -float64(ms(recent.Truncate(time.Hour))), Member: "rtag"})
	tags := s.k.indexEntity("m2") // a set holding only reporters' tags
	rdb.ZAdd(ctx, tags, redis.Z{Score: -float64(ms(recent.Truncate(time.Hour))), Member: "rtag"}, redis.Z{Score: -float64(ms(old.Truncate(time.Hour))), Member: "rold"})
	rdb.ZAdd(ctx, s.k.indexEntity("m3"), redis.Z{Score: float64(ms(old)), Member: "9"}) // all stale
	rdb.ZAdd(ctx, s.k.indexTop(), redis.Z{Score: float64(ms(recent)), Member: "m1"})
	rdb.ZAdd(ctx, s.k.indexRecountOwed(), redis.Z{Score: float64(ms(recent)), Member: "m1:x"})
	rdb.Set(ctx, s.k.indexToken("tm", day(recent)), "\x00\x00\x00\x07", 0)
	rdb.Set(ctx, s.k.indexToken("tm", day(old)), "\x00\x00\x00\x09", 0)
	rdb.SAdd(ctx, s.k.indexLate(day(recent)), "7")
	bands := s.bandKeys(recent, []string{"b1"})
	rdb.HSet(ctx, bands[0], "b1", "7")
	rdb.Set(ctx, s.k.indexDisplay("m1"), "sealed", 0)
	rdb.Set(ctx, s.k.indexAlert("m1"), "7", 0)
	rdb.Set(ctx, s.k.prefix+":ix:older:kind", "x", 0) // named by an earlier version
	// The first versions' sets by the tips' time, read no more: an
	// entity's reporters, the entities seen, the tips' sketches.
	rdb.ZAdd(ctx, s.k.prefix+":ix:r:m1", redis.Z{Score: float64(ms(old)), Member: "rep"})
	rdb.ZAdd(ctx, s.k.prefix+":ix:seen", redis.Z{Score: float64(ms(old)), Member: "m1"}, redis.Z{Score: float64(ms(recent)), Member: "m2"})
	rdb.ZAdd(ctx, s.k.prefix+":ix:sim", redis.Z{Score: float64(ms(old)), Member: "9:sketch"})
	want := map[string]time.Time{
		ek:                                recent.Add(s.retention),                     // its newest tip's
		tags:                              recent.Truncate(time.Hour).Add(s.retention), // its newest tag's hour
		s.k.indexEntity("m3"):             now.Add(time.Minute),
		s.k.indexTop():                    recent.Add(s.retention),
		s.k.indexRecountOwed():            recent.Add(s.retention),
		s.k.indexToken("tm", day(recent)): s.postingExpiry(recent),
		s.k.indexToken("tm", day(old)):    now.Add(time.Minute),
		s.k.indexLate(day(recent)):        s.postingExpiry(recent),
		bands[0]:                          bandWeekStart(recent).Add(2*bandWeek + 24*time.Hour),
		s.k.indexDisplay("m1"):            now.Add(s.retention),
		s.k.indexAlert("m1"):              now.Add(s.index0.Window),
		s.k.prefix + ":ix:older:kind":     now.Add(s.retention),
		s.k.prefix + ":ix:r:m1":           now.Add(time.Minute), // stale
		s.k.prefix + ":ix:seen":           recent.Add(s.retention),
		s.k.prefix + ":ix:sim":            now.Add(time.Minute),
	}
	// Keys with an expiry: kept as they are.
	shorter, longer := s.k.indexEntity("m4"), s.k.indexEntity("m5")
	rdb.ZAdd(ctx, shorter, redis.Z{Score: float64(ms(recent)), Member: "10"})
	rdb.PExpire(ctx, shorter, time.Hour)
	rdb.ZAdd(ctx, longer, redis.Z{Score: float64(ms(recent)), Member: "11"})
	rdb.PExpire(ctx, longer, 2*s.retention)
	kept := map[string]time.Duration{}
	for _, k := range []string{shorter, longer} {
		kept[k] = rdb.PExpireTime(ctx, k).Val()
	}
	// Keys outside the index, without expiry: left so.
	outside := []string{s.k.tip("12"), s.k.indexFormsSince(), "other:ix:e:m1", s.k.prefix + ":ixe:m1"}
	for _, k := range outside {
		rdb.Set(ctx, k, "x", 0)
	}

	check := func(run string) {
		t.Helper()
		for k, at := range want {
			got := time.Duration(rdb.PExpireTime(ctx, k).Val())
			// The relative ones are from the store's clock at the run,
			// a little after now.
			if w := time.Duration(ms(at)) * time.Millisecond; got < w || got > w+time.Minute {
				t.Errorf("%s: %s expires at %v, want %v", run, k, time.UnixMilli(int64(got/time.Millisecond)), at)
			}
		}
		for k, at := range kept {
			if got := rdb.PExpireTime(ctx, k).Val(); got != at {
				t.Errorf("%s: %s's expiry changed from %v to %v", run, k, at, got)
			}
		}
		for _, k := range outside {
			if ttl := rdb.PTTL(ctx, k).Val(); ttl != -1 {
				t.Errorf("%s: %s outside the index given an expiry (%v)", run, k, ttl)
			}
		}
	}
	n, err := s.RepairIndexExpiry(ctx)
	if err != nil || n != len(want) {
		t.Fatalf("repaired %d keys (%v), want %d", n, err, len(want))
	}
	check("first run")
	expiries := map[string]int64{}
	for k := range want {
		expiries[k] = rdb.PExpireTime(ctx, k).Val().Milliseconds()
	}
	if n, err := s.RepairIndexExpiry(ctx); err != nil || n != 0 {
		t.Fatalf("run again within the day: %d keys (%v), want none", n, err)
	}
	rdb.Del(ctx, s.k.indexExpiryChecked())
	if n, err := s.RepairIndexExpiry(ctx); err != nil || n != 0 {
		t.Fatalf("run again: %d keys (%v), want none", n, err)
	}
	check("second run")
	for k, at := range expiries {
		if got := rdb.PExpireTime(ctx, k).Val().Milliseconds(); got != at {
			t.Errorf("%s: expiry moved by the second run, %d to %d", k, at, got)
		}
	}
}

// beforeCommand runs do once, before the first pipeline holding a
// command named name on the client it hooks.
type beforeCommand struct {
	name string
	do   func()
}

func (h *beforeCommand) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *beforeCommand) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h *beforeCommand) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.do != nil && slices.ContainsFunc(cmds, func(c redis.Cmder) bool { return c.Name() == h.name }) {
			do := h.do
			h.do = nil
			do()
		}
		return next(ctx, cmds)
	}
}

// An index key given its expiry by its writer while the repair looks at
// it (found without one, then written) keeps its writer's expiry.
// Mutation: PEXPIREAT without NX -> fails (the writer's expiry replaced).
func TestIndexExpiryRepairKeepsAnExpiryWrittenMeanwhile(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	client, other := srv.Client(), srv.Client()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(client, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil || s.Init(ctx) != nil {
		t.Fatal(err)
	}
	ek := s.k.indexEntity("m1")
	other.ZAdd(ctx, ek, redis.Z{Score: float64(s.now().UnixMilli()), Member: "7"})
	hook := &beforeCommand{name: "pexpireat", do: func() { other.PExpire(ctx, ek, time.Hour) }}
	client.AddHook(hook)
	if n, err := s.RepairIndexExpiry(ctx); err != nil || n != 0 || hook.do != nil {
		t.Fatalf("repaired %d keys (%v), want none; written meanwhile: %v", n, err, hook.do == nil)
	}
	if ttl := other.PTTL(ctx, ek).Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("TTL %v, want its writer's hour", ttl)
	}
}

// Thirty thousand index keys without expiry are all given one,
// a batch of keys at a time: no command or round trip grows with the
// number of keys (which would hold Redis up for every other client).
// Mutation: the whole key space read by KEYS into one pipeline -> fails.
func TestIndexExpiryRepairWorksInBatches(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	client, other := srv.Client(), srv.Client()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(client, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil || s.Init(ctx) != nil {
		t.Fatal(err)
	}
	const total = 30 * repairBatch
	day := indexDay(s.now())
	pipe := other.Pipeline()
	for i := range total {
		if i%2 == 0 {
			pipe.ZAdd(ctx, s.k.indexEntity(fmt.Sprint("m", i)), redis.Z{Score: float64(s.now().UnixMilli()), Member: "7"})
		} else {
			pipe.Set(ctx, s.k.indexToken(fmt.Sprint("t", i), day), "\x00\x00\x00\x07", 0)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	sizes := &commandSizes{}
	client.AddHook(sizes)
	if n, err := s.RepairIndexExpiry(ctx); err != nil || n != total {
		t.Fatalf("repaired %d keys (%v), want %d", n, err, total)
	}
	if sizes.keys > 0 || sizes.largest > 4*repairBatch {
		t.Fatalf("%d KEYS, largest round trip %d commands, for %d keys", sizes.keys, sizes.largest, total)
	}
	var cursor uint64
	for {
		keys, next, err := other.Scan(ctx, cursor, "w:ix:*", 1000).Result()
		if err != nil {
			t.Fatal(err)
		}
		pipe := other.Pipeline()
		ttls := make([]*redis.DurationCmd, len(keys))
		for i, k := range keys {
			ttls[i] = pipe.PTTL(ctx, k)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for i, c := range ttls {
			if c.Val() <= 0 {
				t.Fatalf("%s left without expiry (%v)", keys[i], c.Val())
			}
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
}

// commandSizes records the largest pipeline a client sends, and how
// many KEYS it sends.
type commandSizes struct{ largest, keys int }

func (h *commandSizes) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *commandSizes) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, c redis.Cmder) error {
		if c.Name() == "keys" {
			h.keys++
		}
		return next(ctx, c)
	}
}

func (h *commandSizes) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.largest = max(h.largest, len(cmds))
		return next(ctx, cmds)
	}
}

// Tips just indexed, whose index keys are all left without an expiry
// (as a cut connection left some in earlier versions), are given by the
// repair the expiry their writers gave them, within a minute (the
// relative ones are counted from the repair, a little later): never
// later, keeping their traces past the retention, nor sooner, losing
// them within it; and they stay searchable, by word, by entity, among
// the signals.
// Mutation: PEXPIREAT given seconds (at.Unix()) -> fails (every key gone
// at once, the tips unfound).
func TestIndexExpiryRepairOfFreshTipsKeepsTheirWritersExpiry(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	rdb := s.rdb
	texts := []string{"me cobran piso en el mercado, llaman del 55 7777 1234", "en el mercado llaman del +52 55 7777 1234", "cobran en el mercado del 5577771234"}
	var ids []string
	for i, text := range texts {
		ids = append(ids, batchSubmit(t, s, fmt.Sprint("70", i), int64(i+1), text))
	}
	if alerts := indexUntilDone(t, s); len(alerts) != 1 {
		t.Fatalf("%d alerts, want the number's", len(alerts))
	}
	writers := map[string]time.Duration{} // each index key's expiry, as its writer gave it
	kinds := map[string]bool{}
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, s.k.indexKeys(), 100).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			writers[k] = rdb.PExpireTime(ctx, k).Val()
			if writers[k] <= 0 {
				t.Fatalf("%s written without expiry (%v)", k, writers[k])
			}
			rdb.Persist(ctx, k)
			kind, _, _ := s.k.indexKind(k)
			kinds[kind] = true
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	for _, kind := range []string{"e", "t", "d", "top", "lsh", "a"} {
		if !kinds[kind] {
			t.Fatalf("no %q key written: %v", kind, writers)
		}
	}
	if n, err := s.RepairIndexExpiry(ctx); err != nil || n != len(writers) {
		t.Fatalf("repaired %d keys (%v), want %d", n, err, len(writers))
	}
	for k, w := range writers {
		if got := rdb.PExpireTime(ctx, k).Val(); got < w-time.Minute || got > w+time.Minute {
			t.Errorf("%s expires at %v, its writer's at %v", k, time.UnixMilli(got.Milliseconds()), time.UnixMilli(w.Milliseconds()))
		}
	}
	found, _, err := s.Search(ctx, "mercado", time.Now().Add(-time.Hour), "", 10)
	if err != nil || len(found) != len(ids) {
		t.Fatalf("search after the repair: %d tips (%v), want %v", len(found), err, ids)
	}
	byEntity, err := s.EntityTips(ctx, tips.Extract("5577771234", "MX")[0], time.Now().Add(-time.Hour), 10)
	if err != nil || len(byEntity) != len(ids) {
		t.Fatalf("entity's tips after the repair: %d (%v), want %v", len(byEntity), err, ids)
	}
	sigs, err := s.Signals(ctx, 24*time.Hour, 10)
	if err != nil || len(sigs) != 1 || sigs[0].Reporters != len(ids) {
		t.Fatalf("signals after the repair: %+v (%v)", sigs, err)
	}
}

// dieAfter, once its first pipeline holding a command named name has
// run, fails every command after it without sending it, and runs then,
// if set: as a process killed there (nothing it sends afterwards
// reaches Redis), or one whose run is cancelled.
type dieAfter struct {
	name string
	dead bool
	then func()
}

func (h *dieAfter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *dieAfter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, c redis.Cmder) error {
		if h.dead {
			return errors.New("injected: process killed")
		}
		return next(ctx, c)
	}
}

func (h *dieAfter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.dead {
			return errors.New("injected: process killed")
		}
		err := next(ctx, cmds)
		if slices.ContainsFunc(cmds, func(c redis.Cmder) bool { return c.Name() == h.name }) {
			if h.then != nil {
				h.then()
			} else {
				h.dead = true
			}
		}
		return err
	}
}

// A repair that stopped midway is run again at the next call, not a day
// later (the keys it had not reached would keep no expiry that long): a
// process killed midway (nothing it sends reaches Redis any more),
// once its lease is over, the other process waiting for it in the
// meantime; a run cancelled or failed, at once. Once one went through
// every key, no other looks within the day.
// Mutation: the day's mark set as the run starts (as before) -> the
// killed subtest fails (the next start repairs nothing).
func TestIndexExpiryRepairStoppedMidwayRunsAgain(t *testing.T) {
	const total = 2500 // three SCAN batches or so
	for _, stop := range []string{"killed", "cancelled"} {
		t.Run(stop, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv := redistest.Start(t)
			client, other := srv.Client(), srv.Client()
			kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
			start := time.Now()
			clock := start
			opts := Options{Prefix: "w", Retention: 90 * 24 * time.Hour, Now: func() time.Time { return clock }}
			first, err := New(client, kr, opts)
			if err != nil || first.Init(ctx) != nil {
				t.Fatal(err)
			}
			next, err := New(other, kr, opts)
			if err != nil {
				t.Fatal(err)
			}
			pipe := other.Pipeline()
			for i := range total {
				pipe.ZAdd(ctx, first.k.indexEntity(fmt.Sprint("m", i)), redis.Z{Score: float64(start.UnixMilli()), Member: "7"})
			}
			if _, err := pipe.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			hook := &dieAfter{name: "pexpireat"}
			if stop == "cancelled" {
				hook.then = cancel
			}
			client.AddHook(hook)
			n, err := first.RepairIndexExpiry(ctx)
			if err == nil || n == 0 || n >= total {
				t.Fatalf("stopped run: %d keys repaired (%v), want some, and an error", n, err)
			}
			if stop == "killed" {
				// Its lease lasts: the next start waits for it.
				clock = start.Add(IndexRepairLease / 2)
				if m, err := next.RepairIndexExpiry(context.Background()); !errors.Is(err, ErrIndexRepairHeld) || m != 0 {
					t.Fatalf("within the killed run's lease: %d keys (%v), want ErrIndexRepairHeld", m, err)
				}
				clock = start.Add(IndexRepairLease + time.Second)
			}
			m, err := next.RepairIndexExpiry(context.Background())
			if err != nil || n+m != total {
				t.Fatalf("next run: %d keys repaired (%v), want the %d left", m, err, total-n)
			}
			var cursor uint64
			for {
				keys, c, err := other.Scan(context.Background(), cursor, "w:ix:e:*", 1000).Result()
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range keys {
					if ttl := other.PTTL(context.Background(), k).Val(); ttl <= 0 {
						t.Fatalf("%s left without expiry (%v)", k, ttl)
					}
				}
				if cursor = c; cursor == 0 {
					break
				}
			}
			// Done: no other run within the day, even once the key
			// space changed.
			other.ZAdd(context.Background(), first.k.indexEntity("late"), redis.Z{Score: float64(start.UnixMilli()), Member: "8"})
			clock = start.Add(repairEvery - time.Hour)
			if m, err := next.RepairIndexExpiry(context.Background()); err != nil || m != 0 {
				t.Fatalf("run again within the day: %d keys (%v), want none", m, err)
			}
		})
	}
}

// The hash of a tip purged while an earlier version indexed it, made
// again by its sketch alone and left without an expiry (that version
// wrote HSET sk, then EXPIRE NX apart, or none), is given the one its
// writer gives it now: the retention. A tip's hash holding its data key
// keeps its expiry, or having none, stays so (its lifetime is its
// decisions', never the repair's), as does one with neither a sketch nor
// a kind, or a key of another type. So is the hash of a warning purged
// as it was stored, made again by an earlier version's mark of its kind
// alone (SubmitWarning's HSET kind, p).
// Mutation: repairSketches not called -> fails (the sketch's hash left
// without expiry). Mutation: a hash holding "kind" alone not repaired
// (as 4f4d788) -> fails (the purged warning's hash kept for ever).
func TestIndexExpiryRepairGivesASketchLeftAloneItsExpiry(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	rdb := s.rdb
	sk, ok := tips.NewSketch("cobran piso a los comerciantes del mercado cada viernes por la tarde", s.kr.keys().Index)
	if !ok {
		t.Fatal("no sketch")
	}
	alone := s.k.tip("41")
	rdb.HSet(ctx, alone, "sk", sk.String()) // as an earlier version's write of a purged tip's sketch
	stored, live := s.k.tip("42"), s.k.tip("43")
	rdb.HSet(ctx, stored, "k", "wrapped", "sk", sk.String())
	rdb.PExpire(ctx, stored, time.Hour)
	storedAt := rdb.PExpireTime(ctx, stored).Val()
	rdb.HSet(ctx, live, "k", "wrapped", "sk", sk.String())
	warning := s.k.tip("44")
	rdb.HSet(ctx, warning, "kind", "warning", "p", "high") // as an earlier version's mark of a purged warning
	other := s.k.tip("46")
	rdb.HSet(ctx, other, "x", "y")
	str := s.k.tip("45")
	rdb.Set(ctx, str, "x", 0)
	before := s.now()
	n, err := s.RepairIndexExpiry(ctx)
	if err != nil || n != 2 {
		t.Fatalf("repaired %d keys (%v), want the sketch's hash and the warning's", n, err)
	}
	for _, k := range []string{alone, warning} {
		got := time.UnixMilli(rdb.PExpireTime(ctx, k).Val().Milliseconds())
		if want := before.Add(s.retention); got.Before(want.Add(-time.Second)) || got.After(want.Add(time.Minute)) {
			t.Fatalf("%s expires at %v, want the retention from now, %v", k, got, want)
		}
	}
	if got := rdb.PExpireTime(ctx, stored).Val(); got != storedAt {
		t.Errorf("a stored tip's expiry moved from %v to %v", storedAt, got)
	}
	for _, k := range []string{live, other, str} {
		if ttl := rdb.PTTL(ctx, k).Val(); ttl != -1 {
			t.Errorf("%s given an expiry (%v)", k, ttl)
		}
	}
	if v := rdb.HGet(ctx, alone, "sk").Val(); v != sk.String() {
		t.Errorf("the sketch changed: %q", v)
	}
}

// With a retention shorter than two weeks, the near-duplicate buckets of
// a week go when the retention ends for the newest tip the week can hold
// (the week's end plus the retention), not fifteen days after the week
// began, keeping tips' ids past the retention; and the repair gives a
// bucket left without expiry that same moment.
// Mutation: bandExpiry without the retention (the week and fifteen days)
// → fails (the buckets expire five days later).
func TestBandBucketsGoWithAShortRetention(t *testing.T) {
	ctx := context.Background()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	rdb := redistest.Start(t).Client()
	s, err := New(rdb, kr, Options{Prefix: "w", Retention: 3 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	batchSubmit(t, s, "71", 1, "cobran piso a los comerciantes del mercado cada viernes por la tarde")
	indexUntilDone(t, s)
	want := bandWeekStart(before).Add(7*24*time.Hour + s.retention)
	check := func(when string) {
		t.Helper()
		keys, err := rdb.Keys(ctx, "w:ix:lsh:*").Result()
		if err != nil || len(keys) == 0 {
			t.Fatalf("no bucket written (%v)", err)
		}
		for _, k := range keys {
			got := time.UnixMilli(rdb.PExpireTime(ctx, k).Val().Milliseconds())
			if got.Before(want.Add(-time.Minute)) || got.After(want.Add(time.Minute)) {
				t.Fatalf("%s: a bucket expires at %v, want the week's end plus the 3-day retention, %v", when, got, want)
			}
		}
		for _, k := range keys {
			rdb.Persist(ctx, k)
		}
	}
	check("written")
	if _, err := s.RepairIndexExpiry(ctx); err != nil {
		t.Fatal(err)
	}
	check("repaired")
}
