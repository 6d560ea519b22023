package storage_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// The replay asks its router about each entry, its receipt codes cut: one
// the router takes is no tip, and its receipt says why; one it leaves is
// a tip. A router that fails stops the replay with the spool kept: tried
// again, every entry is there, and none is stored twice.
func TestReplayRouterTakesOrLeavesEntries(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	taken, err := sp.Append(storage.SpoolEntry{Pseudonym: "pTeam", EventID: 1, Part: tips.Part{Text: "nota del equipo"}})
	if err != nil {
		t.Fatal(err)
	}
	left, err := sp.Append(storage.SpoolEntry{Pseudonym: "pA", EventID: 2, Part: tips.Part{Text: "cobran piso"}})
	if err != nil {
		t.Fatal(err)
	}
	fail := true
	var asked []string
	sp.RouteWith(func(ctx context.Context, e storage.SpoolEntry) (storage.NoTip, error) {
		asked = append(asked, e.Pseudonym)
		switch {
		case fail:
			return "", errors.New("redis gone again")
		case e.Pseudonym == "pTeam":
			return storage.NoTipTeam, nil
		}
		return "", nil
	})
	if _, err := sp.ReplayCounts(ctx, st); err == nil || sp.Len() != 2 {
		t.Fatalf("a router failing: %v, %d left", err, sp.Len())
	}
	fail = false
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Replayed: 1, Skipped: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if len(asked) != 3 {
		t.Fatalf("router asked %d times", len(asked))
	}
	if _, err := st.TipByReceipt(ctx, taken); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the entry taken: %v", err)
	}
	if why, err := st.ReceiptNoTip(ctx, taken); err != nil || why != storage.NoTipTeam {
		t.Fatalf("its receipt: %q %v", why, err)
	}
	if tip, err := st.TipByReceipt(ctx, left); err != nil || tip.Content.Text() != "cobran piso" {
		t.Fatalf("the entry left: %q %v", tip.Content.Text(), err)
	}
}
