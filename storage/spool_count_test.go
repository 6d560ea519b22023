package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// Counting the spool (Counted: the replay loop every 5 s, the metrics at
// each scrape, three times) opens no record while its files are
// unchanged: it opened every record of the spool each time, which during
// an outage with a large spool is the CPU the bot needs for the
// reporters' messages. The counts stay right as the spool changes (an
// append, a record no secret opens, the replay moving and removing the
// file, the quarantine) and across a restart. Mutations checked:
// countFile reading the file every time -> some 3,600 allocations a
// count of 300 records, where the cached count makes a few dozen;
// countFile trusting its cache whatever os.Stat says -> 300 counted
// after the 301st append.
func TestSpoolCountOpensNoRecordWhileTheSpoolIsUnchanged_redisreplay(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	for i := range n {
		spoolAppend(t, sp, "pA", int64(i+1), "cobran piso en el mercado central, cada semana")
	}
	want := func(sp *storage.Spool, waiting, unreadable, quarantined int) {
		t.Helper()
		c, err := sp.Counted()
		if err != nil || c.Waiting != waiting || c.Unreadable != unreadable || c.Quarantined != quarantined {
			t.Fatalf("counted %+v (%v), want %d waiting, %d unreadable, %d quarantined", c, err, waiting, unreadable, quarantined)
		}
	}
	want(sp, n, 0, 0)
	if allocs := testing.AllocsPerRun(5, func() { sp.Count() }); allocs > 200 {
		t.Errorf("a count of the unchanged spool of %d records made %v allocations: it opened them again", n, allocs)
	}
	spoolAppend(t, sp, "pB", 1, "venden armas")
	want(sp, n+1, 0, 0)
	// A record sealed under a secret no longer configured.
	other, _ := storage.NewKeyring(bytes.Repeat([]byte{9}, 32))
	foreignDir := t.TempDir()
	fsp, err := storage.OpenSpool(foreignDir, other)
	if err != nil {
		t.Fatal(err)
	}
	spoolAppend(t, fsp, "pC", 1, "otro secreto")
	rec, err := os.ReadFile(filepath.Join(foreignDir, "tips.spool"))
	if err != nil || len(rec) < 4 || int(binary.BigEndian.Uint32(rec))+4 != len(rec) {
		t.Fatalf("the foreign record: %d bytes, %v", len(rec), err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "tips.spool"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(rec); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want(sp, n+1, 1, 0)
	// A restart counts the same.
	again, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	want(again, n+1, 1, 0)
	// The replay moves the file aside, quarantines the record no secret
	// opens, stores the rest and removes the file.
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	want(sp, 0, 0, 1)
	spoolAppend(t, sp, "pD", 1, "extorsión en la ruta")
	want(sp, 1, 0, 1)
}
