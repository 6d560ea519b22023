package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// The replay loop's log line counts apart what became of the spooled
// entries: tips stored now, entries found stored already (the same
// message spooled twice), and entries kept as no tip (a message that
// showed nothing). It counted every entry as a tip replayed. Counts only.
func TestReplayLogCountsSkippedEntriesApart(t *testing.T) {
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
	for _, e := range []storage.SpoolEntry{
		{Pseudonym: "pA", EventID: 1, Part: tips.Part{Text: "cobran piso en el mercado"}},
		{Pseudonym: "pA", EventID: 1, Part: tips.Part{Text: "cobran piso en el mercado"}}, // delivered twice
		{Pseudonym: "pB", EventID: 2, Part: tips.Part{Text: "\u200b\u2800"}},              // shows nothing
	} {
		if _, err := sp.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go replaySpool(ctx, sp, st, slog.New(slog.NewTextHandler(&logs, nil)), nil, nil)
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs.String(), "spooled tips replayed") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	line := ""
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "spooled tips replayed") {
			line = l
		}
	}
	if !strings.HasSuffix(line, `msg="spooled tips replayed" replayed=1 repeated=1 skipped=1`) {
		t.Fatalf("the replay's log line: %q", line)
	}
	if list, _ := st.Recent(ctx, 10); len(list) != 1 {
		t.Fatalf("%d tips stored", len(list))
	}
}

// A spool file that cannot be read after start-up (here a directory where
// the file being replayed belongs: reading it fails, even for root) made
// the spool count nothing: the replay loop never tried and never said so,
// and the tips behind it waited silently. Now an ERROR line says so (the
// file and the system's reason, nothing of a tip), the size gauge reads
// -1, the replay is tried all the same, and once the file reads again the
// tips are replayed.
func TestReplaySpoolReportsAndRetriesAnUnreadableSpool(t *testing.T) {
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
	var codes []string
	for i, text := range []string{"cobran piso en el mercado", "venden armas en la esquina"} {
		code, err := sp.Append(storage.SpoolEntry{Pseudonym: "pseudoA", EventID: int64(i + 1), Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	stuck := filepath.Join(dir, "tips.spool.replaying")
	if err := os.Mkdir(stuck, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := spoolGauge(sp, func(c storage.SpoolCount) int { return c.Waiting })(); got != -1 {
		t.Fatalf("vigia_spool_size with a file that cannot be read: %v, want -1", got)
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go replaySpool(ctx, sp, st, slog.New(slog.NewTextHandler(&logs, nil)), nil, nil)
	waitLog := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !strings.Contains(logs.String(), what); {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log: %s", what, logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitLog(`level=ERROR msg="spool files cannot be read`)
	waitLog("spool replay interrupted; will retry") // tried all the same
	if err := os.Remove(stuck); err != nil {
		t.Fatal(err)
	}
	waitLog("spool files read again")
	waitLog(`msg="spooled tips replayed" replayed=2`)
	for _, secret := range append(codes, "cobran", "armas", "pseudoA") {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the log holds %q: %s", secret, logs.String())
		}
	}
	if strings.Count(logs.String(), "spool files cannot be read") != 1 {
		t.Fatalf("the same read error reported more than once: %s", logs.String())
	}
}

// Serve told to stop (SIGTERM) while the spool is replayed cuts the
// replay short: an orderly stop, told at INFO with the counts, not the
// WARN "spool replay interrupted; will retry" of a connection lost (seen
// in TestRedisStopsMidBurst's log). The tips not replayed stay in the
// spool, and the next start replays them. Here serve's context is
// cancelled as the replay sends its first command after the PING.
func TestReplayStoppedByServeIsNoWarning(t *testing.T) {
	rs := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := rs.Client()
	hook := &cancelOnFirstWrite{cancel: cancel}
	client.AddHook(hook)
	st, err := storage.New(client, kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	hook.armed.Store(true)
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"cobran piso en el mercado", "halcones en la esquina", "venta de armas en el puerto"} {
		if _, err := sp.Append(storage.SpoolEntry{Pseudonym: "p" + text[:3], EventID: int64(i + 1), Part: tips.Part{Text: text}}); err != nil {
			t.Fatal(err)
		}
	}
	var logs syncBuffer
	done := make(chan struct{})
	go func() { defer close(done); replaySpool(ctx, sp, st, newLogger(&logs, nil), nil, nil) }()
	select {
	case <-done:
	case <-time.After(time.Minute): // not a timing, only no hanging
		t.Fatal("the replay loop still running a minute after serve's context was cancelled")
	}
	stopped := 0
	for _, l := range jsonLines(t, []byte(logs.String())) {
		msg, _ := l["msg"].(string)
		switch {
		case l["level"] != "INFO":
			t.Errorf("a stop during the replay logged at %v: %v", l["level"], l)
		case strings.HasPrefix(msg, "spool replay stopped as Vigía stops"):
			stopped++
		}
	}
	if stopped != 1 {
		t.Errorf("%d lines saying the replay stopped with serve, want 1:\n%s", stopped, logs.String())
	}
	// Nothing lost: the next start's replay stores all three.
	st2, err := storage.New(rs.Client(), kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := sp.ReplayCounts(context.Background(), st2); err != nil || c.Replayed+c.Repeated != 3 {
		t.Fatalf("the next start's replay: %+v, %v; want the three tips", c, err)
	}
	if list, _ := st2.Recent(context.Background(), 10); len(list) != 3 {
		t.Fatalf("%d tips stored after the next start's replay, want 3", len(list))
	}
}

// cancelOnFirstWrite, once armed, cancels serve's context as the replay
// sends its first command or pipeline after the replay loop's PING.
type cancelOnFirstWrite struct {
	cancel context.CancelFunc
	armed  atomic.Bool
}

func (h *cancelOnFirstWrite) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *cancelOnFirstWrite) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.armed.Load() && cmd.Name() != "ping" {
			h.cancel()
		}
		return next(ctx, cmd)
	}
}
func (h *cancelOnFirstWrite) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.armed.Load() {
			h.cancel()
		}
		return next(ctx, cmds)
	}
}
