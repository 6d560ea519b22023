package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// The engine serve builds has the spool's replay routed by its Mux: a
// configured investigator's message spooled in an outage goes to their
// draft at the replay, not into the queue as a reporter's tip.
func TestEngineRoutesTheSpoolReplay(t *testing.T) {
	rs := redistest.Start(t)
	cfg, err := loadConfig(func(string) string { return "" }, true)
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eng, err := newEngine(ctx, cfg, rs.Client(), kr, slog.New(slog.DiscardHandler), commands.Roles{"telegram:9001": commands.Investigator}, nil, sp, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := eng.store.Pseudonym("telegram", "9001")
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 1, Route: "telegram:9001", Language: "en", Part: tips.Part{Text: "nota del equipo"}}); err != nil {
		t.Fatal(err)
	}
	if c, err := sp.ReplayCounts(ctx, eng.store); err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if list, _ := eng.store.Recent(ctx, 10); len(list) != 0 {
		t.Fatalf("%d tips after the replay", len(list))
	}
	if d, err := eng.store.Draft(ctx, p); err != nil || d.Parts != 1 {
		t.Fatalf("the investigator's draft: %+v %v", d, err)
	}
}
