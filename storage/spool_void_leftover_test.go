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

// voidsFiles says which of the spool's voids files are in dir.
func voidsFiles(dir string) (live, replaying bool) {
	_, err := os.Stat(filepath.Join(dir, "voids.spool"))
	_, err2 := os.Stat(filepath.Join(dir, "voids.spool.replaying"))
	return err == nil, err2 == nil
}

// pendingInvite makes an invitation pending in st and returns its code.
func pendingInvite(t *testing.T, st *storage.Store) string {
	t.Helper()
	code, err := st.Invite(context.Background(), "investigator", "by", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// A crash in the middle of a replay leaves voids.spool.replaying; what
// was held after it (Redis down again at the restart) is in voids.spool.
// The next replay voids both, the leftover first: the live file does not
// wait behind it for a later replay (other replicas know nothing of its
// voidings, and would accept its codes meanwhile). Neither a mass
// voiding done before the crash nor one done now is done again: an
// invitation made since is kept. Mutation: replayVoids replaying the
// leftover file alone (as before) -> the code held after the restart
// still works after the replay.
func TestALeftoverVoidsFileIsReplayedWithTheLiveOne_receipts(t *testing.T) {
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	void := func(st *storage.Store, code string) bool {
		_, _, err := st.InviteRole(ctx, code)
		return err != nil
	}

	t.Run("crash after the live file was moved aside", func(t *testing.T) {
		st, _, _ := newStore(t)
		dir := t.TempDir()
		sp := reopenSpool(t, dir, kr)
		first, second := pendingInvite(t, st), pendingInvite(t, st)
		if err := sp.HoldVoids([]string{first}); err != nil {
			t.Fatal(err)
		}
		// The replay's first step, then the crash.
		if err := os.Rename(filepath.Join(dir, "voids.spool"), filepath.Join(dir, "voids.spool.replaying")); err != nil {
			t.Fatal(err)
		}
		sp = reopenSpool(t, dir, kr)
		if err := sp.HoldVoids([]string{second}); err != nil { // Redis down again
			t.Fatal(err)
		}
		if !sp.VoidHeld(first) || !sp.VoidHeld(second) || sp.VoidsWaiting() != 2 {
			t.Fatalf("after the restart: held %v %v, %d waiting", sp.VoidHeld(first), sp.VoidHeld(second), sp.VoidsWaiting())
		}
		if c, err := sp.ReplayCounts(ctx, st); err != nil || c.VoidsKept != nil {
			t.Fatalf("replay: %+v %v", c, err)
		}
		if !void(st, first) || !void(st, second) {
			t.Errorf("after one replay: the leftover file's invitation void %v, the live file's %v", void(st, first), void(st, second))
		}
		if live, replaying := voidsFiles(dir); live || replaying || sp.VoidsWaiting() != 0 {
			t.Errorf("after the replay: voids.spool %v, voids.spool.replaying %v, %d waiting", live, replaying, sp.VoidsWaiting())
		}
	})

	t.Run("crash after a mass voiding, before its file went", func(t *testing.T) {
		st, _, _ := newStore(t)
		dir := t.TempDir()
		sp := reopenSpool(t, dir, kr)
		before := pendingInvite(t, st)
		if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil {
			t.Fatal(err)
		}
		restore := storage.FailVoidsRemoval(t) // (the crash comes before the file is removed)
		if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 1 || c.VoidsKept == nil {
			t.Fatalf("first replay: %+v %v", c, err)
		}
		restore()
		between := pendingInvite(t, st) // made after the first outage, pending in the second
		sp = reopenSpool(t, dir, kr)
		if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil { // Redis down again
			t.Fatal(err)
		}
		c, err := sp.ReplayCounts(ctx, st)
		if err != nil || c.VoidsKept != nil || c.InvitesVoided != 1 {
			t.Fatalf("replay after the restart: %+v %v, want the 1 invitation pending in the second outage", c, err)
		}
		if !void(st, before) || !void(st, between) {
			t.Errorf("void: the first outage's invitation %v, the second's %v", void(st, before), void(st, between))
		}
		after := pendingInvite(t, st)
		if sp.VoidHeld(after) || sp.VoidsWaiting() != 0 {
			t.Errorf("after the replay: a new invitation refused %v, %d waiting", sp.VoidHeld(after), sp.VoidsWaiting())
		}
		for i, sp := range []*storage.Spool{sp, reopenSpool(t, dir, kr)} {
			if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 0 {
				t.Errorf("replay %d after: %+v %v", i+1, c, err)
			}
		}
		if void(st, after) {
			t.Error("an invitation made after both replays was voided: a hold done twice")
		}
		if live, replaying := voidsFiles(dir); live || replaying {
			t.Errorf("after the replay: voids.spool %v, voids.spool.replaying %v", live, replaying)
		}
	})
}

// While voids.spool.replaying cannot be removed (its voidings done),
// what is held in the next outages, in voids.spool, is voided all the
// same at each replay, in place: one by one, or every pending invitation
// once for each hold, never again for one done, across a restart too
// (a hold after a restart is written after the one done, and done),
// and once the file can go, both files are removed with nothing voided
// twice. Mutation: replayVoids replaying the kept file alone (as before)
// -> the codes held since are never voided in Redis.
func TestVoidsHeldBehindAFileNotRemovedAreReplayed_receipts(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	void := func(code string) bool {
		_, _, err := st.InviteRole(ctx, code)
		return err != nil
	}
	dir := t.TempDir()
	sp := reopenSpool(t, dir, kr)
	first := pendingInvite(t, st)
	if err := sp.HoldVoids([]string{first}); err != nil {
		t.Fatal(err)
	}
	restore := storage.FailVoidsRemoval(t)
	if c, err := sp.ReplayCounts(ctx, st); err != nil || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) || !void(first) {
		t.Fatalf("first replay: %+v %v, void %v", c, err, void(first))
	}
	second, third := pendingInvite(t, st), pendingInvite(t, st)
	if err := sp.HoldVoids([]string{second}); err != nil { // the next outage
		t.Fatal(err)
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) || c.InvitesVoided != 0 {
		t.Fatalf("second replay: %+v %v", c, err)
	}
	if !void(second) || void(third) || sp.VoidsWaiting() != 0 || sp.VoidHeld(third) {
		t.Fatalf("second replay: the code held void %v, another %v; %d waiting", void(second), void(third), sp.VoidsWaiting())
	}
	if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil { // a third, flooded
		t.Fatal(err)
	}
	if !sp.VoidHeld(third) {
		t.Fatal("every invitation held to be voided, one is not refused")
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 1 || !void(third) {
		t.Fatalf("third replay: %+v %v, void %v", c, err, void(third))
	}
	after := pendingInvite(t, st)
	for i, sp := range []*storage.Spool{sp, reopenSpool(t, dir, kr)} {
		if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 0 || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
			t.Errorf("replay %d after: %+v %v", i+1, c, err)
		}
		if void(after) || sp.VoidHeld(after) {
			t.Fatalf("replay %d after: an invitation made since voided (%v) or refused (%v)", i+1, void(after), sp.VoidHeld(after))
		}
	}
	// A restart, and a fourth outage, flooded: held after the third's
	// hold, done, in the same file.
	sp = reopenSpool(t, dir, kr)
	if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil {
		t.Fatal(err)
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 1 || !void(after) {
		t.Fatalf("fourth replay: %+v %v, the invitation pending in the outage void %v", c, err, void(after))
	}
	later := pendingInvite(t, st)
	restore()
	sp = reopenSpool(t, dir, kr)
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 0 || c.VoidsKept != nil {
		t.Errorf("replay once the file can go: %+v %v", c, err)
	}
	if void(later) {
		t.Error("an invitation made after the holds was voided once the files could go")
	}
	if live, replaying := voidsFiles(dir); live || replaying || sp.VoidsWaiting() != 0 {
		t.Errorf("voids.spool %v, voids.spool.replaying %v, %d waiting", live, replaying, sp.VoidsWaiting())
	}
}
