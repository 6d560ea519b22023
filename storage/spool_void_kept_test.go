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
	"github.com/vigia-project/vigia/tips"
)

// A replay that voided every pending invitation (held past the bound)
// but could not remove voids.spool.replaying (a read-only disk) says so
// (VoidsKept), goes on with the tips, and does not void again: neither a
// replay in the same process nor one after a restart voids the
// invitations made since, after the outage; once the file can be
// removed, it is. Mutation: replayVoids without its check of the hold's
// record in Redis (voidEveryInvite at each replay of the file, as
// before) -> the invitation made after the first replay is voided by the
// second.
func TestReplayOfAVoidsFileNotRemovedVoidsNoLaterInvitation_receipts(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	var before []string
	for range 2 {
		code, err := st.Invite(ctx, "investigator", "by", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, code)
	}
	if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: st.Pseudonym("telegram", "2"), EventID: 1, Part: tips.Part{Text: "cobran piso en el mercado"}}); err != nil {
		t.Fatal(err)
	}
	restore := storage.FailVoidsRemoval(t)
	c, err := sp.ReplayCounts(ctx, st)
	if err != nil || c.InvitesVoided != len(before) || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
		t.Fatalf("first replay: %+v %v, want %d invitations voided and the file kept", c, err, len(before))
	}
	if c.Replayed != 1 {
		t.Errorf("the spooled tip waits behind the kept voids file: %+v", c)
	}
	for _, code := range before {
		if _, _, err := st.InviteRole(ctx, code); err == nil {
			t.Error("an invitation pending during the outage still works")
		}
	}
	file := filepath.Join(dir, "voids.spool.replaying")
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the kept file: %v", err)
	}
	fresh, err := st.Invite(ctx, "investigator", "by", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if sp.VoidHeld(fresh) || sp.VoidsWaiting() != 0 {
		t.Errorf("after the voiding: an invitation made since is refused (%v), %d waiting", sp.VoidHeld(fresh), sp.VoidsWaiting())
	}
	for i, sp := range []*storage.Spool{sp, reopenSpool(t, dir, kr)} {
		c, err := sp.ReplayCounts(ctx, st)
		if err != nil || c.InvitesVoided != 0 || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
			t.Errorf("replay %d of the kept file: %+v %v, want none voided, the file kept", i+2, c, err)
		}
		if _, _, err := st.InviteRole(ctx, fresh); err != nil {
			t.Fatalf("replay %d of the kept file voided an invitation made after the outage: %v", i+2, err)
		}
		if sp.VoidHeld(fresh) {
			t.Errorf("replay %d: an invitation made after the outage is refused", i+2)
		}
	}
	restore() // the disk writable again
	sp = reopenSpool(t, dir, kr)
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 0 || c.VoidsKept != nil {
		t.Errorf("replay once the file can go: %+v %v", c, err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the voids file is still there: %v", err)
	}
	if _, _, err := st.InviteRole(ctx, fresh); err != nil {
		t.Errorf("the invitation made after the outage: %v", err)
	}
	// The next outage's hold voids every pending invitation again.
	if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil {
		t.Fatal(err)
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 1 {
		t.Errorf("the next outage's replay: %+v %v, want the 1 pending invitation voided", c, err)
	}
}
