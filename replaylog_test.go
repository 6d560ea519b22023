package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
