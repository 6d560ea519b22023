package storage_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A write the disk cuts short (it filled up mid-record) is answered NOT
// saved and leaves nothing behind: the records acknowledged after it stay
// readable, survive a restart and are replayed.
func TestSpoolShortWriteLosesNothing(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	a, err := sp.Append(storage.SpoolEntry{Pseudonym: "pA", EventID: 1, Part: tips.Part{Text: "A: cobran piso"}})
	if err != nil {
		t.Fatal(err)
	}
	// The disk fills up in the middle of the next record.
	restore := storage.ShortSpoolWrites(t)
	_, errB := sp.Append(storage.SpoolEntry{Pseudonym: "pB", EventID: 2, Part: tips.Part{Text: "B: " + strings.Repeat("x", 300)}})
	restore()
	if errB == nil {
		t.Fatal("a record cut short was acknowledged")
	}
	c, err := sp.Append(storage.SpoolEntry{Pseudonym: "pC", EventID: 3, Part: tips.Part{Text: "C: venden armas"}})
	if err != nil {
		t.Fatal(err)
	}
	if sp.Len() != 2 {
		t.Fatalf("spool counts %d, want 2", sp.Len())
	}
	sp, err = storage.OpenSpool(dir, kr) // a restart
	if err != nil || sp.Len() != 2 {
		t.Fatalf("after a restart: %d %v", sp.Len(), err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	for code, want := range map[string]string{a: "A: cobran piso", c: "C: venden armas"} {
		if tip, err := st.TipByReceipt(ctx, code); err != nil || tip.Content.Text() != want {
			t.Fatalf("receipt %s: %q %v", code, tip.Content.Text(), err)
		}
	}
}
