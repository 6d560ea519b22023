package storage

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// A tip's scripts run on every message and Send: each call in a script
// costs Redis several times a plain command's work, so they make no call
// they can do without. These tests count the calls in Redis's command
// statistics.

// callsStore is a store on a real redis-server (the embedded one keeps no
// command statistics).
func callsStore(t *testing.T) *Store {
	t.Helper()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("counts calls in Redis's command statistics, which the embedded one has not")
	}
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(srv.Client(), kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hashCalls runs f and returns how many times Redis ran each hash command
// (HSET, HGET, …) meanwhile, scripts' calls included.
func hashCalls(t *testing.T, rdb redis.UniversalClient, f func()) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rdb.ConfigResetStat(ctx)
	f()
	out := map[string]int64{}
	for _, l := range strings.Split(rdb.Info(ctx, "commandstats").Val(), "\n") {
		name, rest, ok := strings.Cut(strings.TrimPrefix(l, "cmdstat_"), ":calls=")
		if ok && strings.HasPrefix(name, "h") {
			out[name], _ = strconv.ParseInt(rest[:strings.IndexByte(rest, ',')], 10, 64)
		}
	}
	return out
}

// addBands files a new band with one call, and a tip filed again writes
// nothing: most of a tip's bands are new.
func TestAddBandsCallsOncePerNewBand(t *testing.T) {
	ctx := context.Background()
	s := callsStore(t)
	keys := []string{"w:ix:lsh:{x}:001", "w:ix:lsh:{x}:002", "w:ix:lsh:{x}:003"}
	add := func(id string) func() {
		return func() {
			if err := addBands.Run(ctx, s.rdb, keys, id, 60000, "b1", "b2", "b3").Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := hashCalls(t, s.rdb, add("1")); got["hsetnx"] != 3 || got["hget"]+got["hset"] != 0 {
		t.Fatalf("three new bands filed with %v, want 3 hsetnx", got)
	}
	if got := hashCalls(t, s.rdb, add("1")); got["hset"] != 0 || got["hget"] != 3 {
		t.Fatalf("filed again with %v, want 3 hget and no hset", got)
	}
	if got := hashCalls(t, s.rdb, add("2")); got["hset"] != 3 || got["hget"] != 3 {
		t.Fatalf("a second tip filed with %v, want 3 hget and 3 hset", got)
	}
}

// addBands gives a bucket its expiry once, when the write makes it (a
// PEXPIRE writes, and costs Redis about three times the PTTL that tells):
// a bucket that has one keeps it, and one a purge emptied (Redis deletes
// an empty hash) gets it again when a tip files a band there.
func TestAddBandsGivesABucketItsExpiryOnce(t *testing.T) {
	ctx := context.Background()
	s := callsStore(t)
	keys := []string{"w:ix:lsh:{x}:001", "w:ix:lsh:{x}:002", "w:ix:lsh:{x}:003"}
	add := func(id string, ttl int64) func() {
		return func() {
			if err := addBands.Run(ctx, s.rdb, keys, id, ttl, "b1", "b2", "b3").Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	expiries := func() []time.Duration {
		var out []time.Duration
		for _, k := range keys {
			out = append(out, s.rdb.PTTL(ctx, k).Val())
		}
		return out
	}
	if got := commandCalls(t, s.rdb, add("1", 600000)); got["pexpire"] != 3 {
		t.Fatalf("three new buckets given %d expiries, want 3", got["pexpire"])
	}
	for i, d := range expiries() {
		if d <= 0 || d > 10*time.Minute {
			t.Fatalf("bucket %d expires in %v, want at most 10m", i, d)
		}
	}
	if got := commandCalls(t, s.rdb, add("2", 600000)); got["pexpire"] != 0 {
		t.Fatalf("a second tip filed in the same buckets set their expiry %d times, want none", got["pexpire"])
	}
	for i, d := range expiries() {
		if d <= 0 || d > 10*time.Minute {
			t.Fatalf("bucket %d expires in %v after a second tip, want at most 10m", i, d)
		}
	}
	// A purge empties the first bucket: Redis deletes it, and the next
	// band filed there makes it again, with its expiry.
	for _, id := range []string{"1", "2"} {
		if err := dropBands.Run(ctx, s.rdb, keys[:1], id, "b1").Err(); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.rdb.Exists(ctx, keys[0]).Val(); n != 0 {
		t.Fatalf("the emptied bucket is still there")
	}
	if got := commandCalls(t, s.rdb, add("3", 600000)); got["pexpire"] != 1 {
		t.Fatalf("the bucket made again given %d expiries, want 1", got["pexpire"])
	}
	for i, d := range expiries() {
		if d <= 0 || d > 10*time.Minute {
			t.Fatalf("bucket %d expires in %v after the purge, want at most 10m", i, d)
		}
	}
}

// addBands asks no bucket for its expiry where one EXISTS of them all
// tells already: all there (each has its expiry), or none (each made by
// this write, and given it). Only where some are there is each asked,
// and a new one among them gets its expiry. A bucket named for two bands
// counts twice in EXISTS, and is still given its expiry when new.
// Mutations: the PTTL asked always -> fails (the calls); not asked where
// any bucket is there -> fails (the new one without an expiry); no
// PEXPIRE where none was there -> fails (the expiries).
func TestAddBandsAsksNoExpiryWhereExistsTells(t *testing.T) {
	ctx := context.Background()
	s := callsStore(t)
	keys := []string{"w:ix:lsh:{x}:001", "w:ix:lsh:{x}:002", "w:ix:lsh:{x}:003"}
	add := func(keys []string, id string, bands ...any) func() {
		return func() {
			if err := addBands.Run(ctx, s.rdb, keys, append([]any{id, 600000}, bands...)...).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	expiring := func(when string, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if d := s.rdb.PTTL(ctx, k).Val(); d <= 0 || d > 10*time.Minute {
				t.Fatalf("%s: bucket %s expires in %v, want at most 10m", when, k, d)
			}
		}
	}
	check := func(when string, got map[string]int64, pttl, pexpire int64) {
		t.Helper()
		if got["pttl"] != pttl || got["pexpire"] != pexpire || got["exists"] != 1 {
			t.Fatalf("%s: %d exists, %d pttl, %d pexpire; want 1, %d, %d", when, got["exists"], got["pttl"], got["pexpire"], pttl, pexpire)
		}
	}
	check("none there", commandCalls(t, s.rdb, add(keys, "1", "b1", "b2", "b3")), 0, 3)
	expiring("none there", keys...)
	check("all there", commandCalls(t, s.rdb, add(keys, "2", "b1", "c2", "c3")), 0, 0)
	expiring("all there", keys...)
	some := []string{keys[0], "w:ix:lsh:{x}:004", keys[2]}
	check("some there", commandCalls(t, s.rdb, add(some, "3", "d1", "d2", "d3")), 3, 1)
	expiring("some there", append(keys, some[1])...)
	twice := []string{"w:ix:lsh:{x}:005", "w:ix:lsh:{x}:005"}
	got := commandCalls(t, s.rdb, add(twice, "4", "e1", "e2"))
	if got["pttl"] != 0 || got["exists"] != 1 {
		t.Fatalf("a new bucket named twice: %d exists, %d pttl; want 1, 0", got["exists"], got["pttl"])
	}
	expiring("named twice", twice[0])
	if n := s.rdb.HLen(ctx, twice[0]).Val(); n != 2 {
		t.Fatalf("a bucket named twice holds %d bands, want 2", n)
	}
}

// redisCPUTime is the user and system CPU time Redis has used.
func redisCPUTime(rdb redis.UniversalClient) time.Duration {
	var total float64
	for _, l := range strings.Split(rdb.Info(context.Background(), "cpu").Val(), "\n") {
		if k, v, _ := strings.Cut(strings.TrimSpace(l), ":"); k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

// BenchmarkDraftScripts adds a one-part draft for a new reporter and
// claims it, as a message and Send do, and reports Redis's CPU time per
// tip. Run: go test -run XXX -bench DraftScripts ./storage
func BenchmarkDraftScripts(b *testing.B) {
	srv := redistest.Start(b)
	if !srv.Real {
		b.Skip("Redis's CPU time needs a real redis-server")
	}
	kr, _ := NewKeyring(bytes.Repeat([]byte{9}, 32))
	s, _ := New(srv.Client(), kr, Options{Prefix: "b", Retention: 90 * 24 * time.Hour})
	ctx := context.Background()
	s.rdb.ConfigSet(ctx, "appendonly", "no") // as BENCHMARKS.md measures: CPU, not the disk
	part := DraftPart{Part: tips.Part{Text: "me cobran piso en el mercado, llaman del 55 1234 5678"}}
	before := redisCPUTime(s.rdb)
	i := 0
	for b.Loop() {
		i++
		p := s.Pseudonym("telegram", strconv.Itoa(i))
		part.EventID = int64(i)
		d, err := s.AddToDraft(ctx, p, part)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		args := append(append([]any{d.ID, now.UnixMilli()}, s.limitArgs(nil)...), "r", hours(now.Add(sentMemory)), stateLife(now))
		if err := claimDraft.Run(ctx, s.rdb, []string{s.k.draft(p), s.k.state(p)}, args...).Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((redisCPUTime(s.rdb)-before).Microseconds())/float64(b.N), "redis-µs/tip")
}

// A tip's near-duplicate bands are filed in this week's buckets by one
// script, and last week's buckets are read with plain commands, no second
// script: a call in a script costs Redis more than the same command
// sent alone. A near duplicate of last week is found all the same
// (TestNearDuplicatesWithinSevenDays). (The other script is the
// sketch's, setSketch: the tip names no entity, which would add one
// each, addEntity.)
func TestLastWeeksBandsReadWithoutAScript(t *testing.T) {
	ctx := context.Background()
	s := callsStore(t)
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	batchSubmit(t, s, "901", 10, "Los halcones de la plaza cobran cuota a todos los tenderos de la calle Morelos cada viernes")
	calls := commandCalls(t, s.rdb, func() {
		if n, err := s.IndexTips(ctx, 10, time.Millisecond, func(Signal) error { return nil }); err != nil || n != 1 {
			t.Fatalf("indexed %d, %v", n, err)
		}
	})
	if calls["hsetnx"] == 0 {
		t.Fatalf("no band filed (%v): the tip was not sketched", calls)
	}
	if calls["evalsha"] != 2 || calls["hget"] < calls["hsetnx"] {
		t.Fatalf("indexed with %d scripts and %d HGET for %d bands, want two scripts (this week's bands, the sketch) and last week's read by HGET", calls["evalsha"], calls["hget"], calls["hsetnx"])
	}
}

// A one-part tip's draft scripts — the part added, the draft claimed by
// Send, the draft tidied once the tip is stored — read each hash once
// (HMGET; the claim, which answers with every field of the draft, with
// the one HGETALL) and write it with one HSET where one will do: every
// call in a script costs Redis, and these run on every tip.
func TestDraftScriptsCallEachHashOnce(t *testing.T) {
	ctx := context.Background()
	s := callsStore(t)
	p := s.Pseudonym("telegram", "77")
	part := DraftPart{EventID: 5, Part: tips.Part{Text: "me cobran piso en el mercado"}}
	var d Draft
	if got := hashCalls(t, s.rdb, func() {
		var err error
		if d, err = s.AddToDraft(ctx, p, part); err != nil {
			t.Fatal(err)
		}
	}); got["hset"] != 1 || got["hget"]+got["hexists"] != 0 || got["hmget"] != 2 {
		t.Fatalf("a new draft's part added with %v, want 1 hset and 2 hmget, no hget or hexists", got)
	}
	now := time.Now()
	args := append(append([]any{d.ID, now.UnixMilli()}, s.limitArgs(nil)...), "r", hours(now.Add(sentMemory)), stateLife(now))
	var claimed []any
	if got := hashCalls(t, s.rdb, func() {
		var err error
		if claimed, err = claimDraft.Run(ctx, s.rdb, []string{s.k.draft(p), s.k.state(p)}, args...).Slice(); err != nil {
			t.Fatal(err)
		}
	}); got["hset"] != 1 || got["hgetall"] != 1 || got["hget"]+got["hmget"]+got["hkeys"] != 0 || got["hdel"] != 0 {
		t.Fatalf("the draft claimed with %v, want 1 hset and 1 hgetall (its answer made from what it read), no hget, hmget or hkeys, no hdel (no \"lb\" to drop)", got)
	}
	fields := map[string]string{}
	for i := 0; i+1 < len(claimed); i += 2 {
		fields[claimed[i].(string)] = claimed[i+1].(string)
	}
	if fields["claimed"] != partField(5) || fields["rk"] != "r" || fields["sending"] == "" || fields["born"] == "" {
		t.Fatalf("claimed draft %v, want its part claimed, its receipt's MAC, sending and when it was born", fields)
	}
	if got := hashCalls(t, s.rdb, func() {
		if left := s.finishDraft(ctx, p, d.ID, []string{partField(5)}, len(part.Part.Text), nil, true); left != 0 {
			t.Fatalf("%d parts left", left)
		}
	}); got["hset"] != 1 || got["hget"] != 0 || got["hmget"] != 1 || got["hdel"] != 1 {
		t.Fatalf("the draft tidied with %v, want 1 hset (both marks), 1 hmget, 1 hdel, no hget", got)
	}
	if n := s.rdb.Exists(ctx, s.k.draft(p)).Val(); n != 0 {
		t.Fatalf("the sent draft is still there")
	}
	st := s.rdb.HGetAll(ctx, s.k.state(p)).Val()
	if st["x:5"] == "" || st["x:"+s.sentMark(p, 5)] == "" {
		t.Fatalf("the reporter's state %v does not remember the sent event and its mark", st)
	}
	// The same message delivered again does not start a draft.
	if _, err := s.AddToDraft(ctx, p, part); !errors.Is(err, ErrDuplicateEvent) {
		t.Fatalf("the sent message delivered again: %v, want ErrDuplicateEvent", err)
	}
}

// A count that makes its subject's state hash gives it its expiry without
// asking Redis for one it cannot have (PTTL); a count in a hash that was
// there asks, and leaves a longer expiry alone.
func TestCountGivesANewStateItsExpiryWithoutAsking(t *testing.T) {
	ctx := context.Background()
	s := callsStore(t)
	p := s.Pseudonym("telegram", "78")
	key := s.k.state(p)
	allowOnce := func(kind string) func() {
		return func() {
			if ok, _, err := s.Allow(ctx, p, kind, 5, time.Hour); err != nil || !ok {
				t.Fatalf("allow %s: %v %v", kind, ok, err)
			}
		}
	}
	if got := commandCalls(t, s.rdb, allowOnce("tips")); got["pttl"] != 0 || got["pexpire"] != 1 {
		t.Fatalf("a new state counted with %d pttl and %d pexpire, want none and 1", got["pttl"], got["pexpire"])
	}
	if d := s.rdb.PTTL(ctx, key).Val(); d <= 0 || d > time.Hour {
		t.Fatalf("the new state expires in %v, want within the hour", d)
	}
	// A state that was there with a longer life: asked, and kept so.
	s.rdb.PExpire(ctx, key, 48*time.Hour)
	if got := commandCalls(t, s.rdb, allowOnce("parts")); got["pttl"] != 1 || got["pexpire"] != 0 {
		t.Fatalf("a kind's first count in a state that was there made %d pttl and %d pexpire, want 1 and none", got["pttl"], got["pexpire"])
	}
	if d := s.rdb.PTTL(ctx, key).Val(); d <= 47*time.Hour {
		t.Fatalf("the state's longer life cut to %v", d)
	}
	// One without an expiry (an earlier version's) is given one.
	s.rdb.Persist(ctx, key)
	if got := commandCalls(t, s.rdb, allowOnce("other")); got["pttl"] != 1 || got["pexpire"] != 1 {
		t.Fatalf("a state without an expiry counted with %d pttl and %d pexpire, want 1 and 1", got["pttl"], got["pexpire"])
	}
	if d := s.rdb.PTTL(ctx, key).Val(); d <= 0 || d > time.Hour {
		t.Fatalf("the state without an expiry given %v, want within the hour", d)
	}
}

// A part counted against its reporter's limit as a window begins does not
// read the state's marks (the sent event, the floor, a wipe to come) when
// the count's HKEYS has just shown none of them there; where one is, it is
// read and heeded as before.
func TestPartCountedSkipsReadingMarksItSawAbsent(t *testing.T) {
	ctx := context.Background()
	s := callsStore(t)
	limit := &Limit{Kind: "parts", Max: 10, Window: time.Hour}
	add := func(p string) (Draft, int64) {
		var d Draft
		got := hashCalls(t, s.rdb, func() {
			var err error
			if d, err = s.AddToDraft(ctx, p, DraftPart{EventID: 1, Part: tips.Part{Text: "me cobran piso"}, Limit: limit}); err != nil {
				t.Fatal(err)
			}
		})
		return d, got["hmget"]
	}
	if d, n := add(s.Pseudonym("telegram", "79")); n != 1 || d.WipeUntold {
		t.Fatalf("a new reporter's part made %d hmget (wipe untold %v), want 1 (the draft's) and no wipe", n, d.WipeUntold)
	}
	// A reporter whose state notes a wipe to come: read, and told.
	q := s.Pseudonym("telegram", "80")
	s.rdb.HSet(ctx, s.k.state(q), "x:w", hours(time.Now().Add(24*time.Hour)))
	if d, n := add(q); n != 2 || !d.WipeUntold {
		t.Fatalf("a part with a wipe noted made %d hmget (wipe untold %v), want 2 and the wipe", n, d.WipeUntold)
	}
	// The same event already sent (its mark on the state): refused.
	r := s.Pseudonym("telegram", "81")
	s.rdb.HSet(ctx, s.k.state(r), "x:7", hours(time.Now().Add(24*time.Hour)))
	if _, err := s.AddToDraft(ctx, r, DraftPart{EventID: 7, Part: tips.Part{Text: "otra vez"}, Limit: limit}); !errors.Is(err, ErrDuplicateEvent) {
		t.Fatalf("a sent event counted as a window begins: %v, want ErrDuplicateEvent", err)
	}
}

// A Send whose tip limit is counted as a window begins reads which of
// the draft's parts went out already (their events remembered on the
// reporter's state: spooled as tips of their own while Redis hung) from
// the fields the count has just listed, without an HEXISTS a part; such
// parts are still left out, and a draft of nothing else still answers
// -6. Past the window's first Send the count lists no fields, and each
// part is asked as before.
func TestClaimReadsSentEventsFromItsCount(t *testing.T) {
	ctx := context.Background()
	s := callsStore(t)
	// Every count of this test falls in one hour's window: the store's
	// clock and the claims' "now" are one fixed instant, so a run that
	// crosses the hour does not make a later claim its window's first.
	fixed := time.Now()
	s.now = func() time.Time { return fixed }
	limit := &Limit{Kind: "tips", Max: 10, Window: time.Hour}
	// draft adds a part for each event, then remembers those of sent on
	// the state, as a spooled message's replay does.
	draft := func(user string, events []int64, sent ...int64) (string, Draft) {
		p := s.Pseudonym("telegram", user)
		var d Draft
		for _, ev := range events {
			var err error
			if d, err = s.AddToDraft(ctx, p, DraftPart{EventID: ev, Part: tips.Part{Text: "me cobran piso " + strconv.FormatInt(ev, 10)}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, ev := range sent {
			s.rdb.HSet(ctx, s.k.state(p), "x:"+strconv.FormatInt(ev, 10), hours(time.Now().Add(24*time.Hour)))
		}
		return p, d
	}
	claim := func(p string, d Draft) (any, int64) {
		now := fixed
		args := append(append([]any{d.ID, now.UnixMilli()}, s.limitArgs(limit)...), "r", hours(now.Add(sentMemory)), stateLife(now))
		var res any
		got := hashCalls(t, s.rdb, func() {
			var err error
			if res, err = claimDraft.Run(ctx, s.rdb, []string{s.k.draft(p), s.k.state(p)}, args...).Result(); err != nil {
				t.Fatal(err)
			}
		})
		return res, got["hexists"]
	}
	claimedOf := func(res any) string {
		v, _ := res.([]any)
		for i := 0; i+1 < len(v); i += 2 {
			if v[i] == "claimed" {
				return v[i+1].(string)
			}
		}
		return "(none)"
	}
	// A new reporter's draft: nothing asked.
	p, d := draft("90", []int64{5})
	if res, n := claim(p, d); n != 0 || claimedOf(res) != partField(5) {
		t.Fatalf("a new reporter's claim made %d hexists and claimed %q, want none and %q", n, claimedOf(res), partField(5))
	}
	// One of two parts spooled as a tip of its own: left out, and dropped.
	p, d = draft("91", []int64{6, 7}, 6)
	if res, n := claim(p, d); n != 0 || claimedOf(res) != partField(7) {
		t.Fatalf("a claim with a part sent before made %d hexists and claimed %q, want none and %q", n, claimedOf(res), partField(7))
	}
	if s.rdb.HExists(ctx, s.k.draft(p), partField(6)).Val() {
		t.Fatal("the part sent before is still in the draft")
	}
	// Its only part spooled: -6; pressed again (the count past its
	// window's first, so the draft's note on the state is asked), -6 again.
	p, d = draft("92", []int64{8}, 8)
	for want := range int64(2) {
		if res, n := claim(p, d); n != want || res != int64(-6) {
			t.Fatalf("claim %d of a part sent before alone made %d hexists and answered %v, want %d and -6", want+1, n, res, want)
		}
	}
	// Past the window's first Send: each part asked, and heeded all the same.
	p, d = draft("93", []int64{9, 10}, 9)
	if ok, _, err := s.Allow(ctx, p, "tips", limit.Max, limit.Window); err != nil || !ok {
		t.Fatalf("allow: %v %v", ok, err)
	}
	if res, n := claim(p, d); n != 2 || claimedOf(res) != partField(10) {
		t.Fatalf("a claim past the window's first made %d hexists and claimed %q, want 2 and %q", n, claimedOf(res), partField(10))
	}
}
