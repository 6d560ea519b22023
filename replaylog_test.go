package main

import (
	"bytes"
	"context"
	"log/slog"
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
	go replaySpool(ctx, sp, st, slog.New(slog.NewTextHandler(&logs, nil)))
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
