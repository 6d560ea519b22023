package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// inviteCodes makes n pending invitations and returns their codes.
func inviteCodes(t *testing.T, st *storage.Store, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		code, err := st.Invite(context.Background(), "investigator", "by", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = code
	}
	return out
}

// keptVoidsSpool returns a spool whose voids.spool.replaying could not be
// removed (a read-only directory): each replay replays the live
// voids.spool where it is.
func keptVoidsSpool(t *testing.T, st *storage.Store) (*storage.Spool, string) {
	t.Helper()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	storage.FailVoidsRemoval(t)
	if err := sp.HoldVoids(manyCodes(0, 3)); err != nil {
		t.Fatal(err)
	}
	if c, err := sp.ReplayCounts(context.Background(), st); err != nil || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
		t.Fatalf("first replay: %+v %v, want the file kept", c, err)
	}
	return sp, filepath.Join(dir, "voids.spool")
}

// A live voids.spool replayed where it is (voids.spool.replaying could
// not be removed) is emptied once its voidings are done in Redis: left
// whole, it grew across outages, past maxHeldVoids lines, and every
// replay read it all again. A hold of every pending invitation emptied
// so, Redis's record that it was done goes with it. Mutations:
// replayVoidsInPlace without emptyVoidsIfUnchanged (the file left whole,
// as before) -> the file still holds the codes of the first outage;
// without its DEL of the holds' records -> the record is still there.
func TestAVoidsFileReplayedInPlaceIsEmptied(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	sp, file := keptVoidsSpool(t, st)
	for outage := range 3 {
		codes := inviteCodes(t, st, 2)
		if err := sp.HoldVoids(codes); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
			t.Fatalf("outage %d: the voidings held are not on disk: %v", outage, err)
		}
		if c, err := sp.ReplayCounts(ctx, st); err != nil || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
			t.Fatalf("outage %d: replay: %+v %v, want the moved-aside file kept", outage, c, err)
		}
		for _, code := range codes {
			if _, _, err := st.InviteRole(ctx, code); err == nil {
				t.Errorf("outage %d: an invitation held to be voided still works", outage)
			}
		}
		if b, err := os.ReadFile(file); err != nil || len(b) != 0 {
			t.Fatalf("outage %d: voids.spool after its replay: %d bytes (%v), want it empty", outage, len(b), err)
		}
		if n := sp.VoidsWaiting(); n != 0 {
			t.Errorf("outage %d: %d voidings waiting after the replay", outage, n)
		}
	}
	// An outage that held every pending invitation to be voided.
	pending := inviteCodes(t, st, 1)
	if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil {
		t.Fatal(err)
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 1 || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
		t.Fatalf("replay of a hold of every invitation: %+v %v, want 1 voided, the moved-aside file kept", c, err)
	}
	if _, _, err := st.InviteRole(ctx, pending[0]); err == nil {
		t.Error("the invitation pending during the outage still works")
	}
	if b, err := os.ReadFile(file); err != nil || len(b) != 0 {
		t.Fatalf("voids.spool after the replay of its hold: %d bytes (%v), want it empty", len(b), err)
	}
	if keys, err := srv.Client().Keys(ctx, "t:{team}:voidall:*").Result(); err != nil || len(keys) != 0 {
		t.Errorf("the records of the holds emptied: %v %v, want none", keys, err)
	}
	if sp.VoidHeld(inviteCodes(t, st, 1)[0]) {
		t.Error("an invitation made after the replay is refused")
	}
}

// A voiding held while voids.spool is replayed where it is, appended
// after what the replay read, is not emptied with it: it is voided by the
// next replay, by a spool opened again too. Mutation:
// emptyVoidsIfUnchanged without its check of the size (the file emptied
// whatever was appended) -> the invitation held meanwhile is still
// redeemable after a restart's replay.
func TestAVoidingHeldDuringAnInPlaceReplayIsKept(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	sp, file := keptVoidsSpool(t, st)
	if err := sp.HoldVoids(inviteCodes(t, st, 1)); err != nil {
		t.Fatal(err)
	}
	late := inviteCodes(t, st, 1)
	storage.OnVoidsReplayedInPlace(t, func() {
		if err := sp.HoldVoids(late); err != nil {
			t.Error(err)
		}
	})
	if c, err := sp.ReplayCounts(ctx, st); err != nil || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
		t.Fatalf("replay: %+v %v, want the moved-aside file kept", c, err)
	}
	storage.OnVoidsReplayedInPlace(t, func() {})
	if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
		t.Fatalf("voids.spool emptied with a voiding held during its replay: %v", err)
	}
	if !sp.VoidHeld(late[0]) {
		t.Error("the invitation held during the replay is not held")
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	again := reopenSpool(t, filepath.Dir(file), kr)
	if c, err := again.ReplayCounts(ctx, st); err != nil || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
		t.Fatalf("replay after a restart: %+v %v", c, err)
	}
	if _, _, err := st.InviteRole(ctx, late[0]); err == nil {
		t.Error("the invitation held during the replay still works after the next")
	}
	if b, err := os.ReadFile(file); err != nil || len(b) != 0 {
		t.Errorf("voids.spool after the next replay: %d bytes (%v), want it empty", len(b), err)
	}
}
