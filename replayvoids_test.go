package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// The replay loop tells the audit log and the team (voided) how many
// pending invitations a replay voided all together, once; and a voids
// file the replay could not remove (storage.ErrVoidsKept) is an ERROR
// line that says what it means and what to do, at most once a minute
// however often the replay runs, not the "interrupted; will retry" of a
// replay that failed. Mutations: run without its call of voided -> the
// team is never told; voidsKept without its minute -> one line a try.
func TestSpoolReplayTellsOfInvitationsVoidedAndOfAVoidsFileKept(t *testing.T) {
	rs := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	st, err := storage.New(rs.Client(), kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.HoldVoids([]string{"AB12-CD34-EF56-GH78"}); err != nil { // (something waits: the loop replays)
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
	var logb syncBuffer
	kept := fmt.Errorf("%w: spool voids: remove /var/lib/vigia/spool/voids.spool.replaying: read-only file system", storage.ErrVoidsKept)
	tries := 0
	var told []int
	r := spoolReplay{sp: sp, st: st, log: newLogger(&logb, nil), now: clock.now,
		jitter: func(d time.Duration) time.Duration { return d },
		replay: func(context.Context) (storage.ReplayCount, error) {
			tries++
			n := storage.ReplayCount{VoidsKept: kept}
			if tries == 1 {
				n.InvitesVoided = 2
			}
			return n, nil
		},
		voided: func(_ context.Context, n int) error { told = append(told, n); return nil },
		wait: func(_ context.Context, d time.Duration) bool {
			clock.add(d)
			return tries < 30 // 150 s of tries, 5 s apart
		},
	}
	r.run(context.Background())
	if tries != 30 {
		t.Fatalf("%d tries", tries)
	}
	if len(told) != 1 || told[0] != 2 {
		t.Errorf("the audit log and the team told of %v invitations voided, want [2]", told)
	}
	keptLines := 0
	for _, l := range jsonLines(t, []byte(logb.String())) {
		msg, _ := l["msg"].(string)
		switch {
		case strings.Contains(msg, "voids.spool.replaying"):
			keptLines++
			if l["level"] != "ERROR" || !strings.Contains(msg, "VIGIA_SPOOL_DIR") || !strings.Contains(msg, "invitations made since are kept") {
				t.Errorf("the kept file's line: %v", l)
			}
		case strings.HasPrefix(msg, "spool replay interrupted"):
			t.Errorf("a kept voids file logged as a replay interrupted: %v", l)
		}
	}
	if keptLines != 3 { // at 0, 60 and 120 s
		t.Errorf("%d lines of the kept voids file in 150 s, want 3:\n%s", keptLines, logb.String())
	}
}
