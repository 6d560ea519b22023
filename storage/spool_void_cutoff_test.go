package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vigia-project/vigia/storage"
)

// downAtDel lets through the invitations' DELs until it is armed with
// how many, then fails every one past them, as if Redis went down.
// onDel, if set, is called before each DEL of one invitation.
type downAtDel struct {
	left  atomic.Int64
	onDel func()
}

func (h *downAtDel) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *downAtDel) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *downAtDel) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		key, _ := cmd.Args()[len(cmd.Args())-1].(string)
		if cmd.Name() == "del" && strings.Contains(key, ":invite:") && h.onDel != nil {
			h.onDel()
		}
		if cmd.Name() == "del" && strings.Contains(key, ":invite:") && h.left.Add(-1) < 0 {
			err := errors.New("connection reset")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

// A replay voiding every pending invitation (the spool held that, past
// its bound) that Redis cuts off mid-way does not forget how many it
// voided before it was: tried again, it finds only the rest, and says
// how many went in all, once, so that the WARN that tells admins to make
// new invitations, the audit log and the team's notice count every one
// gone, once (not the ones before the cut, then the rest again; nor not
// at all, when Redis failed only after the last went). Mutations:
// replayVoids forgetting the count of a replay cut off -> the second
// says 1 of 3; replayVoids saying it at the cut (as 71ae91e did) -> the
// first says 2, the second 1: two notices.
func TestReplayCutOffWhileVoidingEveryInvitationSaysHowManyWent_receipts(t *testing.T) {
	ctx := context.Background()
	h := &downAtDel{}
	h.left.Store(1 << 30)
	st, _ := hookedStore(t, h)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := st.Invite(ctx, "investigator", "by", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil {
		t.Fatal(err)
	}
	h.left.Store(2) // Redis goes down after two of the three
	c, err := sp.ReplayCounts(ctx, st)
	if err == nil || c.InvitesVoided != 0 {
		t.Fatalf("replay cut off after 2 invitations voided: %+v %v, want an error, none said yet", c, err)
	}
	h.left.Store(1 << 30) // back
	c, err = sp.ReplayCounts(ctx, st)
	if err != nil || c.InvitesVoided != 3 {
		t.Fatalf("replay tried again: %+v %v, want the 3 gone in all", c, err)
	}
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c.InvitesVoided != 0 {
		t.Fatalf("replay after: %+v %v, want none", c, err)
	}
}

// While voids.spool.replaying cannot be removed, a hold of every pending
// invitation in voids.spool is replayed where it is; cut off by Redis
// mid-way and tried again, every code is refused until it is done, as it
// was the first time: the refusal is taken from the file (it holds that
// every invitation is to be voided), not from what the replay before
// left in memory. Mutation: replayVoidsInPlace taking "refuse every
// code" from voidAllReplaying || voidAllLive (as before) -> an
// invitation is not refused while the retry voids them.
func TestAVoidAllInPlaceTriedAgainRefusesEveryCode_receipts(t *testing.T) {
	ctx := context.Background()
	h := &downAtDel{}
	h.left.Store(1 << 30)
	st, _ := hookedStore(t, h)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp := reopenSpool(t, t.TempDir(), kr)
	if err := sp.HoldVoids([]string{pendingInvite(t, st)}); err != nil {
		t.Fatal(err)
	}
	storage.FailVoidsRemoval(t)
	if c, err := sp.ReplayCounts(ctx, st); err != nil || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) {
		t.Fatalf("first replay: %+v %v, want its file kept", c, err)
	}
	for range 3 {
		pendingInvite(t, st)
	}
	if err := sp.HoldVoids(manyCodes(0, storage.MaxVoidsPerMessage+1)); err != nil { // the next outage, flooded
		t.Fatal(err)
	}
	h.left.Store(1) // Redis goes down after one of the three
	if _, err := sp.ReplayCounts(ctx, st); err == nil {
		t.Fatal("replay cut off: no error")
	}
	h.left.Store(1 << 30) // back
	code := pendingInvite(t, st)
	var accepted int
	h.onDel = func() {
		if !sp.VoidHeld(code) {
			accepted++
		}
	}
	c, err := sp.ReplayCounts(ctx, st)
	h.onDel = nil
	if err != nil || !errors.Is(c.VoidsKept, storage.ErrVoidsKept) || c.InvitesVoided != 4 {
		t.Fatalf("replay tried again: %+v %v, want the 4 pending gone, the file kept", c, err)
	}
	if accepted > 0 {
		t.Errorf("an invitation code was not refused at %d of the 3 voidings of every invitation", accepted)
	}
}
