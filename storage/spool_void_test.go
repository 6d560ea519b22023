package storage_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// The voiding of an invitation seen while Redis was down outlives a
// restart (fsynced, read back at open; a line torn by a crash mid-append
// is no voiding), holds only the keyed hash, and is done by the replay.
func TestHeldVoidsSurviveARestartAndAreReplayed(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	code, err := st.Invite(ctx, "investigator", "by", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.HoldVoids([]string{code, "AB12-CD34-EF56-GH78"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "voids.spool"))
	if strings.Contains(string(b), code) || strings.Contains(string(b), "AB12") {
		t.Fatalf("voids.spool holds a code in clear: %q", b)
	}
	f, _ := os.OpenFile(filepath.Join(dir, "voids.spool"), os.O_APPEND|os.O_WRONLY, 0o600)
	f.WriteString("3f2a") // torn
	f.Close()
	sp, err = storage.OpenSpool(dir, kr) // a restart
	if err != nil {
		t.Fatal(err)
	}
	code2, err := st.Invite(ctx, "investigator", "by", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.HoldVoids([]string{code2}); err != nil { // after the torn line
		t.Fatal(err)
	}
	sp, err = storage.OpenSpool(dir, kr) // another restart
	if err != nil {
		t.Fatal(err)
	}
	if !sp.VoidHeld(code) || !sp.VoidHeld(code2) || sp.VoidsWaiting() != 3 {
		t.Fatalf("after a restart: held %v %v, waiting %d", sp.VoidHeld(code), sp.VoidHeld(code2), sp.VoidsWaiting())
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{code, code2} {
		if _, _, err := st.InviteRole(ctx, c); err == nil {
			t.Error("an invitation still works after the replay")
		}
	}
	if sp.VoidHeld(code) || sp.VoidsWaiting() != 0 {
		t.Errorf("after the replay: held %v, waiting %d", sp.VoidHeld(code), sp.VoidsWaiting())
	}
	if _, err := os.Stat(filepath.Join(dir, "voids.spool")); err == nil {
		t.Error("voids.spool left after the replay")
	}
}

// The same code seen again and again while Redis is down (pasted in a
// group at every message) is held once: the voids file does not grow, nor
// is the disk synced, with each paste.
func TestHeldVoidIsWrittenOnce(t *testing.T) {
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.HoldVoids([]string{"AB12-CD34-EF56-GH78"}); err != nil {
		t.Fatal(err)
	}
	once, _ := os.Stat(filepath.Join(dir, "voids.spool"))
	for range 5 {
		if err := sp.HoldVoids([]string{"AB12-CD34-EF56-GH78", "AB12-CD34-EF56-GH78"}); err != nil {
			t.Fatal(err)
		}
	}
	again, _ := os.Stat(filepath.Join(dir, "voids.spool"))
	if again.Size() != once.Size() || sp.VoidsWaiting() != 1 {
		t.Errorf("one code held six times: voids.spool %d bytes (once: %d), %d waiting", again.Size(), once.Size(), sp.VoidsWaiting())
	}
	if err := sp.HoldVoids([]string{"AB12-CD34-EF56-GH78", "JK12-LM34-NP56-QR78"}); err != nil {
		t.Fatal(err)
	}
	sp, err = storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	if !sp.VoidHeld("AB12-CD34-EF56-GH78") || !sp.VoidHeld("JK12-LM34-NP56-QR78") || sp.VoidsWaiting() != 2 {
		t.Errorf("after a restart: %d waiting", sp.VoidsWaiting())
	}
}

// A voiding held before the secret is rotated (rotate-key, and restarts
// under the new secret with the previous one, then alone) still voids its
// invitation: invitations are found under the receipt MAC key kept in
// Redis, which a rotation re-seals but never changes, so the keyed hash
// held on disk names the same record before and after.
func TestHeldVoidOutlivesARotation(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	// One keyring for the store and the spool, as serve has: Init gives
	// it the MAC keys kept in Redis.
	open := func(secret []byte, previous ...[]byte) (*storage.Store, *storage.Keyring) {
		t.Helper()
		kr, err := storage.NewKeyring(secret, previous...)
		if err != nil {
			t.Fatal(err)
		}
		st, err := storage.New(rdb, kr, storage.Options{Prefix: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
		return st, kr
	}
	old, oldKR := open(secretA)
	code, err := old.Invite(ctx, "investigator", "by", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, oldKR)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.HoldVoids([]string{code}); err != nil { // seen in a group while Redis was down
		t.Fatal(err)
	}
	// Restarted under B with A as the previous secret, rotate-key run.
	rotating, _ := open(secretB, secretA)
	if _, err := rotating.Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rotating.InviteRole(ctx, code); err != nil {
		t.Fatalf("the invitation did not survive the rotation: %v", err)
	}
	// Restarted under B alone.
	st, kr := open(secretB)
	sp, err = storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	if !sp.VoidHeld(code) {
		t.Fatal("after the rotation the held voiding no longer refuses its code")
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.InviteRole(ctx, code); err == nil {
		t.Fatal("an invitation held to be voided before a rotation still works after its replay")
	}
}
