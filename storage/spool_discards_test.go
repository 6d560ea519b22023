package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// A discard a chat wipe owes, Redis taking neither it nor its record, is
// kept in the spool: sealed (neither the pseudonym nor the wipe's time in
// clear), through a restart, until it is settled; a later wipe's is not
// settled by an earlier one's; the oldest go past the limit; under
// another secret the file is set aside, not deleted; the previous secret's
// is sealed again under the current one.
// Mutations: OpenSpool without loadDiscards, or DiscardSettled ignoring
// the time (an earlier wipe's settle taking out a later one's), or
// OweDiscard not bounded, each fail it.
func TestOwedDiscardsOutliveARestartSealed(t *testing.T) {
	secret := testSecret
	keyring := func(s ...[]byte) *storage.Keyring { return testKeyring(t, s...) }
	dir := t.TempDir()
	open := func(kr *storage.Keyring) *storage.Spool {
		t.Helper()
		sp, err := storage.OpenSpool(dir, kr)
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	kr := keyring(secret(3))
	sp := open(kr)
	const pA, pB, pC = "pseudonym-of-reporter-A", "pseudonym-of-reporter-B", "pseudonym-of-reporter-C"
	wiped := time.UnixMilli(1_796_000_000_123)
	later := wiped.Add(time.Minute)
	for _, d := range []struct {
		p string
		d storage.OwedDiscard
	}{{pA, storage.OwedDiscard{Wiped: wiped, UpTo: 9001}}, {pB, storage.OwedDiscard{Wiped: wiped}}, {pA, storage.OwedDiscard{Wiped: later, UpTo: 9002}}, {pA, storage.OwedDiscard{Wiped: wiped, UpTo: 9001}}} {
		if n, err := sp.OweDiscard(d.p, d.d); err != nil || n != 0 {
			t.Fatalf("OweDiscard(%s): %d, %v", d.p, n, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(pA)) || bytes.Contains(b, []byte("1796000")) || bytes.Contains(b, []byte("9002")) {
			t.Fatalf("%s holds a pseudonym, the wipe's time or event in clear", filepath.Base(f))
		}
	}

	sp = open(kr) // a restart
	if got := sp.DiscardsOwed(); len(got) != 2 || got[pA] != (storage.OwedDiscard{Wiped: later, UpTo: 9002}) || got[pB] != (storage.OwedDiscard{Wiped: wiped}) {
		t.Fatalf("after a restart: %v", got)
	}
	if err := sp.DiscardSettled(pA, wiped); err != nil { // an earlier wipe's
		t.Fatal(err)
	}
	if err := sp.DiscardSettled(pB, wiped); err != nil {
		t.Fatal(err)
	}
	if got := open(kr).DiscardsOwed(); len(got) != 1 || got[pA] != (storage.OwedDiscard{Wiped: later, UpTo: 9002}) {
		t.Fatalf("settled: %v", got)
	}

	// The limit: the oldest goes.
	storage.SmallDiscardsLimit(t, 2)
	sp = open(kr)
	if n, err := sp.OweDiscard(pB, storage.OwedDiscard{Wiped: later}); err != nil || n != 0 {
		t.Fatalf("within the limit: %d, %v", n, err)
	}
	if n, err := sp.OweDiscard(pC, storage.OwedDiscard{Wiped: later}); err != nil || n != 1 {
		t.Fatalf("past the limit: %d dropped, %v", n, err)
	}
	if got := open(kr).DiscardsOwed(); len(got) != 2 || !got[pB].Wiped.Equal(later) || !got[pC].Wiped.Equal(later) {
		t.Fatalf("past the limit: %v", got)
	}

	// A rotation: sealed again under the new secret at once.
	if got := open(keyring(secret(4), secret(3))).DiscardsOwed(); len(got) != 2 {
		t.Fatalf("during the rotation: %v", got)
	}
	if got := open(keyring(secret(4))).DiscardsOwed(); len(got) != 2 {
		t.Fatalf("after the rotation: %v", got)
	}
	// Another secret: set aside, not lost.
	if got := open(keyring(secret(5))).DiscardsOwed(); len(got) != 0 {
		t.Fatalf("opened under another secret: %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "tips.spool.discards.unreadable")); err != nil {
		t.Fatalf("not set aside: %v", err)
	}

	// All settled: no file left.
	sp = open(keyring(secret(4)))
	if _, err := sp.OweDiscard(pA, storage.OwedDiscard{Wiped: wiped}); err != nil {
		t.Fatal(err)
	}
	if err := sp.DiscardSettled(pA, wiped); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tips.spool.discards")); !os.IsNotExist(err) {
		t.Fatalf("settled, the file is still there: %v", err)
	}
}
