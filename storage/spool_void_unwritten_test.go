package storage_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// A voiding the spool cannot write (a full or read-only disk while Redis
// is down) is not lost while the process runs: this replica refuses the
// code, the next hold writes it once the disk takes it (a restart then
// finds it), and the replay voids it in Redis, written or not. So for a
// hold of every pending invitation. Mutation: HoldVoids keeping nothing
// of a voiding it could not write (as before) -> the code is accepted
// here and, once Redis is back, still works everywhere.
func TestVoidsNotWrittenAreRefusedAndVoidedAtTheReplay_receipts(t *testing.T) {
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	void := func(st *storage.Store, code string) bool {
		_, _, err := st.InviteRole(ctx, code)
		return err != nil
	}

	t.Run("one by one", func(t *testing.T) {
		st, _, _ := newStore(t)
		dir := t.TempDir()
		sp := reopenSpool(t, dir, kr)
		first, second, third := pendingInvite(t, st), pendingInvite(t, st), pendingInvite(t, st)
		restore := storage.FailVoidsWrites(t)
		if err := sp.HoldVoids([]string{first}); err == nil {
			t.Fatal("a voiding not written: no error")
		}
		if !sp.VoidHeld(first) || sp.VoidsWaiting() != 1 {
			t.Fatalf("a voiding not written: refused %v, %d waiting", sp.VoidHeld(first), sp.VoidsWaiting())
		}
		// Redis back, the disk still full: voided from memory.
		if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 0 {
			t.Fatalf("replay: %+v %v", c, err)
		}
		if !void(st, first) || sp.VoidHeld(first) || sp.VoidsWaiting() != 0 {
			t.Fatalf("after the replay: void %v, still refused %v, %d waiting", void(st, first), sp.VoidHeld(first), sp.VoidsWaiting())
		}
		// The next outage: not written, then written with the next hold.
		if err := sp.HoldVoids([]string{second}); err == nil {
			t.Fatal("a voiding not written: no error")
		}
		restore()
		if err := sp.HoldVoids([]string{third}); err != nil {
			t.Fatal(err)
		}
		sp = reopenSpool(t, dir, kr) // a restart
		if !sp.VoidHeld(second) || !sp.VoidHeld(third) || sp.VoidsWaiting() != 2 {
			t.Fatalf("after a restart: refused %v %v, %d waiting", sp.VoidHeld(second), sp.VoidHeld(third), sp.VoidsWaiting())
		}
		if _, err := sp.ReplayCounts(ctx, st); err != nil || !void(st, second) || !void(st, third) {
			t.Fatalf("replay: %v, void %v %v", err, void(st, second), void(st, third))
		}
	})

	t.Run("every invitation", func(t *testing.T) {
		st, _, _ := newStore(t)
		dir := t.TempDir()
		sp := reopenSpool(t, dir, kr)
		before := pendingInvite(t, st)
		restore := storage.FailVoidsWrites(t)
		if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err == nil {
			t.Fatal("a hold of every invitation not written: no error")
		}
		if !sp.VoidHeld(before) || sp.VoidsWaiting() != 1 {
			t.Fatalf("a hold of every invitation not written: refused %v, %d waiting", sp.VoidHeld(before), sp.VoidsWaiting())
		}
		if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 1 || !void(st, before) {
			t.Fatalf("replay: %+v %v, void %v", c, err, void(st, before))
		}
		between := pendingInvite(t, st)
		if sp.VoidHeld(between) || sp.VoidsWaiting() != 0 {
			t.Fatalf("after the replay: a new invitation refused %v, %d waiting", sp.VoidHeld(between), sp.VoidsWaiting())
		}
		// The next outage: flooded, not written, then written with the
		// next hold (of one code), which holds every invitation.
		if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err == nil {
			t.Fatal("a hold of every invitation not written: no error")
		}
		restore()
		if err := sp.HoldVoids(manyCodes(0, 1)); err != nil {
			t.Fatal(err)
		}
		sp = reopenSpool(t, dir, kr)
		if !sp.VoidHeld(between) {
			t.Fatal("after a restart: an invitation pending in the outage is not refused")
		}
		if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 1 || !void(st, between) {
			t.Fatalf("replay: %+v %v, void %v", c, err, void(st, between))
		}
	})
}
