package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// manyCodes returns n distinct code-like words, from the n-th on.
func manyCodes(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		k := from + i
		out[i] = fmt.Sprintf("A%03d-B%03d-C%03d-D%03d", k%1000, k/1000%1000, k/1000000, 0)
	}
	return out
}

// The codes of a group's messages held to be voided while Redis is down
// are bounded: a message of more code-like words than one written by a
// person holds (its hidden links can read some 13,000), or more held in
// all than maxHeldVoids, has the spool hold instead that every pending
// invitation is void, in one line: the file and the map stop growing,
// every invitation code is refused meanwhile (an invitation in view may
// be any of them), across a restart, and the replay voids them all, says
// how many, and forgets it. Mutation: HoldVoids without its bound (the
// codes past it held one by one, as before) -> the file grows with each
// flood and an invitation never written out stays redeemable.
func TestHeldVoidsPastTheirBoundVoidEveryInvitation_receipts(t *testing.T) {
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	for _, tc := range []struct {
		name  string
		holds [][]string
	}{
		{"one message past maxVoidsPerMessage", [][]string{manyCodes(0, storage.MaxVoidsPerMessage+1)}},
		{"messages past maxHeldVoids", func() (out [][]string) {
			for k := 0; k <= storage.MaxHeldVoids; k += storage.MaxVoidsPerMessage {
				out = append(out, manyCodes(k, storage.MaxVoidsPerMessage))
			}
			return out
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _, _ := newStore(t)
			dir := t.TempDir()
			sp, err := storage.OpenSpool(dir, kr)
			if err != nil {
				t.Fatal(err)
			}
			var invites []string
			for range 3 {
				code, err := st.Invite(ctx, "investigator", "by", time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				invites = append(invites, code)
			}
			for _, codes := range tc.holds {
				if err := sp.HoldVoids(codes); err != nil {
					t.Fatal(err)
				}
			}
			file := filepath.Join(dir, "voids.spool")
			grown, _ := os.Stat(file)
			if grown.Size() > int64(storage.MaxHeldVoids)*34 { // (a MAC and a line break each, a line break before each call's)
				t.Errorf("voids.spool is %d bytes, past the bound", grown.Size())
			}
			// Another flood: nothing more is written.
			if err := sp.HoldVoids(manyCodes(1<<20, storage.MaxVoidsPerMessage)); err != nil {
				t.Fatal(err)
			}
			if again, _ := os.Stat(file); again.Size() != grown.Size() {
				t.Errorf("voids.spool grew from %d to %d bytes past the bound", grown.Size(), again.Size())
			}
			for _, sp := range []*storage.Spool{sp, reopenSpool(t, dir, kr)} {
				for _, code := range invites {
					if !sp.VoidHeld(code) {
						t.Error("an invitation code is not refused while every invitation waits to be voided")
					}
				}
				if sp.VoidsWaiting() == 0 {
					t.Error("nothing waits for the replay")
				}
			}
			sp = reopenSpool(t, dir, kr)
			c, err := sp.ReplayCounts(ctx, st)
			if err != nil || c.InvitesVoided != len(invites) {
				t.Fatalf("replay: %+v %v, want %d invitations voided", c, err, len(invites))
			}
			for _, code := range invites {
				if _, _, err := st.InviteRole(ctx, code); err == nil {
					t.Error("an invitation still works after the replay")
				}
			}
			if sp.VoidHeld(invites[0]) || sp.VoidsWaiting() != 0 {
				t.Errorf("after the replay: held %v, %d waiting", sp.VoidHeld(invites[0]), sp.VoidsWaiting())
			}
			fresh, err := st.Invite(ctx, "investigator", "by", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if sp.VoidHeld(fresh) {
				t.Error("an invitation made after the replay is refused")
			}
			if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 0 {
				t.Errorf("a second replay: %+v %v", c, err)
			}
			if _, _, err := st.InviteRole(ctx, fresh); err != nil {
				t.Errorf("an invitation made after the replay was voided by the next: %v", err)
			}
		})
	}
}

// Within the bound, codes are held one by one as before: the invitation
// seen is voided at the replay, the others stay.
func TestHeldVoidsWithinTheirBoundVoidOnlyThoseSeen_receipts(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	seen, err := st.Invite(ctx, "investigator", "by", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.Invite(ctx, "investigator", "by", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.HoldVoids(append(manyCodes(0, storage.MaxVoidsPerMessage-1), seen)); err != nil {
		t.Fatal(err)
	}
	if sp.VoidHeld(other) || !sp.VoidHeld(seen) {
		t.Fatalf("held: seen %v, other %v", sp.VoidHeld(seen), sp.VoidHeld(other))
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 0 {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if _, _, err := st.InviteRole(ctx, seen); err == nil {
		t.Error("the invitation seen still works after the replay")
	}
	if _, _, err := st.InviteRole(ctx, other); err != nil {
		t.Errorf("an invitation never seen was voided: %v", err)
	}
}

func reopenSpool(t *testing.T, dir string, kr *storage.Keyring) *storage.Spool {
	t.Helper()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}
