package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
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

// cutInviteDels lets through the invitations' DELs until it is armed
// with how many, then fails every one past them, as if Redis went down.
type cutInviteDels struct{ left atomic.Int64 }

func (h *cutInviteDels) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *cutInviteDels) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *cutInviteDels) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if key, _ := cmd.Args()[len(cmd.Args())-1].(string); cmd.Name() == "del" && strings.Contains(key, ":invite:") && h.left.Add(-1) < 0 {
			err := errors.New("connection reset")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

// A replay voiding every pending invitation that Redis cuts off mid-way,
// then tried again, tells the audit log and the team once, of every
// invitation gone (3: 2 before the cut, 1 after), and the WARN to make
// new ones is one line: not a notice for the 2, then another for the 1.
// Mutation: storage's replayVoids saying the count at the cut (as
// before) -> told [2 1].
func TestACutOffReplayTellsOfInvitationsVoidedOnce(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client()
	h := &cutInviteDels{}
	h.left.Store(1 << 30)
	rdb.AddHook(h)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := st.Invite(ctx, "investigator", "by", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	flood := make([]string, 2000) // past the codes held one by one in a message
	for i := range flood {
		flood[i] = fmt.Sprintf("A%03d-B%03d-C000-D000", i%1000, i/1000)
	}
	if err := sp.HoldVoids(flood); err != nil {
		t.Fatal(err)
	}
	h.left.Store(2) // Redis lost after two of the three
	clock := &fakeClock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)}
	var logb syncBuffer
	var told []int
	waits := 0
	r := spoolReplay{sp: sp, st: st, log: newLogger(&logb, nil), now: clock.now,
		jitter: func(d time.Duration) time.Duration { return d },
		voided: func(_ context.Context, n int) error { told = append(told, n); return nil },
		wait: func(_ context.Context, d time.Duration) bool {
			clock.add(d)
			h.left.Store(1 << 30) // back
			waits++
			return waits < 4
		},
	}
	r.run(ctx)
	if len(told) != 1 || told[0] != 3 {
		t.Errorf("the audit log and the team told of %v invitations voided, want [3]", told)
	}
	warned := 0
	for _, l := range jsonLines(t, []byte(logb.String())) {
		if msg, _ := l["msg"].(string); strings.HasPrefix(msg, "every pending invitation voided") {
			warned++
			if n, _ := l["invitations"].(float64); n != 3 {
				t.Errorf("the WARN says %v invitations, want 3", l["invitations"])
			}
		}
	}
	if warned != 1 {
		t.Errorf("%d WARN lines of invitations voided, want 1:\n%s", warned, logb.String())
	}
	if sp.VoidsWaiting() != 0 {
		t.Errorf("%d voidings still waiting", sp.VoidsWaiting())
	}
}
