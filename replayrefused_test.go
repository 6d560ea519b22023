package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// While Redis answers the replay with an error that retrying in seconds
// does not fix (OOM: its maxmemory reached; READONLY: a replica where the
// primary was), the spooled tips wait, durable, and the replay is tried at
// growing intervals, at most replayRefusedCap apart, as a NOPERM'd one
// is; the log says so in a few lines, the reply's code in each; once
// Redis takes writes again the tips are in Redis within that cap. It was
// tried every replayEvery, reading the whole spool each time, and each
// try logged "spool replay interrupted". Ten minutes of a clock the
// pauses move. Mutation checked: refusal returning "" for every reply
// but NOPERM -> 120 tries and 120 lines in the ten minutes.
func TestSpoolReplayBacksOffWhileRedisRefusesIt_redisreplay(t *testing.T) {
	for _, c := range []struct {
		reply        string
		refuse, take []any
	}{
		{"OOM", []any{"CONFIG", "SET", "maxmemory", "1"}, []any{"CONFIG", "SET", "maxmemory", "0"}},
		{"READONLY", nil, []any{"REPLICAOF", "NO", "ONE"}},
	} {
		t.Run(c.reply, func(t *testing.T) {
			ctx := context.Background()
			a := newACLReplay(t)
			st, sp, pings := a.st, a.sp, a.pings
			admin := a.srv.Client()
			refuse := c.refuse
			if refuse == nil {
				// A primary made a replica of one that never answers (a
				// port this test holds, which no other server can take):
				// it keeps its data, answers PING and reads, refuses
				// writes.
				host, port, _ := net.SplitHostPort(silentAddr(t))
				refuse = []any{"REPLICAOF", host, port}
			}
			if err := admin.Do(ctx, refuse...).Err(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { admin.Do(context.Background(), c.take...) })
			pseudonym := strings.Repeat("ef56", 8)
			if _, err := sp.Append(storage.SpoolEntry{Pseudonym: pseudonym, EventID: 1, Route: "telegram:7306318845",
				Part: tips.Part{Text: "cobran piso en el mercado central"}}); err != nil {
				t.Fatal(err)
			}
			clock := &fakeClock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
			start := clock.now()
			var logb syncBuffer
			log := newLogger(&logb, nil)
			const refusedFor = 10 * time.Minute
			var tookAt, emptyAt time.Time
			var triesRefused int64
			r := spoolReplay{sp: sp, st: st, log: log, now: clock.now, jitter: jitter,
				wait: func(ctx context.Context, d time.Duration) bool {
					now := clock.add(d)
					switch {
					case tookAt.IsZero() && now.Sub(start) >= refusedFor:
						triesRefused = pings.Load()
						if err := admin.Do(ctx, c.take...).Err(); err != nil {
							t.Fatal(err)
						}
						tookAt = now
					case !tookAt.IsZero() && sp.Count().Waiting == 0:
						emptyAt = now
						return false
					}
					return now.Sub(start) < 30*time.Minute
				}}
			r.run(ctx)
			if emptyAt.IsZero() {
				t.Fatalf("the spool still holds %d tips 20 minutes after Redis took writes again: %s", sp.Count().Waiting, logb.String())
			}
			if triesRefused < 8 || triesRefused > 30 {
				t.Errorf("%d tries in %v refused, want 8 to 30 (the backoff up to %v; %d without it)", triesRefused, refusedFor, replayRefusedCap, refusedFor/replayEvery)
			}
			if took := emptyAt.Sub(tookAt); took > replayRefusedCap+replayEvery {
				t.Errorf("replayed %v after Redis took writes again, want within %v", took, replayRefusedCap+replayEvery)
			}
			if list, err := st.Recent(ctx, 10); err != nil || len(list) != 1 {
				t.Fatalf("%d tips in Redis (%v), want the one spooled", len(list), err)
			}
			lines := jsonLines(t, []byte(logb.String()))
			first, still := 0, 0
			for _, l := range lines {
				msg, _ := l["msg"].(string)
				switch {
				case strings.HasPrefix(msg, "spool replay refused by Redis (") && l["reply"] == c.reply && l["level"] == "WARN":
					first++
				case strings.HasPrefix(msg, "spool replay still refused by Redis;") && l["reply"] == c.reply:
					still++
				case strings.HasPrefix(msg, "spool replay interrupted"):
					t.Errorf("a refusal logged as an interruption: %v", l)
				}
			}
			if first != 1 || still < 1 || len(lines) > 20 {
				t.Errorf("%d first-refusal lines (want 1), %d counts (want some), %d lines in all (want a few):\n%s", first, still, len(lines), logb.String())
			}
			for _, secret := range []string{pseudonym, "7306318845", "cobran"} {
				if strings.Contains(logb.String(), secret) {
					t.Errorf("the log holds %q:\n%s", secret, logb.String())
				}
			}
		})
	}
}

// A replay cut short otherwise than by Redis's refusal (here a spool file
// that cannot be read: a directory where the file being replayed
// belongs) is still tried every replayEvery, but told in a few lines:
// the first, then at most once a minute how many more; each try was a
// line ("spool replay interrupted; will retry" every 5 s). Once the
// replay goes through, a new interruption is told as a first one again.
// Mutation checked: interruptedTry logging every try -> 120 lines.
func TestSpoolReplayInterruptionsToldInAFewLines_redisreplay(t *testing.T) {
	ctx := context.Background()
	rs := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	st, err := storage.New(rs.Client(), kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: "pseudoA", EventID: 1, Part: tips.Part{Text: "cobran piso en el mercado"}}); err != nil {
		t.Fatal(err)
	}
	stuck := filepath.Join(dir, "tips.spool.replaying")
	if err := os.Mkdir(stuck, 0o700); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
	start := clock.now()
	var logb syncBuffer
	tries := 0
	const stuckFor = 10 * time.Minute
	r := spoolReplay{sp: sp, st: st, log: newLogger(&logb, nil), now: clock.now, jitter: jitter,
		wait: func(ctx context.Context, d time.Duration) bool {
			tries++
			now := clock.add(d)
			switch {
			case now.Sub(start) == stuckFor:
				if err := os.Remove(stuck); err != nil {
					t.Fatal(err)
				}
			case now.Sub(start) == stuckFor+replayEvery:
				if err := os.Mkdir(stuck, 0o700); err != nil {
					t.Fatal(err)
				}
				if _, err := sp.Append(storage.SpoolEntry{Pseudonym: "pseudoA", EventID: 2, Part: tips.Part{Text: "venden armas"}}); err != nil {
					t.Fatal(err)
				}
			case now.Sub(start) >= stuckFor+2*replayEvery:
				return false
			}
			return true
		}}
	r.run(ctx)
	count := map[string]int{}
	for _, l := range jsonLines(t, []byte(logb.String())) {
		msg, _ := l["msg"].(string)
		count[msg]++
	}
	if tries < int(stuckFor/replayEvery) {
		t.Errorf("%d tries in %v, want one every %v", tries, stuckFor, replayEvery)
	}
	if n := count["spool replay interrupted; will retry"]; n != 2 {
		t.Errorf("%d lines telling a first interruption, want 2 (the first, then the first after the replay went through):\n%s", n, logb.String())
	}
	if n := count["spool replay still interrupted; will retry"]; n < 5 || n > 11 {
		t.Errorf("%d lines counting interruptions in %v, want about one a minute:\n%s", n, stuckFor, logb.String())
	}
	if count["spooled tips replayed"] != 1 {
		t.Errorf("the replay between the two interruptions not told:\n%s", logb.String())
	}
	for _, secret := range []string{"pseudoA", "cobran", "armas"} {
		if strings.Contains(logb.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logb.String())
		}
	}
}
