package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// pingCount is a hook counting PINGs: replaySpool pings before each try.
type pingCount struct{ n *atomic.Int64 }

func (h pingCount) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h pingCount) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "ping" {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h pingCount) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// fakeClock is a clock the replay's pauses move.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// jsonLines is each line of a JSON log.
func jsonLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// While Redis's ACL refuses the replay (NOPERM: the reporters' keys taken
// away) the spooled tips wait, durable, and the replay is tried at growing
// intervals, at most replayRefusedCap apart, not every replayEvery for as
// long as the refusal lasts (each try reading the whole spool, each
// logged "spool replay interrupted"); once the ACL is fixed, the tips are
// in Redis within that cap. The log says so in a few lines: the first
// message spooled, a count of those spooled after, the first refusal and
// a count of those after, the end; each message spooled was a line of its
// own. Ten minutes of a clock the pauses move. Mutations checked: the
// refused try not putting the next off (r.next left) -> 120 tries and
// 120 lines; spoolTally.spooled logging each message -> three start lines.
func TestSpoolReplayBacksOffWhileTheACLRefusesIt_redisops(t *testing.T) {
	ctx := context.Background()
	a := newACLReplay(t)
	st, sp, pings := a.st, a.sp, a.pings
	clock := &fakeClock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
	start := clock.now()
	var logb syncBuffer
	log := newLogger(&logb, nil)
	tally := &spoolTally{log: log, now: clock.now, every: spoolTallyEvery}
	spooler := tallyingSpool{sp, tally}
	pseudonym := strings.Repeat("ab12", 8)
	spool := func(id int64, platform, text string) {
		t.Helper()
		if _, err := spooler.Append(storage.SpoolEntry{Pseudonym: pseudonym, EventID: id, Route: platform + ":7306318845",
			Part: tips.Part{Text: text}}); err != nil {
			t.Fatal(err)
		}
	}
	a.refuseReporters()
	spool(1, "telegram", "cobran piso en el mercado central")
	const refusedFor = 10 * time.Minute
	var fixedAt, emptyAt time.Time
	var triesRefused int64
	r := spoolReplay{sp: sp, st: st, log: log, tally: tally, now: clock.now, jitter: jitter,
		wait: func(ctx context.Context, d time.Duration) bool {
			now := clock.add(d)
			switch {
			case fixedAt.IsZero() && now.Sub(start) >= refusedFor:
				triesRefused = pings.Load()
				a.allowAll()
				fixedAt = now
			case fixedAt.IsZero() && (now.Sub(start) == 2*time.Minute || now.Sub(start) == 3*time.Minute):
				spool(int64(now.Sub(start).Minutes()), "discord", "cobran piso en la calle "+now.Sub(start).String())
			case !fixedAt.IsZero() && sp.Count().Waiting == 0:
				emptyAt = now
				return false
			}
			return now.Sub(start) < 30*time.Minute
		}}
	r.run(ctx)
	if emptyAt.IsZero() {
		t.Fatalf("the spool still holds %d tips 20 minutes after the ACL's fix: %s", sp.Count().Waiting, logb.String())
	}
	if triesRefused < 8 || triesRefused > 30 {
		t.Errorf("%d tries in %v refused, want 8 to 30 (the backoff up to %v; %d without it)", triesRefused, refusedFor, replayRefusedCap, refusedFor/replayEvery)
	}
	if took := emptyAt.Sub(fixedAt); took > replayRefusedCap+replayEvery {
		t.Errorf("replayed %v after the ACL's fix, want within %v", took, replayRefusedCap+replayEvery)
	}
	if list, err := st.Recent(ctx, 10); err != nil || len(list) != 3 {
		t.Fatalf("%d tips in Redis (%v), want the 3 spooled", len(list), err)
	}
	count := map[string]int{}
	var over, still, refused map[string]any
	for _, l := range jsonLines(t, []byte(logb.String())) {
		msg, _ := l["msg"].(string)
		count[msg]++
		switch {
		case strings.HasPrefix(msg, "spooling over"):
			over = l
		case strings.HasPrefix(msg, "tips still spooled"):
			still = l
		case strings.HasPrefix(msg, "spool replay refused"):
			refused = l
		}
	}
	if count[spoolStartLine] != 1 || over == nil || over["spooled_total"] != 3.0 || over["platforms"] != "discord=2,telegram=1" ||
		still == nil || still["spooled"] != 1.0 || still["platforms"] != "discord=1" || refused == nil || refused["level"] != "WARN" {
		t.Errorf("the spooling told as %v\n%s", count, logb.String())
	}
	if n := len(jsonLines(t, []byte(logb.String()))); n > 20 {
		t.Errorf("%d lines logged in %v of refusal, want a few:\n%s", n, refusedFor, logb.String())
	}
	for _, secret := range []string{pseudonym, "7306318845", "cobran"} {
		if strings.Contains(logb.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logb.String())
		}
	}
}

// replayBackoff doubles the pause from replayEvery at each refused try,
// up to replayRefusedCap, jitter taking off at most half.
func TestReplayBackoffDoublesUpToItsCap_redisops(t *testing.T) {
	none := func(d time.Duration) time.Duration { return d }
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}
	for i, w := range want {
		if got := replayBackoff(i+1, none); got != w {
			t.Errorf("try %d: %v, want %v", i+1, got, w)
		}
		for range 20 {
			if got := replayBackoff(i+1, jitter); got < w/2 || got > w {
				t.Errorf("try %d jittered: %v, want %v to %v", i+1, got, w/2, w)
			}
		}
	}
	if got := replayBackoff(1000, none); got != time.Minute {
		t.Errorf("try 1000: %v, want the cap", got)
	}
}

// A replay Redis's ACL refused, then took (the ACL fixed), starts its
// backoff over: the next refusal (the ACL broken again, days later) is
// told as a first one, and tried again after replayEvery, then twice
// that, not at replayRefusedCap from the start as though the old run of
// refusals went on. Mutation checked: the outcome that is no NOPERM leaving r.refused and
// r.next as they were -> one first-refusal line, and one try in the 30 s
// after the second refusal.
func TestSpoolReplayBackoffStartsOverOnceTheReplayIsTaken_revredisops(t *testing.T) {
	ctx := context.Background()
	a := newACLReplay(t)
	st, sp, pings := a.st, a.sp, a.pings
	pseudonym := strings.Repeat("cd34", 8)
	spool := func(id int64) {
		t.Helper()
		if _, err := sp.Append(storage.SpoolEntry{Pseudonym: pseudonym, EventID: id, Route: "telegram:7306318845",
			Part: tips.Part{Text: "cobran piso en el puerto"}}); err != nil {
			t.Fatal(err)
		}
	}
	a.refuseReporters()
	spool(1)
	clock := &fakeClock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
	start := clock.now()
	var logb syncBuffer
	log := newLogger(&logb, nil)
	// tries are the times of the replay's tries (a PING each), phase what
	// the test does next.
	var tries []time.Time
	seen := pings.Load()
	const (
		refusedFirst = iota // four tries refused (at 0, 5, 15 and 35 s)
		fixed               // the ACL fixed: the spool replayed
		refusedAgain        // refused again, a tip spooled: 30 s of tries
	)
	phase := refusedFirst
	var again time.Time
	triesBefore := 0
	r := spoolReplay{sp: sp, st: st, log: log, now: clock.now,
		jitter: func(d time.Duration) time.Duration { return d },
		wait: func(ctx context.Context, d time.Duration) bool {
			if n := pings.Load(); n != seen {
				tries, seen = append(tries, clock.now()), n
			}
			now := clock.add(d)
			switch {
			case phase == refusedFirst && len(tries) == 4:
				a.allowAll()
				phase = fixed
			case phase == fixed && sp.Count().Waiting == 0:
				a.refuseReporters()
				spool(2)
				phase, again, triesBefore = refusedAgain, now, len(tries)
			case phase == refusedAgain && now.Sub(again) >= 30*time.Second:
				return false
			}
			return now.Sub(start) < 30*time.Minute // (no hanging)
		}}
	r.run(ctx)
	if phase != refusedAgain {
		t.Fatalf("phase %d reached, tries at %v:\n%s", phase, tries, logb.String())
	}
	first := 0
	for _, l := range jsonLines(t, []byte(logb.String())) {
		if msg, _ := l["msg"].(string); strings.HasPrefix(msg, "spool replay refused by Redis's ACL") {
			first++
		}
	}
	if first != 2 {
		t.Errorf("%d lines telling a first refusal, want 2 (the ACL refused, then, once fixed, again):\n%s", first, logb.String())
	}
	if n := len(tries) - triesBefore; n < 3 {
		t.Errorf("%d tries in the 30 s after the second refusal, want 3 (5 s, then 10 s apart); tries at %v", n, tries)
	}
	if sp.Count().Waiting != 1 {
		t.Errorf("%d tips wait in the spool, want the one the ACL refuses", sp.Count().Waiting)
	}
}

// aclReplay is a store on a real Redis as Vigía's least-privileged user
// ("vigia", prefix "vigia"), its spool, and the PINGs its client made:
// the replay pings before each try.
type aclReplay struct {
	t     *testing.T
	srv   *redistest.Server
	st    *storage.Store
	sp    *storage.Spool
	pings *atomic.Int64
}

// newACLReplay starts Redis, or skips the test where there is no real
// redis-server (ACLs need one).
func newACLReplay(t *testing.T) *aclReplay {
	t.Helper()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("ACLs need a real redis-server")
	}
	rdb, err := redisClient(srv.LeastPrivilegeURL("vigia"), "single")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	a := &aclReplay{t: t, srv: srv, pings: new(atomic.Int64)}
	rdb.AddHook(pingCount{a.pings})
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if a.st, err = storage.New(rdb, kr, storage.Options{Prefix: "vigia"}); err != nil {
		t.Fatal(err)
	}
	if err := a.st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a.sp, err = storage.OpenSpool(t.TempDir(), kr); err != nil {
		t.Fatal(err)
	}
	return a
}

// refuseReporters lets the user have every key but a reporter's.
func (a *aclReplay) refuseReporters() {
	a.t.Helper()
	a.keys("~vigia:[^{]*", "~vigia:{tips}:*", "~vigia:{team}:*", "~vigia:{alerts}:*", "~vigia:{bc}:*", "~vigia:{inbox}:*", "~vigia:{wipe}:*")
}

// allowAll lets the user have every key under its prefix.
func (a *aclReplay) allowAll() {
	a.t.Helper()
	a.keys("~vigia:*")
}

// keys sets the user's key patterns.
func (a *aclReplay) keys(patterns ...string) {
	a.t.Helper()
	args := []any{"ACL", "SETUSER", "vigia", "resetkeys"}
	for _, p := range patterns {
		args = append(args, p)
	}
	if err := a.srv.Client().Do(context.Background(), args...).Err(); err != nil {
		a.t.Fatal(err)
	}
}
