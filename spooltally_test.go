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
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("ACLs need a real redis-server")
	}
	rdb, err := redisClient(srv.LeastPrivilegeURL("vigia"), "single")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var pings atomic.Int64
	rdb.AddHook(pingCount{&pings})
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
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
	// Every key but a reporter's.
	if err := srv.Client().Do(ctx, "ACL", "SETUSER", "vigia", "resetkeys", "~vigia:[^{]*", "~vigia:{tips}:*", "~vigia:{team}:*",
		"~vigia:{alerts}:*", "~vigia:{bc}:*", "~vigia:{inbox}:*", "~vigia:{wipe}:*").Err(); err != nil {
		t.Fatal(err)
	}
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
				if err := srv.Client().Do(ctx, "ACL", "SETUSER", "vigia", "resetkeys", "~vigia:*").Err(); err != nil {
					t.Error(err)
					return false
				}
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
